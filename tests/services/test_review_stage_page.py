"""Review: the stage page's "at risk" list orders NULL last contacts differently per database."""

from datetime import timedelta

from sqlalchemy import update

from crm.extensions import db
from crm.models import Party
from crm.models.base import utcnow
from crm.services import interactions
from crm.services.ladder import first_stage
from tests.factories import make_party


def test_never_contacted_parties_lead_the_at_risk_list_on_every_database(
    client, manager, monkeypatch
):
    monkeypatch.setattr("crm.blueprints.pipeline.stage_page.AT_RISK_LIMIT", 1)
    stage = first_stage()
    long_ago = utcnow() - timedelta(days=10 * stage.contact_interval_days)
    silent = make_party(manager, "Never contacted")  # no contact at all: the longest silence
    called = make_party(manager, "Called once")
    db.session.execute(update(Party).values(stage_since=long_ago))
    interactions.note_contact(called, long_ago + timedelta(days=1))
    db.session.commit()
    client.login(manager.email)
    page = client.get(f"/pipeline/stages/{stage.id}").get_data(as_text=True)
    # With room for one, the never-contacted party must be it (SQLite: yes; PostgreSQL: no,
    # ORDER BY last_contact_at puts NULLs last there).
    assert silent.name in page
    assert called.name not in page
