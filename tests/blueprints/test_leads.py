"""/admin/leads: the lead pool shared out among managers, through the routes."""

import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry, Party
from crm.services.tasks import TaskData, create_task
from tests.blueprints.test_statement_budget import counted_get, explain, within_budget
from tests.factories import make_party, make_user

URL = "/admin/leads"


@pytest.fixture
def pool(admin):
    """Seven unassigned leads, oldest first."""
    return [make_party(admin, f"Lead {i}", owner_id=None) for i in range(7)]


@pytest.fixture
def dmitry():
    return make_user("dmitry@example.com", name="Дмитрий Орлов")


def owners_of(parties) -> list[int | None]:  # noqa: ANN001
    ids = [p.id for p in parties]
    found = dict(
        db.session.execute(select(Party.id, Party.owner_id).where(Party.id.in_(ids))).all()
    )
    return [found[i] for i in ids]


def form(managers, strategy="round_robin", leads=None, scope="ticked") -> dict:  # noqa: ANN001
    data = {"scope": scope, "strategy": strategy, "managers": [m.id for m in managers]}
    if leads is not None:
        data["leads"] = [p.id for p in leads]
    return data


# --- reading the page ----------------------------------------------------------------------


def test_admin_sees_the_pool_with_a_labelled_checkbox_per_lead(client, admin, manager, pool):
    make_party(manager, "Already Mine")
    client.login(admin.email)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "7 leads waiting" in page
    assert "Lead 0" in page and "Lead 6" in page and "Already Mine" not in page
    assert page.count('name="leads"') == 7
    assert re.search(
        rf'<label class="check"><input type="checkbox" name="leads" value="{pool[0].id}"', page
    )
    assert 'name="managers"' in page and manager.name in page
    assert "1 party · 0 open tasks" in page  # the load shown beside each manager
    assert 'aria-current="page">Administration</a>' in page

    fragment = client.get(URL, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "Lead 6" in fragment


def test_an_empty_pool_says_so(client, admin):
    client.login(admin.email)
    page = client.get(URL).get_data(as_text=True)
    assert "The lead pool is empty" in page and 'name="leads"' not in page


def test_only_admins_reach_the_lead_pool(app, client, manager, viewer, pool):
    assert client.get(URL).status_code == 302  # to the login page
    client.login(manager.email)
    assert client.get(URL).status_code == 403
    assert client.send(URL, form([manager], leads=pool)).status_code == 403
    assert "/admin/leads" not in client.get("/team").get_data(as_text=True)
    reader = app.test_client()
    reader.login(viewer.email)
    assert reader.get(URL).status_code == 403
    assert reader.send(URL, form([manager], leads=pool)).status_code == 403
    assert owners_of(pool) == [None] * 7


def test_page_within_statement_budget(client, admin, manager, dmitry, pool):
    client.login(admin.email)
    _, statements = counted_get(client, URL)
    assert within_budget(statements), explain(statements)


# --- distributing --------------------------------------------------------------------------


def test_round_robin_deals_ticked_leads_in_turn_and_shows_who_got_how_many(
    client, admin, manager, dmitry, pool
):
    client.login(admin.email)
    ticked = pool[:5]
    response = client.send(URL, form([manager, dmitry], leads=ticked))
    assert response.status_code == 303 and response.headers["Location"].endswith(URL)
    # Users are listed by name, so Дмитрий comes before Олена.
    assert owners_of(ticked) == [dmitry.id, manager.id, dmitry.id, manager.id, dmitry.id]
    assert owners_of(pool[5:]) == [None, None]

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "5 leads distributed" in page
    shares = page.split("lead-shares", 1)[1].split("</table>", 1)[0]
    assert re.search(rf"{dmitry.name}</td><td class=\"num\">3<", shares)
    assert re.search(rf"{manager.name}</td><td class=\"num\">2<", shares)
    assert "2 leads waiting" in page
    # The result is shown once.
    assert "leads distributed" not in client.get(URL).get_data(as_text=True)


def test_htmx_distribution_returns_the_fragment_with_result_and_refreshed_pool(
    client, admin, manager, pool
):
    client.login(admin.email)
    response = client.send(URL, form([manager], leads=pool[:2]), htmx=True)
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and "2 leads distributed" in fragment
    assert "5 leads waiting" in fragment and "Lead 0" not in fragment
    assert "2 parties · 0 open tasks" in fragment  # the load is fresh
    assert re.search(rf'name="managers" value="{manager.id}" checked', fragment)


@pytest.mark.parametrize("count", [7, 9])
def test_round_robin_through_the_route_is_fair(client, admin, manager, dmitry, count):
    third = make_user("ivan@example.com", name="Ivan Petrenko")
    leads = [make_party(admin, f"Lead {i}", owner_id=None) for i in range(count)]
    client.login(admin.email)
    response = client.send(URL, form([manager, dmitry, third], scope="all"))
    assert response.status_code == 303
    shares = Counter(owners_of(leads))
    assert sum(shares.values()) == count and None not in shares
    assert max(shares.values()) - min(shares.values()) <= 1


def test_least_loaded_first_evens_out_parties_and_open_tasks(client, admin, manager, dmitry, pool):
    for i in range(3):
        make_party(manager, f"Olena's {i}")
    create_task(dmitry, TaskData("Busy", dmitry, date(2099, 1, 1)))
    db.session.commit()
    client.login(admin.email)
    response = client.send(URL, form([manager, dmitry], "least_loaded", scope="all"))
    assert response.status_code == 303
    shares = Counter(owners_of(pool))
    # Before: Olena 3 parties, Dmitry 1 task; after: Olena 5, Dmitry 6 (ties go first by name).
    assert shares[dmitry.id] == 5 and shares[manager.id] == 2


def test_each_assignment_is_in_the_partys_history(client, admin, manager, pool):
    client.login(admin.email)
    client.send(URL, form([manager], leads=[pool[0]]))
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.party_id == pool[0].id, AuditEntry.action == "assign")
    )
    assert entry.user_id == admin.id and entry.changes == {"owner_id": [None, manager.id]}
    card = client.get(f"/clients/{pool[0].id}").get_data(as_text=True)
    assert "Assigned from the lead pool" in card
    history = card.split("Assigned from the lead pool", 1)[1][:600]
    assert "Owner" in history and manager.name in history


# --- bad input: 422, nothing assigned --------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"managers": []}, "Choose at least one manager."),
        ({"strategy": "alphabetical"}, "Choose round-robin or least loaded first."),
        ({"strategy": ""}, "Choose round-robin or least loaded first."),
        ({"leads": []}, "Tick at least one lead, or choose all leads in the pool."),
        ({"managers": ["99999"]}, "is not a valid choice"),
        ({"leads": ["x"]}, "could not be coerced"),
        ({"scope": "some"}, "Not a valid choice"),
    ],
)
def test_bad_input_is_refused_with_the_message_and_nothing_is_assigned(
    client, admin, manager, pool, change, message
):
    client.login(admin.email)
    data = {**form([manager], leads=pool[:3]), **change}
    before = db.session.scalar(select(db.func.count()).select_from(AuditEntry))
    for htmx in (False, True):
        response = client.send(URL, data, htmx=htmx)
        assert response.status_code == 422
        body = response.get_data(as_text=True)
        assert message in body and 'role="alert"' in body
        assert ("<html" in body) is not htmx
    assert owners_of(pool) == [None] * 7
    assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == before


def test_leads_taken_meanwhile_are_skipped_and_reported(client, admin, manager, dmitry, pool):
    client.login(admin.email)
    client.send(URL, form([dmitry], leads=pool[:2]))
    response = client.send(URL, form([manager], leads=pool[:3]), htmx=True)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "1 lead distributed" in fragment
    assert "2 ticked leads were no longer in the pool" in fragment
    assert owners_of(pool[:3]) == [dmitry.id, dmitry.id, manager.id]

    response = client.send(URL, form([manager], leads=pool[:2]))
    assert response.status_code == 422
    assert "None of the ticked leads is in the pool any more." in response.get_data(as_text=True)


def test_deactivated_manager_cannot_be_chosen(client, admin, manager, dmitry, pool):
    dmitry.active = False
    db.session.commit()
    client.login(admin.email)
    page = client.get(URL).get_data(as_text=True)
    assert dmitry.name not in page
    response = client.send(URL, form([dmitry], leads=pool[:1]))
    assert response.status_code == 422 and owners_of(pool[:1]) == [None]
