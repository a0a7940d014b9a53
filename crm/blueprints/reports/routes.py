"""The ladder report page and its tables as CSV. Routes stay thin: the service counts."""

from datetime import date, datetime, time, timedelta

from flask import Response, abort, request, url_for
from flask_babel import to_utc
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from crm.blueprints.reports import bp
from crm.blueprints.reports.forms import PeriodForm
from crm.blueprints.reports.tables import NEEDS, TABLES, charts
from crm.services.access import sees_only_own
from crm.services.clock import local_today
from crm.services.ladder_report import Period, build_report, default_dates, to_csv
from crm.web import render_page_or_fragment


def _period_form() -> tuple[PeriodForm, Period | None]:
    """The period from the query string (missing dates: the last 90 days), and whether it holds.

    Dates are the user's calendar days: a period runs from the start of its first day to
    the end of its last, in the user's time zone, turned into UTC like the stored moves.
    """
    first, last = default_dates(local_today())
    data = MultiDict({"from": first.isoformat(), "to": last.isoformat()})
    for name in ("from", "to"):
        if value := request.args.get(name, "").strip():
            data[name] = value[:40]
    form = PeriodForm(formdata=data)
    if not form.validate():
        return form, None
    return form, Period(_midnight(form.date_from.data), _midnight(form.date_to.data, 1))


def _midnight(day: date, days_later: int = 0) -> datetime:
    return to_utc(datetime.combine(day + timedelta(days=days_later), time()))


@bp.get("/ladder")
@login_required
def ladder():
    """How clients moved on the ladder in a period: stages, moves, reasons, time in stage."""
    form, period = _period_form()
    if period is None:
        return render_page_or_fragment(
            "reports/ladder.html", "reports/_ladder.html", 422, form=form, report=None
        )
    report = build_report(current_user, period)
    tables = {key: build(report) for key, build in TABLES.items()}
    first, last = form.date_from.data, form.date_to.data
    dates = {"from": first.isoformat(), "to": last.isoformat()}
    return render_page_or_fragment(
        "reports/ladder.html",
        "reports/_ladder.html",
        form=form,
        report=report,
        tables=tables,
        charts=charts(report, tables, first, last),
        csv_urls={key: url_for(".export_ladder", table=key, **dates) for key in TABLES},
        first=first,
        last=last,
        only_own=sees_only_own(current_user),
    )


@bp.get("/ladder.csv")
@login_required
def export_ladder():
    """One of the report's tables as CSV (UTF-8 with a BOM), for the same period."""
    key = request.args.get("table", "")
    if key not in TABLES:
        abort(404)
    form, period = _period_form()
    if period is None:
        errors = [f"{f.label.text}: {' '.join(map(str, f.errors))}" for f in form if f.errors]
        return Response("\n".join(errors) + "\n", 422, mimetype="text/plain")
    table = TABLES[key](build_report(current_user, period, NEEDS[key]))
    name = f"ladder-{key}-{form.date_from.data:%Y-%m-%d}-{form.date_to.data:%Y-%m-%d}.csv"
    return Response(
        to_csv(table.header, table.all_rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
