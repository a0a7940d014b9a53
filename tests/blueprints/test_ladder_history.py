"""The ladder's own changes are recorded: who renamed, moved, added or removed which stage."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry
from crm.services import ladder, ladder_stats
from crm.services.stage_models import STAGE_NAMES
from tests.blueprints.test_admin_ladder import put_on, reason, stage, stage_data, text


@pytest.fixture
def as_admin(client, admin):
    client.login(admin.email)
    return client


def recent_changes(client) -> str:  # noqa: ANN001
    page = text(client.get("/admin/ladder"))
    return page.split("Recent changes", 1)[1]


def test_a_fresh_ladder_has_no_history(as_admin):
    assert "The ladder has not been changed yet." in recent_changes(as_admin)


def test_every_change_of_a_stage_is_listed_newest_first_with_who_made_it(as_admin, admin):
    prospect = stage("prospect")
    interval = prospect.contact_interval_days
    data = stage_data(prospect, name="Lead", color="#12abcd", interval=interval + 1)
    as_admin.send(f"/admin/ladder/stages/{prospect.id}", data)
    as_admin.send(f"/admin/ladder/stages/{prospect.id}/move/up")
    new = {"new-name": "VIP", "new-color": "#aa0000", "new-interval": "7"}
    as_admin.send("/admin/ladder/stages", new)
    history = recent_changes(as_admin)

    lines = [
        "Stage added: “VIP”",
        "Stage “Lead” moved up past “First-time buyer”",
        f"Stage “Lead”: name “Prospect” → “Lead”; colour; contact every {interval} → "
        f"{interval + 1} days",
    ]
    positions = [history.index(line) for line in lines]
    assert positions == sorted(positions)
    assert history.count(admin.name) == 3


def test_an_unchanged_save_records_nothing(as_admin):
    prospect = stage("prospect")
    as_admin.send(f"/admin/ladder/stages/{prospect.id}", stage_data(prospect))
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "stage")) is None


def test_removing_a_stage_and_switching_the_model_say_how_many_clients_moved(as_admin, manager):
    put_on(manager, "prospect", "A")
    prospect, target = stage("prospect"), stage("client")
    as_admin.send(f"/admin/ladder/stages/{prospect.id}/remove", {"target": target.id})
    mapping = ladder_stats.default_mapping(ladder.stages(), "dwyer")
    as_admin.send("/admin/ladder/models/dwyer", {f"stage_{k}": v for k, v in mapping.items()})
    history = recent_changes(as_admin)

    assert "Stage “Prospect” removed; its clients went to “Client” (1 client moved)" in history
    assert "Model switched: Your own ladder → " in history and "1 client moved" in history


def test_reason_changes_are_listed_too(as_admin):
    price = reason("price")
    as_admin.send(f"/admin/ladder/reasons/{price.id}", {f"reason{price.id}-name": "Too dear"})
    as_admin.send("/admin/ladder/reasons", {"new-name": "Merged with another firm"})
    history = recent_changes(as_admin)

    assert "Loss reason added: “Merged with another firm”" in history
    assert "Loss reason “Too dear”: name “Price” → “Too dear”; retired" in history


def test_built_in_names_in_the_history_follow_the_readers_language(app, as_admin):
    prospect = stage("prospect")
    as_admin.send(f"/admin/ladder/stages/{prospect.id}/move/up")
    as_admin.send("/language", {"locale": "uk"})
    with app.test_request_context(), force_locale("uk"):
        prospect_uk, buyer_uk = STAGE_NAMES["prospect"], STAGE_NAMES["first_time_buyer"]
        expected = f"Стадію «{prospect_uk}» піднято вище за «{buyer_uk}»"

    history = text(as_admin.get("/admin/ladder")).split("Останні зміни", 1)[1]

    assert expected in history


def test_a_change_made_in_place_updates_the_history_too(as_admin):
    prospect = stage("prospect")

    response = as_admin.send(f"/admin/ladder/stages/{prospect.id}/move/up", htmx=True)

    page = response.get_data(as_text=True)
    assert '<section id="ladder-history" class="card"' in page and 'hx-swap-oob="true"' in page
    assert "Stage “Prospect” moved up past “First-time buyer”" in text(response)
