"""The party card shows the relationship: stage, time in it, its history and the factors."""

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import LossReason, RelationshipFactors, Stage
from crm.services import ladder
from tests.factories import make_party

SCORES = {
    "satisfaction": "4",
    "trust_staff": "5",
    "trust_company": "3",
    "engagement_emotional": "2",
    "engagement_rational": "4",
}


def stage(key):
    return db.session.scalar(select(Stage).where(Stage.key == key))


def test_card_shows_stage_time_in_stage_and_the_moves_with_their_reason(client, manager):
    party = make_party(manager, "Ромашка")
    ladder.move_party(manager, party, stage("client"), party.stage_id, comment="Second order")
    price = db.session.scalar(select(LossReason).where(LossReason.key == "price"))
    ladder.move_party(manager, party, stage("prospect"), party.stage_id, reason=price)
    db.session.commit()
    client.login(manager.email)
    html = client.get(f"/clients/{party.id}").get_data(as_text=True)
    assert "Prospect" in html and "0 days in this stage" in html
    history = html.split('id="stage-history"')[1]
    assert history.index("Prospect") < history.index("Second order")  # newest first
    assert "Reason: Price" in history and "Entered the ladder" in history
    assert f"/pipeline/move/{party.id}?from=card" in html


def test_recording_factors_saves_them_and_shows_the_trend(client, manager):
    party = make_party(manager)
    client.login(manager.email)
    assert client.send(f"/clients/{party.id}/factors", SCORES).status_code == 302
    falling = SCORES | {"trust_staff": "2"}
    client.send(f"/clients/{party.id}/factors", falling)
    html = client.get(f"/clients/{party.id}").get_data(as_text=True)
    assert (
        "fell" in html
        and db.session.scalar(select(func.count()).select_from(RelationshipFactors)) == 2
    )


def test_a_score_out_of_range_is_refused_and_nothing_saved(client, manager):
    party = make_party(manager)
    client.login(manager.email)
    response = client.send(f"/clients/{party.id}/factors", SCORES | {"satisfaction": "7"})
    assert response.status_code == 422
    assert 'id="satisfaction-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RelationshipFactors)) == 0


def test_viewers_cannot_record_factors(client, manager, viewer):
    party = make_party(manager)
    client.login(viewer.email)
    assert client.send(f"/clients/{party.id}/factors", SCORES).status_code == 403


def test_stage_colours_are_served_as_css_and_only_valid_colours(client, admin):
    bad = stage("suspect")
    bad.color = "red;}a{"  # fits the column, is no colour
    db.session.commit()
    css = client.get("/stage-colours.css").get_data(as_text=True)
    assert f".stage-{stage('client').id}{{--stage:#1f9d74}}" in css
    assert "red;}a{" not in css
