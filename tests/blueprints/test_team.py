"""/team (workload), /team/cadence, and the "Needs contact" filter of the client list."""

import re
from datetime import date, timedelta

import pytest

from crm.blueprints.team.overload import far_above, team_medians
from crm.extensions import db
from crm.models.base import utcnow
from crm.services import settings
from crm.services.interactions import log_interaction
from crm.services.tasks import TaskData, create_task
from tests.blueprints.test_statement_budget import counted_get, explain, within_budget
from tests.factories import make_party, make_user

HTMX = {"HX-Request": "true"}
LONG_AGO = date(2020, 1, 1)
LATER = date(2099, 1, 1)


def set_visibility(value: str) -> None:
    settings.set_setting("manager_visibility", value)
    db.session.commit()


def add_task(user, due: date, title: str = "Call back") -> None:  # noqa: ANN001
    create_task(user, TaskData(title, user, due))
    db.session.commit()


def add_contact(user, party, kind: str = "call", days_ago: int = 1) -> None:  # noqa: ANN001
    when = utcnow() - timedelta(days=days_ago)
    log_interaction(user, party, type=kind, occurred_at=when, summary="Talked")
    db.session.commit()


def row_of(page: str, name: str) -> str:
    """The table row (tr) that names this person."""
    main = page.split('<main id="main"', 1)[-1]
    rows = [r for r in re.split(r"<tr\b", main)[1:] if name in r]
    assert len(rows) == 1, f"{len(rows)} rows name {name!r}"
    return rows[0].split("</tr>")[0]


def numbers(row: str) -> list[int]:
    return [int(n) for n in re.findall(r">\s*(\d+)\s*<", row)]


@pytest.fixture
def team_world(admin, manager):
    """Olena: 3 parties (one contacted), tasks overdue and later; Dmitry: one party, idle."""
    dmitry = make_user("dmitry@example.com", name="Дмитрий Орлов")
    parties = [make_party(manager, f"Olena client {i}") for i in range(3)]
    add_contact(manager, parties[0], "call", days_ago=2)
    add_contact(manager, parties[1], "note", days_ago=2)  # a note is not a contact
    add_contact(manager, parties[2], "visit", days_ago=90)  # outside 30 days and 61-day cadence
    add_task(manager, LONG_AGO)
    add_task(manager, LATER)
    make_party(dmitry, "Dmitry client")
    return dmitry


# --- /team ---------------------------------------------------------------------------------


def test_team_page_shows_each_managers_workload_with_links_to_the_lists(
    client, manager, team_world
):
    client.login(manager.email)
    response = client.get("/team")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    olena = row_of(page, manager.name)
    # parties, open tasks, overdue tasks, contacts in 30 days, parties needing contact
    assert numbers(olena) == [3, 2, 1, 1, 2]
    assert f'href="/clients?owner={manager.id}"' in olena
    assert f'href="/clients?owner={manager.id}&amp;needs_contact=1"' in olena
    assert f"/tasks?assignee={manager.id}&amp;status=open" in olena
    assert f"/tasks?assignee={manager.id}&amp;due=overdue" in olena
    assert numbers(row_of(page, team_world.name)) == [1, 0, 0, 0, 1]
    assert "Team median" in page
    assert 'aria-current="page">Team</a>' in page


def test_an_overloaded_manager_is_named_in_words_and_the_rule_is_explained(
    client, admin, manager, team_world
):
    for n in range(6):
        add_task(manager, LONG_AGO, f"Late {n}")
    client.login(admin.email)
    page = client.get("/team").get_data(as_text=True)
    assert "Overloaded" in row_of(page, manager.name)
    assert "far above the median" in row_of(page, manager.name)
    assert "Overloaded" not in row_of(page, team_world.name)
    assert "Overloaded" not in row_of(page, admin.name)
    assert "at least 2 times the team median and at least 5 above it" in page


@pytest.mark.parametrize(
    ("values", "flagged"),
    [
        ([0, 0, 4], []),  # 4 is not 5 above a median of 0
        ([0, 0, 5], [5]),
        ([10, 12, 23], []),  # not twice the median
        ([10, 12, 24], [24]),
        ([3, 3, 3], []),
        ([], []),
    ],
)
def test_overload_rule_is_twice_the_median_and_five_above(values, flagged):
    rows = [type("Row", (), {"overdue_tasks": v, "needing_contact": 0})() for v in values]
    median = team_medians(rows)["overdue_tasks"]
    assert [v for v in values if far_above(v, median)] == flagged


def test_a_manager_who_sees_only_own_clients_sees_only_own_row(client, manager, team_world):
    set_visibility("own")
    client.login(manager.email)
    page = client.get("/team").get_data(as_text=True)
    assert row_of(page, manager.name)
    assert team_world.name not in page
    assert "Team median" not in page


def test_everyone_logged_in_sees_the_team_and_anonymous_users_are_sent_to_log_in(
    client, viewer, manager, team_world
):
    assert client.get("/team").status_code == 302
    assert client.get("/team/cadence").status_code == 302
    set_visibility("own")  # limits managers, not viewers
    client.login(viewer.email)
    page = client.get("/team").get_data(as_text=True)
    assert manager.name in page and team_world.name in page
    assert "/admin/leads" not in page  # the lead pool is for admins


def test_team_page_statements_stay_within_budget_and_do_not_grow(client, admin, manager):
    make_party(manager, "First")
    add_task(manager, LONG_AGO)
    client.login(admin.email)
    _, small = counted_get(client, "/team")
    assert within_budget(small), explain(small)

    for i in range(6):
        member = make_user(f"m{i}@example.com", name=f"Member {i}")
        for j in range(3):
            party = make_party(member, f"P{i}-{j}")
            add_contact(member, party)
        add_task(member, LONG_AGO)
        add_task(member, LATER)
    page, large = counted_get(client, "/team")
    assert "Member 5" in page
    assert len(large) == len(small), f"small: {explain(small)}\n\nlarge: {explain(large)}"


# --- /team/cadence -------------------------------------------------------------------------


def test_cadence_report_shows_kept_and_missed_per_manager_and_stage(client, admin, manager):
    dmitry = make_user("dmitry@example.com", name="Дмитрий Орлов")
    kept = [make_party(manager, f"Kept {i}") for i in range(2)]
    for party in kept:
        add_contact(manager, party)
    make_party(manager, "Missed")
    make_party(dmitry, "Dmitry missed")
    make_party(admin, "A lead", owner_id=None)
    client.login(admin.email)
    response = client.get("/team/cadence")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    olena = row_of(page, manager.name)
    assert numbers(olena)[:2] == [2, 1] and "67%" in olena
    assert f'href="/clients?owner={manager.id}&amp;needs_contact=1"' in olena
    assert numbers(row_of(page, dmitry.name))[:2] == [0, 1]
    assert "Unassigned (lead pool)" in page
    assert "Whole team" in page
    assert "Suspect" in page  # the stage of each line


def test_cadence_report_respects_own_visibility(client, manager):
    dmitry = make_user("dmitry@example.com", name="Дмитрий Орлов")
    make_party(manager, "Mine")
    make_party(dmitry, "His")
    set_visibility("own")
    client.login(manager.email)
    page = client.get("/team/cadence").get_data(as_text=True)
    assert row_of(page, manager.name) and dmitry.name not in page
    assert "Whole team" not in page


def test_cadence_page_within_budget(client, admin, manager):
    for i in range(5):
        make_party(manager, f"P{i}")
    client.login(admin.email)
    _, statements = counted_get(client, "/team/cadence")
    assert within_budget(statements), explain(statements)


# --- /clients?needs_contact=1 --------------------------------------------------------------


@pytest.fixture
def due_and_fine(manager):
    """Two of Olena's parties need contact, one was called yesterday; Dmitry's needs one too."""
    dmitry = make_user("dmitry@example.com", name="Дмитрий Орлов")
    due = [make_party(manager, f"Due {i}") for i in range(2)]
    fine = make_party(manager, "Fine Ltd")
    add_contact(manager, fine)
    make_party(dmitry, "Due of Dmitry")
    supplier = make_party(manager, "Supplier Co", roles=["supplier"])  # not on the ladder
    return dmitry, due, fine, supplier


def test_needs_contact_filter_on_the_full_page_and_the_htmx_list(client, manager, due_and_fine):
    client.login(manager.email)
    page = client.get("/clients?needs_contact=1").get_data(as_text=True)
    assert re.search(r'id="needs_contact"[^>]*checked', page)
    assert '<label class="check" for="needs_contact">' in page
    assert "Due 0" in page and "Due of Dmitry" in page
    assert "Fine Ltd" not in page and "Supplier Co" not in page

    response = client.get("/clients?needs_contact=1", headers=HTMX)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in fragment
    assert "3 parties" in fragment and "Fine Ltd" not in fragment
    assert "HX-Request" in response.headers.get("Vary", "")

    unfiltered = client.get("/clients", headers=HTMX).get_data(as_text=True)
    assert "Fine Ltd" in unfiltered and "Supplier Co" in unfiltered
    assert not re.search(r'id="needs_contact"[^>]*checked', client.get("/clients").text)


def test_needs_contact_combines_with_owner_and_search(client, manager, due_and_fine):
    dmitry, *_ = due_and_fine
    client.login(manager.email)
    mine = client.get(f"/clients?needs_contact=1&owner={manager.id}", headers=HTMX).text
    assert "Due 0" in mine and "Due 1" in mine and "Due of Dmitry" not in mine
    searched = client.get("/clients?needs_contact=1&q=dmitry", headers=HTMX).text
    assert "Due of Dmitry" in searched and "Due 0" not in searched
    assert "Fine Ltd" not in client.get("/clients?needs_contact=1&q=fine", headers=HTMX).text


def test_needs_contact_survives_paging_and_export(client, app, admin, manager):
    for i in range(app.config["PAGE_SIZE"] + 2):
        make_party(manager, f"Due {i:03}")
    client.login(admin.email)
    first = client.get("/clients?needs_contact=1", headers=HTMX).text
    next_link = re.search(r'href="(/clients\?[^"]*after=[^"]*)"', first)
    assert next_link and "needs_contact=1" in next_link.group(1)
    assert "clients/export.csv?needs_contact=1" in first
    fine = make_party(manager, "Fine Ltd")
    add_contact(manager, fine)
    csv = client.get("/clients/export.csv?needs_contact=1").text
    assert "Due 000" in csv and "Fine Ltd" not in csv


def test_needs_contact_list_within_budget(client, manager, due_and_fine):
    client.login(manager.email)
    for url, headers in (("/clients?needs_contact=1", {}), ("/clients?needs_contact=1", HTMX)):
        _, statements = counted_get(client, url, headers)
        assert within_budget(statements), explain(statements)
