"""/reports/ladder: the page, its fragment, bad dates, CSV, visibility and access."""

import csv
import io
import re
from datetime import datetime

import pytest
from sqlalchemy import delete, event, select

from crm.extensions import db
from crm.models import LossReason, Party, Stage, StageMove, User
from crm.services.settings import set_setting
from tests.factories import make_party, make_user

PERIOD = "from=2025-01-01&to=2025-03-31"


def stage(key: str) -> Stage:
    return db.session.scalar(select(Stage).where(Stage.key == key))


def with_history(owner: User, name: str, *steps: tuple) -> Party:
    """A party whose only moves are `steps`: (ISO time, stage key[, reason key])."""
    party = make_party(owner, name)
    db.session.execute(delete(StageMove).where(StageMove.party_id == party.id))
    previous = None
    for when, key, *why in steps:
        reason = (
            db.session.scalar(select(LossReason).where(LossReason.key == why[0])) if why else None
        )
        db.session.add(
            StageMove(
                party_id=party.id,
                from_stage_id=previous,
                to_stage_id=stage(key).id,
                at=datetime.fromisoformat(when),
                reason_id=reason.id if reason else None,
            )
        )
        previous = stage(key).id
    party.stage_id = previous
    db.session.commit()
    return party


@pytest.fixture
def moves(manager):
    """Olena's two clients and Dmitry's one, moving during the first quarter of 2025."""
    dmitry = make_user("dmitry@example.com", name="Dmitry")
    with_history(
        manager,
        "Up twice",
        ("2024-10-01", "suspect"),
        ("2025-01-10", "prospect"),
        ("2025-02-10", "client"),
    )
    with_history(manager, "Ended", ("2024-06-01", "suspect"), ("2025-03-01", "ended", "competitor"))
    with_history(dmitry, "Dmitry's", ("2025-02-01", "suspect"), ("2025-03-05", "prospect"))
    return dmitry


def csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_report_page_shows_charts_and_tables(client, admin, moves):
    client.login(admin.email)
    response = client.get(f"/reports/ladder?{PERIOD}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in html and "Ladder report" in html
    assert html.count('<svg class="chart"') == 3  # start/end, reasons, time in stage
    assert 'role="img"' in html and "<desc id=" in html
    assert '<a href="/reports/ladder" aria-current="page">' in html
    assert "/reports/ladder.csv?table=matrix&amp;from=2025-01-01&amp;to=2025-03-31" in html
    assert "Went to a competitor" in html
    assert 'style="' not in html.split("<main", 1)[1]  # the CSP allows no inline styles


def test_the_default_period_is_the_last_90_days(client, admin):
    client.login(admin.email)
    response = client.get("/reports/ladder")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    first = re.search(r'name="from"[^>]*value="([\d-]+)"', html).group(1)
    last = re.search(r'name="to"[^>]*value="([\d-]+)"', html).group(1)
    days = (datetime.fromisoformat(last) - datetime.fromisoformat(first)).days
    assert days == 89  # 90 days, today included


def test_the_htmx_fragment_is_the_form_and_the_report(client, admin, moves):
    client.login(admin.email)
    response = client.get(f"/reports/ladder?{PERIOD}", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and 'name="from"' in html and "<svg" in html
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2025-02-30&to=2025-03-31", "from", "Enter a date as YYYY-MM-DD."),
        ("from=yesterday&to=2025-03-31", "from", "Enter a date as YYYY-MM-DD."),
        ("from=2025-03-01&to=2025-01-01", "to", "must not be before the start"),
        ("from=0999-01-01&to=2025-01-01", "from", "between 1900 and 2999"),
        ("from=2025-01-01&to=9999-12-31", "to", "between 1900 and 2999"),
    ],
)
def test_bad_dates_are_refused_with_the_error_next_to_the_field(
    client, manager, query, field, message
):
    client.login(manager.email)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(f"/reports/ladder?{query}", headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert f'id="{field}-error"' in html and message in html
        assert re.search(rf'aria-invalid="true"[^>]*name="{field}"', html)
        assert "<svg" not in html


def test_csv_of_clients_per_stage(client, admin, moves):
    client.login(admin.email)
    response = client.get(f"/reports/ladder.csv?table=start_end&{PERIOD}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "ladder-start_end-2025-01-01-2025-03-31.csv" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["Stage", "At the start", "At the end", "Change"]
    by_stage = {row[0]: row[1:] for row in rows[1:]}
    assert by_stage["Suspect"] == ["2", "0", "-2"]
    assert by_stage["Prospect"] == ["0", "1", "1"]
    assert by_stage["Client"] == ["0", "1", "1"]
    assert by_stage["Relationship ended"] == ["0", "1", "1"]
    assert by_stage["Total"] == ["2", "3", "1"]


def test_csv_of_the_matrix_reasons_and_time_in_stage(client, admin, moves):
    client.login(admin.email)
    matrix = csv_rows(client.get(f"/reports/ladder.csv?table=matrix&{PERIOD}"))
    header = matrix[0]
    assert header[0] == "From \\ to" and header[-1] == "Total"
    rows = {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in matrix[1:]}
    assert rows["Entered the ladder"]["Suspect"] == "1"
    assert rows["Suspect"]["Prospect"] == "2" and rows["Suspect"]["Relationship ended"] == "1"
    assert rows["Prospect"]["Client"] == "1" and rows["Total"]["Total"] == "5"
    reasons = csv_rows(client.get(f"/reports/ladder.csv?table=reasons&{PERIOD}"))
    assert reasons == [
        ["Reason", "Moved down", "Ended", "Total"],
        ["Went to a competitor", "0", "1", "1"],
        ["Total", "0", "1", "1"],
    ]
    times = csv_rows(client.get(f"/reports/ladder.csv?table=time_in_stage&{PERIOD}"))
    assert times[0] == ["Stage", "Stays that ended", "Median, days"]
    by_stage = {row[0]: row[1:] for row in times[1:]}
    # suspect: 1 Oct → 10 Jan (101 days) and 1 Jun → 1 Mar (273 days); Dmitry's 32 days
    assert by_stage["Suspect"] == ["3", "101.0"]
    assert by_stage["Prospect"] == ["1", "31.0"]
    assert by_stage["Client"] == ["0", ""]


def test_csv_cells_cannot_become_formulas(client, admin, moves):
    db.session.execute(
        Stage.__table__.update().where(Stage.key == "suspect").values(custom_name="=HYPERLINK(1)")
    )
    db.session.commit()
    client.login(admin.email)
    rows = csv_rows(client.get(f"/reports/ladder.csv?table=start_end&{PERIOD}"))
    assert ["'=HYPERLINK(1)", "2", "0", "-2"] in rows


def test_csv_refuses_unknown_tables_and_bad_dates(client, admin):
    client.login(admin.email)
    assert client.get(f"/reports/ladder.csv?table=parties&{PERIOD}").status_code == 404
    response = client.get("/reports/ladder.csv?table=matrix&from=2025-03-01&to=2025-01-01")
    assert response.status_code == 422
    assert "must not be before the start" in response.get_data(as_text=True)


def test_stage_names_are_escaped_in_charts_and_tables(client, admin, moves):
    db.session.execute(
        Stage.__table__.update()
        .where(Stage.key == "prospect")
        .values(custom_name='<script>alert("x")</script>')
    )
    db.session.commit()
    client.login(admin.email)
    html = client.get(f"/reports/ladder?{PERIOD}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_a_manager_who_sees_only_his_own_gets_a_report_of_his_own(app, client, manager, moves):
    set_setting("manager_visibility", "own")
    db.session.commit()
    client.login(moves.email)  # Dmitry
    rows = csv_rows(client.get(f"/reports/ladder.csv?table=start_end&{PERIOD}"))
    assert {row[0]: row[1:] for row in rows[1:]}["Total"] == ["0", "1", "1"]
    html = client.get(f"/reports/ladder?{PERIOD}").get_data(as_text=True)
    assert "Only your clients are counted." in html
    olena = app.test_client()
    olena.login(manager.email)
    rows = csv_rows(olena.get(f"/reports/ladder.csv?table=start_end&{PERIOD}"))
    assert {row[0]: row[1:] for row in rows[1:]}["Total"] == ["2", "2", "0"]


def test_viewers_see_the_whole_report(client, viewer, moves):
    client.login(viewer.email)
    rows = csv_rows(client.get(f"/reports/ladder.csv?table=start_end&{PERIOD}"))
    assert {row[0]: row[1:] for row in rows[1:]}["Total"] == ["2", "3", "1"]


@pytest.mark.parametrize("url", ["/reports/ladder", "/reports/ladder.csv?table=matrix"])
def test_anonymous_users_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_page_runs_the_same_few_queries_however_many_clients(client, admin, manager):
    def statements() -> int:
        seen: list[str] = []

        def listener(conn, cursor, statement, *rest) -> None:  # noqa: ANN001, ANN002
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/reports/ladder?{PERIOD}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len([s for s in seen if not s.lstrip().upper().startswith(("BEGIN", "COMMIT"))])

    client.login(admin.email)
    with_history(manager, "One", ("2025-01-05", "suspect"), ("2025-02-05", "prospect"))
    few = statements()
    for i in range(15):
        with_history(manager, f"More {i}", ("2025-01-05", "suspect"), ("2025-02-05", "client"))
    assert statements() == few <= 15
