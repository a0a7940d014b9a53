"""Review: optimistic locking on parties misses changes that do not touch a parties column."""

import pytest

from crm.extensions import db
from crm.models import Party
from crm.services import leads, parties
from crm.services.errors import EditConflictError
from tests.factories import make_party


def test_a_tags_only_edit_bumps_the_version_so_a_stale_tags_edit_conflicts(manager, admin):
    party = make_party(manager, "Ромашка", tags=["опт"])
    opened_at = party.version  # both users open the form at this version
    parties.update_party(admin, party, {"tags": ["опт", "vip"]}, opened_at)
    db.session.commit()
    party = parties.get_party(manager, party.id)
    # The manager still holds the form without "vip": saving it must not silently drop it.
    with pytest.raises(EditConflictError):
        parties.update_party(manager, party, {"tags": ["опт", "роздріб"]}, opened_at)


def test_a_roles_only_edit_bumps_the_version(manager, admin):
    party = make_party(manager, "Ромашка")
    opened_at = party.version
    parties.update_party(admin, party, {"roles": ["client", "supplier"]}, opened_at)
    db.session.commit()
    assert db.session.get(Party, party.id).version > opened_at


def test_a_stale_admin_edit_does_not_put_a_distributed_lead_back_in_the_pool(admin, manager):
    lead = parties.create_party(admin, {"name": "Лід", "roles": ["client"], "owner_id": None})
    db.session.commit()
    opened_at = lead.version  # the admin opens the lead's form: owner "unassigned"
    given = leads.distribute(admin, [manager], "round_robin")
    db.session.commit()
    assert given == {lead.id: manager.id}
    lead = parties.get_party(admin, lead.id)
    # The admin saves the form opened before the distribution (owner still empty in it).
    with pytest.raises(EditConflictError):
        parties.update_party(admin, lead, {"notes": "called", "owner_id": None}, opened_at)
    db.session.rollback()
    assert db.session.get(Party, lead.id).owner_id == manager.id
