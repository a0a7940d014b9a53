"""Every page renders as a full page, and the htmx fragments alone."""

import pytest

from tests.factories import make_contact, make_party


@pytest.fixture
def party(manager):
    party = make_party(manager, "ТОВ «Ромашка»", tags=["опт", "VIP"], phones="+380 50 123 45 67")
    make_contact(party, "Петро Іваненко", emails="petro@example.com")
    return party


@pytest.mark.parametrize(
    "url",
    [
        "/clients",
        "/clients?q=ромашка",
        "/clients/new",
        "/clients/{id}",
        "/clients/{id}/edit",
        "/account",
        "/admin/users",
        "/admin/users/new",
        "/admin/settings",
        "/admin/handover",
        "/admin/trash",
    ],
)
def test_admin_opens_every_page(client, admin, party, url):
    client.login(admin.email)
    response = client.get(url.format(id=party.id))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html and "Log out" in html


def test_list_fragment_is_only_the_results(client, manager, party):
    client.login(manager.email)
    response = client.get("/clients?q=петро", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert "ТОВ «Ромашка»" in html
    assert "HX-Request" in response.headers["Vary"]


def test_boosted_and_history_restore_requests_get_the_full_page(client, manager, party):
    client.login(manager.email)
    for header in ("HX-Boosted", "HX-History-Restore-Request"):
        response = client.get("/clients", headers={"HX-Request": "true", header: "true"})
        assert "<html" in response.get_data(as_text=True)


def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/clients")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
