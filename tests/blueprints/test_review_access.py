"""Review: holes in "managers see only their own" and in the trash, found through the task routes.

Every test here fails on the code as reviewed; each names the rule it shows broken.
"""

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Interaction, Party, Task, TaskStatus, User
from crm.models.base import utcnow
from crm.services import calendar_feed, parties, tasks
from crm.services.handover import hand_over
from crm.services.settings import set_setting
from crm.services.tasks import TaskData
from tests.factories import make_contact, make_party, make_user

HTMX = {"HX-Request": "true"}


def _task(actor, party, assignee=None, title="Call about the order") -> Task:  # noqa: ANN001
    task = tasks.create_task(
        actor,
        TaskData(title=title, assignee=assignee or actor, due_date=utcnow().date(), party=party),
    )
    db.session.commit()
    return task


def _log_form(**changes) -> dict:  # noqa: ANN003
    return {
        "version": 1,
        "type": "call",
        "occurred_at": (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "contact_id": 0,
        "summary": "Talked",
        "outcome": "",
        "satisfaction": "",
        **changes,
    }


def _interactions_on(party_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Interaction).where(Interaction.party_id == party_id)
    )


def _reassign_by_admin(admin, party_id: int, new_owner) -> None:  # noqa: ANN001
    party = db.session.get(Party, party_id)
    parties.update_party(admin, party, {"owner_id": new_owner.id}, party.version)
    db.session.commit()


def _hand_over_one(admin, from_user, to_user, party_id: int) -> None:  # noqa: ANN001
    hand_over(admin, from_user, to_user, [party_id])
    db.session.commit()


@pytest.fixture
def moved_away(admin, manager):
    """Under "own": Olena's client with a contact and her open task on it, then given to Dmitry.

    Returns a function taking how the party changes hands (admin edit or partial hand-over).
    """

    def build(how: str):  # noqa: ANN202
        set_setting("manager_visibility", "own")
        db.session.commit()
        dmitry = make_user("dmitry@example.com", role="manager", name="Дмитрий Орлов")
        party = make_party(manager, name="Hotel Volga")
        make_contact(party, name="Svitlana Secret")
        task = _task(manager, party)  # Olena creates it for herself, on her own client
        if how == "admin edit":
            _reassign_by_admin(admin, party.id, dmitry)
        else:
            _hand_over_one(admin, manager, dmitry, party.id)
        assert db.session.get(Party, party.id).owner_id == dmitry.id
        return party.id, task.id, dmitry

    return build


# --- 1. tasks keep exposing (and writing to) a client its manager may no longer see -----------


@pytest.mark.parametrize("how", ["admin edit", "hand-over"])
def test_own_a_task_on_a_party_that_changed_hands_is_not_shown_to_the_old_manager(
    client, manager, moved_away, how
):
    party_id, task_id, _dmitry = moved_away(how)
    client.login(manager.email)

    assert client.get(f"/clients/{party_id}").status_code == 404  # the party is hidden…
    # …but its task, with the party's name, is not.
    assert client.get(f"/tasks/{task_id}").status_code == 404
    listing = client.get("/tasks?assignee=all&status=open").get_data(as_text=True)
    assert "Hotel Volga" not in listing


@pytest.mark.parametrize("how", ["admin edit", "hand-over"])
def test_own_the_log_form_does_not_list_contacts_of_a_hidden_party(
    client, manager, moved_away, how
):
    _party_id, task_id, _dmitry = moved_away(how)
    client.login(manager.email)

    response = client.get(f"/tasks/{task_id}/log", headers=HTMX)

    assert response.status_code == 404
    assert "Svitlana Secret" not in response.get_data(as_text=True)


@pytest.mark.parametrize("how", ["admin edit", "hand-over"])
def test_own_a_manager_cannot_log_an_interaction_on_another_managers_party_via_a_task(
    client, manager, moved_away, how
):
    party_id, task_id, _dmitry = moved_away(how)
    client.login(manager.email)

    version = db.session.get(Task, task_id).version  # the hand-over bumped it
    response = client.send(f"/tasks/{task_id}/log", _log_form(version=version), htmx=True)

    assert response.status_code == 404
    assert _interactions_on(party_id) == 0
    db.session.expire_all()
    assert db.session.get(Task, task_id).status == TaskStatus.OPEN
    assert db.session.get(Party, party_id).last_contact_at is None


@pytest.mark.parametrize("how", ["admin edit", "hand-over"])
def test_own_a_manager_cannot_cancel_or_reschedule_a_task_on_another_managers_party(
    client, manager, moved_away, how
):
    _party_id, task_id, _dmitry = moved_away(how)
    client.login(manager.email)

    version = db.session.get(Task, task_id).version
    assert client.send(f"/tasks/{task_id}/cancel", {"version": version}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Task, task_id).status == TaskStatus.OPEN


def test_own_my_day_and_the_calendar_feed_do_not_name_another_managers_party(
    client, admin, manager
):
    """A task made while managers saw all; then the admin limits them to their own."""
    dmitry = make_user("dmitry@example.com", role="manager", name="Дмитрий Орлов")
    party = make_party(dmitry, name="Hotel Volga")
    _task(manager, party)  # allowed while visibility is "all"
    set_setting("manager_visibility", "own")
    token = calendar_feed.regenerate_token(db.session.get(User, manager.id))
    db.session.commit()
    client.login(manager.email)

    assert client.get(f"/clients/{party.id}").status_code == 404
    assert "Hotel Volga" not in client.get("/").get_data(as_text=True)
    feed = client.application.test_client().get(f"/tasks/calendar/{token}.ics")
    summaries = [str(e["summary"]) for e in Calendar.from_ical(feed.data).walk("VEVENT")]
    assert not any("Hotel Volga" in s for s in summaries)


# --- 2. a trashed party is "gone" for managers, but not through its tasks ----------------------


def test_a_manager_cannot_log_an_interaction_on_a_trashed_party_via_a_task(client, manager):
    party = make_party(manager, name="Closed Shop")
    make_contact(party, name="Former Contact")
    task = _task(manager, party)
    parties.trash_party(manager, db.session.get(Party, party.id))
    db.session.commit()
    client.login(manager.email)
    assert client.get(f"/clients/{party.id}").status_code == 404

    form = client.get(f"/tasks/{task.id}/log", headers=HTMX)
    response = client.send(f"/tasks/{task.id}/log", _log_form(), htmx=True)

    assert "Former Contact" not in form.get_data(as_text=True)
    assert response.status_code == 404
    assert _interactions_on(party.id) == 0
