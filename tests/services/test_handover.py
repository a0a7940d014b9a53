"""Hand-over: a leaving manager's parties move in one step, recorded in each history."""

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry
from crm.services import parties
from crm.services.errors import DomainError, PermissionDeniedError
from crm.services.handover import hand_over
from tests.factories import make_party, make_user


@pytest.fixture
def leaving():
    return make_user("leaving@example.com", name="Leaving")


def test_every_live_party_moves_and_each_move_is_recorded(admin, manager, leaving):
    kept = [make_party(leaving, f"P{i}") for i in range(3)]
    trashed = make_party(leaving, "Trashed")
    parties.trash_party(admin, trashed)
    assert hand_over(admin, leaving, manager) == 3
    db.session.commit()
    assert {p.owner_id for p in kept} == {manager.id}
    assert trashed.owner_id == leaving.id
    moves = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "hand_over")).all()
    assert len(moves) == 3
    assert moves[0].changes == {"owner_id": [leaving.id, manager.id]}


def test_a_selection_moves_only_the_chosen(admin, manager, leaving):
    first, second = make_party(leaving, "A"), make_party(leaving, "B")
    assert hand_over(admin, leaving, manager, [second.id]) == 1
    assert (first.owner_id, second.owner_id) == (leaving.id, manager.id)


@pytest.mark.parametrize("problem", ["same", "inactive", "viewer"])
def test_impossible_hand_overs_are_refused(admin, manager, viewer, leaving, problem):
    party = make_party(leaving)
    target = {"same": leaving, "inactive": manager, "viewer": viewer}[problem]
    if problem == "inactive":
        manager.active = False
    with pytest.raises(DomainError):
        hand_over(admin, leaving, target)
    assert party.owner_id == leaving.id


def test_only_admins_hand_over(manager, leaving):
    with pytest.raises(PermissionDeniedError):
        hand_over(manager, leaving, manager)
