"""The basic round trip a user makes: log in, open the list, create a party, open its card."""

from sqlalchemy import select

from crm.extensions import db
from crm.models import Party


def test_healthz_answers_with_a_database_round_trip(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_manager_creates_a_party_and_sees_its_card(client, manager):
    assert client.login(manager.email).status_code == 302
    assert client.get("/clients").status_code == 200
    response = client.send(
        "/clients/new",
        {"name": "Петро Ромашко", "kind": "person", "roles": ["client"], "owner_id": manager.id},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    party = db.session.scalar(select(Party))
    assert party.name == "Петро Ромашко"
    card = client.get(f"/clients/{party.id}").get_data(as_text=True)
    assert "Петро Ромашко" in card
