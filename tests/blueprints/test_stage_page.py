"""A stage's page lists clients whose factors fell and those at risk, within what one may see."""

from datetime import timedelta

from sqlalchemy import select

from crm.extensions import db
from crm.models import Stage
from crm.models.base import utcnow
from crm.services import factors
from crm.services.settings import set_setting
from tests.factories import make_party, make_user

HIGH = dict.fromkeys(factors.FIELDS, 4)


def suspect():
    return db.session.scalar(select(Stage).where(Stage.key == "suspect"))


def test_stage_page_lists_falling_factors_and_at_risk_clients(client, manager):
    falling, silent = make_party(manager, "Falling Ltd"), make_party(manager, "Silent Ltd")
    factors.record_factors(manager, falling, HIGH)
    factors.record_factors(manager, falling, HIGH | {"satisfaction": 1})
    silent.last_contact_at = utcnow() - timedelta(days=400)
    db.session.commit()
    client.login(manager.email)
    html = client.get(f"/pipeline/stages/{suspect().id}").get_data(as_text=True)
    fell, risk = html.split('id="risk-h"')
    assert "Falling Ltd" in fell and "17</strong> / 25" in fell
    assert "Silent Ltd" in risk and "Falling Ltd" not in risk


def test_under_own_visibility_other_managers_clients_stay_hidden(client, manager):
    other = make_user("dmitry@example.com")
    theirs = make_party(other, "Theirs")
    factors.record_factors(other, theirs, HIGH)
    factors.record_factors(other, theirs, HIGH | {"satisfaction": 1})
    set_setting("manager_visibility", "own")
    db.session.commit()
    client.login(manager.email)
    assert "Theirs" not in client.get(f"/pipeline/stages/{suspect().id}").get_data(as_text=True)


def test_unknown_or_archived_stage_is_404(client, manager):
    client.login(manager.email)
    assert client.get("/pipeline/stages/99999").status_code == 404
