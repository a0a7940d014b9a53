"""The relationship ladder: moves, reasons, stale moves, at-risk, model changes — no HTTP."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import LossReason, Party, Stage
from crm.models.base import utcnow
from crm.services import factors, ladder, ladder_admin, parties
from crm.services.errors import DomainError, PermissionDeniedError
from tests.factories import make_party


def stage(key: str) -> Stage:
    return db.session.scalar(select(Stage).where(Stage.key == key, Stage.archived_at.is_(None)))


def reason(key: str = "price") -> LossReason:
    return db.session.scalar(select(LossReason).where(LossReason.key == key))


def moves(party: Party) -> list[tuple]:
    return [
        (m.from_stage.key if m.from_stage else None, m.to_stage.key, m.source)
        for m in reversed(ladder.stage_history(party))
    ]


def test_new_clients_and_partners_enter_the_first_stage_others_do_not(manager):
    client = make_party(manager, "Client", roles=["client"])
    supplier = make_party(manager, "Supplier", roles=["supplier"])
    assert client.stage.key == "suspect" and client.version == 1
    assert moves(client) == [(None, "suspect", "rule")]
    assert supplier.stage_id is None
    parties.update_party(manager, supplier, {"roles": ["supplier", "partner"]}, 1)
    assert supplier.stage.key == "suspect"


def test_moving_up_is_recorded_with_who_and_comment(manager):
    party = make_party(manager)
    move = ladder.move_party(manager, party, stage("prospect"), party.stage_id, comment="Met")
    db.session.commit()
    assert party.stage.key == "prospect" and party.stage_since == move.at
    assert (move.user_id, move.comment, move.source) == (manager.id, "Met", "manual")
    assert party.version == 1  # a move is not a profile edit


@pytest.mark.parametrize("target", ["suspect", "ended"])
def test_moving_down_or_ending_requires_a_reason(manager, target):
    party = make_party(manager)
    ladder.move_party(manager, party, stage("client"), party.stage_id)
    with pytest.raises(ladder.ReasonRequiredError):
        ladder.move_party(manager, party, stage(target), party.stage_id)
    assert party.stage.key == "client"
    move = ladder.move_party(manager, party, stage(target), party.stage_id, reason=reason())
    assert move.reason.key == "price" and party.stage.key == target


def test_a_stale_move_is_refused(manager, admin):
    party = make_party(manager)
    seen = party.stage_id
    ladder.move_party(admin, party, stage("prospect"), seen)
    with pytest.raises(ladder.StaleMoveError):
        ladder.move_party(manager, party, stage("client"), seen)
    assert party.stage.key == "prospect"


def test_a_stale_move_is_refused_even_when_the_check_races(manager):
    party = make_party(manager)
    seen = party.stage_id
    db.session.execute(
        Party.__table__.update().values(stage_id=stage("client").id).where(Party.id == party.id)
    )  # another request moved it after this one loaded the party
    with pytest.raises(ladder.StaleMoveError):
        ladder.move_party(manager, party, stage("prospect"), seen)


def test_viewers_cannot_move(viewer, manager):
    party = make_party(manager)
    with pytest.raises(PermissionDeniedError):
        ladder.move_party(viewer, party, stage("prospect"), party.stage_id)


def test_at_risk_after_twice_the_stage_interval_in_python_and_in_sql(manager):
    fresh, stale, ended = (make_party(manager, n) for n in ("Fresh", "Stale", "Ended"))
    ladder.move_party(manager, ended, stage("ended"), ended.stage_id, reason=reason())
    interval = stage("suspect").contact_interval_days
    now = utcnow()
    stale.last_contact_at = now - timedelta(days=2 * interval + 1)
    fresh.last_contact_at = now - timedelta(days=2 * interval - 1)
    ended.last_contact_at = now - timedelta(days=3650)
    db.session.commit()
    assert [ladder.is_at_risk(p, now) for p in (fresh, stale, ended)] == [False, True, False]
    query = select(Party.name).where(ladder.at_risk_condition(ladder.stages(), now))
    assert db.session.scalars(query).all() == ["Stale"]


def test_switching_the_model_maps_every_client_and_records_it(admin, manager):
    on_client = make_party(manager, "A")
    ladder.move_party(manager, on_client, stage("client"), on_client.stage_id)
    on_suspect = make_party(manager, "B")
    mapping = {s.id: ("prospect" if s.position < 2 else "client") for s in ladder.stages()}
    mapping[stage("ended").id] = "dissolution"
    with pytest.raises(DomainError):
        ladder_admin.switch_model(admin, "dwyer", mapping)  # "prospect" is not Dwyer's
    mapping = {s.id: ("awareness" if s.position < 2 else "commitment") for s in ladder.stages()}
    mapping[stage("ended").id] = "dissolution"
    ladder_admin.switch_model(admin, "dwyer", mapping)
    db.session.commit()
    db.session.expire_all()
    assert [s.key for s in ladder.stages()] == [
        "awareness",
        "exploration",
        "expansion",
        "commitment",
        "dissolution",
    ]
    assert (on_client.stage.key, on_suspect.stage.key) == ("commitment", "awareness")
    assert moves(on_suspect)[-1] == ("suspect", "awareness", "model_change")
    unplaced = select(func.count()).where(
        Party.stage_id.in_(select(Stage.id).where(Stage.archived_at.is_not(None)))
    )
    assert db.session.scalar(unplaced) == 0


def test_removing_a_stage_moves_its_clients_to_the_chosen_one(admin, manager):
    party = make_party(manager)
    assert ladder_admin.remove_stage(admin, stage("suspect"), stage("prospect")) == 1
    db.session.expire_all()
    assert party.stage.key == "prospect"
    assert "suspect" not in [s.key for s in ladder.stages()]
    with pytest.raises(DomainError):
        ladder_admin.remove_stage(admin, stage("ended"), stage("prospect"))


def test_added_stages_sit_below_the_terminal_one_and_can_be_reordered(admin):
    new = ladder_admin.add_stage(admin, "Ambassador", "#123456", 30)
    keys = [s.key or s.custom_name for s in ladder.stages()]
    assert keys[-2:] == ["Ambassador", "ended"]
    ladder_admin.shift_stage(admin, new, -1)
    assert [s.key or s.custom_name for s in ladder.stages()][-3:] == [
        "Ambassador",
        "partner",
        "ended",
    ]


def test_only_admins_change_the_ladder(manager):
    with pytest.raises(PermissionDeniedError):
        ladder_admin.add_stage(manager, "X", "#000000", 30)


def test_factors_trend_and_the_list_of_falling_relationships(manager):
    party, steady = make_party(manager, "Falling"), make_party(manager, "Steady")
    high = dict.fromkeys(factors.FIELDS, 4)
    factors.record_factors(manager, party, high)
    factors.record_factors(manager, party, high | {"trust_staff": 2})
    factors.record_factors(manager, steady, high)
    factors.record_factors(manager, steady, high)
    latest, previous = factors.latest_two(party)
    assert factors.trend(latest, previous)["trust_staff"] == -1
    falling = factors.parties_with_falling_factors(manager, party.stage_id)
    assert [(p.name, now, before) for p, now, before in falling] == [("Falling", 18, 20)]
    with pytest.raises(DomainError):
        factors.record_factors(manager, party, high | {"satisfaction": 6})
