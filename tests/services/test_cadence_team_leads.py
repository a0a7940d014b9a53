"""Cadence, workload and lead distribution — without HTTP."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Party, Stage
from crm.models.base import utcnow
from crm.services import cadence, interactions, ladder, leads, team
from crm.services.errors import DomainError, PermissionDeniedError
from crm.services.tasks import TaskData, create_task
from tests.factories import make_party, make_user


def contacted(party, days_ago):
    party.last_contact_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()


def test_a_party_needs_contact_after_its_stage_interval(manager):
    interval = db.session.scalar(select(Stage).where(Stage.key == "suspect")).contact_interval_days
    due, fine, never = (make_party(manager, n) for n in ("Due", "Fine", "Never"))
    contacted(due, interval + 1)
    contacted(fine, interval - 1)
    query = select(Party.name).where(cadence.needs_contact_condition(ladder.stages()))
    assert sorted(db.session.scalars(query)) == ["Due", "Never"]
    assert [cadence.needs_contact(p) for p in (due, fine, never)] == [True, False, True]
    assert [p.name for p in cadence.my_parties_needing_contact(manager, ladder.stages())] == [
        "Never",
        "Due",
    ]


def test_cadence_report_counts_kept_and_missed_per_owner_and_stage(manager):
    for name, days in (("A", 1), ("B", 200), ("C", 2)):
        contacted(make_party(manager, name), days)
    (row,) = cadence.cadence_report(manager, ladder.stages())
    assert (row.owner_id, row.kept, row.missed) == (manager.id, 2, 1)


def test_planning_the_next_contact_creates_a_task_for_the_owner(manager, admin):
    party = make_party(manager)
    contacted(party, 10)
    task, created = cadence.plan_next_contact(admin, party)
    assert created and task.assignee_id == manager.id and task.party_id == party.id
    assert cadence.plan_next_contact(manager, party) == (task, False)  # pressed twice
    interval = party.stage.contact_interval_days
    assert task.due_date == (party.last_contact_at + timedelta(days=interval)).date()


def test_team_workload_counts_each_manager_in_grouped_queries(manager, admin):
    make_party(manager, "A")
    make_party(manager, "B")
    create_task(manager, TaskData("Overdue", manager, date(2020, 1, 1)))
    create_task(manager, TaskData("Later", manager, date(2099, 1, 1)))
    rows = {w.user.id: w for w in team.team_workload(ladder.stages())}
    mine = rows[manager.id]
    assert (mine.parties, mine.open_tasks, mine.overdue_tasks, mine.needing_contact) == (
        2,
        2,
        1,
        2,
    )
    assert rows[admin.id].parties == 0


def test_team_workload_counts_the_meaningful_contacts_of_the_last_30_days(manager, admin):
    party = make_party(manager, "A")
    now = utcnow()
    for kind, days_ago in (("call", 1), ("meeting", 29), ("note", 2), ("email", 31)):
        interactions.log_interaction(
            manager, party, type=kind, occurred_at=now - timedelta(days=days_ago), summary="x"
        )
    interactions.log_interaction(admin, party, type="visit", occurred_at=now, summary="x")

    rows = {w.user.id: w for w in team.team_workload(ladder.stages())}

    assert (rows[manager.id].contacts_30_days, rows[admin.id].contacts_30_days) == (2, 1)


@pytest.fixture
def pool(admin):
    return [make_party(admin, f"Lead {i}", owner_id=None) for i in range(6)]


def test_leads_without_owner_wait_in_the_pool(pool, manager):
    assert [p.owner_id for p in pool] == [None] * 6
    assert len(leads.lead_pool()) == 6
    assert make_party(manager, "Mine", owner_id=None).owner_id == manager.id  # not an admin


def test_round_robin_deals_leads_out_in_turn(admin, manager, pool):
    other = make_user("dmitry@example.com")
    result = leads.distribute(admin, [manager, other], "round_robin")
    owners = [result[p.id] for p in pool]
    assert owners == [manager.id, other.id] * 3
    assert leads.lead_pool() == []


def test_least_loaded_first_evens_out_the_load(admin, manager, pool):
    other = make_user("dmitry@example.com")
    for i in range(4):
        make_party(manager, f"Busy {i}")
    result = leads.distribute(admin, [manager, other], "least_loaded")
    given = [result[p.id] for p in pool]
    assert given.count(other.id) == 5 and given.count(manager.id) == 1


def test_only_admins_distribute_and_a_selection_moves_only_those(admin, manager, pool):
    with pytest.raises(PermissionDeniedError):
        leads.distribute(manager, [manager], "round_robin")
    with pytest.raises(DomainError):
        leads.distribute(admin, [], "round_robin")
    leads.distribute(admin, [manager], "round_robin", [pool[0].id])
    assert len(leads.lead_pool()) == 5
