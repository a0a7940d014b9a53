"""The in-process measurement: the app created on the bench database, a Flask test client
logged in as the manager, and every row (the client base, the pipeline board, the daily work,
offers) requested a few times to warm up and then a number of times under the Probe, which
gives each request's server-side time and SQL statements; the offer PDF is measured last.
"""

import argparse
import html
import os
import re
import sys
import urllib.parse
from pathlib import Path

from database import bench_env
from measuring import Probe, RequestFailedError, Result, StatementStat
from pdf_timing import measure_pdf
from request_cases import board_load_more_urls, offer_cases, work_cases
from settings import (
    BOARD_STATEMENTS,
    BOARD_TARGET_MS,
    CSRF_RE,
    LOAD_MORE_STATEMENTS,
    LOAD_MORE_TARGET_MS,
    MANAGER_EMAIL,
    PASSWORD,
    ROOT,
    TARGET_MS,
    TARGET_STATEMENTS,
    log,
)

NEXT_RE = re.compile(r'<a class="button" href="([^"]*after=[^"]*)"')


def login_test_client(client, email: str) -> None:  # noqa: ANN001
    page = client.get("/login").get_data(as_text=True)
    token = CSRF_RE.search(page)
    if not token:
        raise SystemExit("No CSRF token on /login.")
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    if response.status_code != 302:
        raise SystemExit(f"Login as {email} failed ({response.status_code}).")


def measure_in_process(
    db_path: Path, args: argparse.Namespace, inputs: dict
) -> tuple[list[Result], dict[str, dict[str, StatementStat]]]:
    os.environ.update(bench_env(db_path))
    sys.path.insert(0, str(ROOT))
    from crm import create_app
    from crm.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}"})
    with app.app_context():
        engine = db.engine
    probe = Probe(app, engine)
    client = app.test_client()
    login_test_client(client, MANAGER_EMAIL)
    hx = {"HX-Request": "true"}

    def get(url: str, headers: dict | None = None) -> str:
        response = client.get(url, headers=headers or {})
        if response.status_code != 200:
            raise RequestFailedError(f"GET {url}: HTTP {response.status_code}")
        return response.get_data(as_text=True)

    def fetch(target, headers: dict) -> None:  # noqa: ANN001
        """A URL to GET, or a request of its own (a POST that carries state along)."""
        if callable(target):
            target(headers)
        else:
            get(target, headers)

    # A later page: follow the Next link of the fragment a number of times.
    url = "/clients"
    try:
        for _ in range(args.walk):
            found = NEXT_RE.search(get(url, hx))
            if not found:
                break
            url = html.unescape(found.group(1))
    except RequestFailedError as exc:
        log(f"  Walking the pages failed: {exc}")
    later_url = url
    load_more_urls = board_load_more_urls(get, args.walk // 4)

    owner_id = inputs["owner"][0]
    common_tag, rare_tag = inputs["tag_common"], inputs["tag_rare"]
    q = urllib.parse.quote
    cards = inputs["cards"]
    half = len(cards) // 2
    cases = [
        ("List, first page", "page", TARGET_MS, ["/clients"], {}),
        ("List, first page (fragment)", "fragment", TARGET_MS, ["/clients"], hx),
        (
            f"Search common “{args.common}”",
            "fragment",
            TARGET_MS,
            [f"/clients?q={q(args.common)}"],
            hx,
        ),
        (
            f"Search rare “{inputs['rare_term']}”",
            "fragment",
            TARGET_MS,
            [f"/clients?q={q(inputs['rare_term'])}"],
            hx,
        ),
        (
            "Search rare (full page)",
            "page",
            TARGET_MS,
            [f"/clients?q={q(inputs['rare_term'])}"],
            {},
        ),
        (
            f"Search phone digits “{inputs['phone_term']}”",
            "fragment",
            TARGET_MS,
            [f"/clients?q={inputs['phone_term']}"],
            hx,
        ),
        ("Filter role=competitor", "fragment", None, ["/clients?role=competitor"], hx),
        (
            f"Filter owner={owner_id} ({inputs['owner'][1]:,} parties)",
            "fragment",
            None,
            [f"/clients?owner={owner_id}"],
            hx,
        ),
        (
            f"Filter tag “{common_tag[1]}” ({common_tag[2]:,})",
            "fragment",
            None,
            [f"/clients?tag={common_tag[0]}"],
            hx,
        ),
        (
            f"Filter tag “{rare_tag[1]}” ({rare_tag[2]:,})",
            "fragment",
            None,
            [f"/clients?tag={rare_tag[0]}"],
            hx,
        ),
        ("Sort newest first", "fragment", None, ["/clients?sort=-created"], hx),
        (f"Later page (after cursor, page {args.walk + 1})", "fragment", None, [later_url], hx),
        (
            "Party card /clients/<id>",
            "page",
            TARGET_MS,
            [f"/clients/{i}" for i in cards[:half]],
            {},
        ),
        (
            "Edit form /clients/<id>/edit",
            "page",
            None,
            [f"/clients/{i}/edit" for i in cards[half:]],
            {},
        ),
        ("Pipeline board /pipeline", "page", BOARD_TARGET_MS, ["/pipeline"], {}, BOARD_STATEMENTS),
        (
            f"Pipeline column “Load more” ({len(load_more_urls)} columns and depths)",
            "fragment",
            LOAD_MORE_TARGET_MS,
            load_more_urls or ["/pipeline/columns/0"],
            hx,
            LOAD_MORE_STATEMENTS,
        ),
        *work_cases(get, inputs, hx),
        *offer_cases(client, get, inputs, hx),
    ]
    results = []
    statement_stats = {}
    for name, kind, target, urls, headers, *budget in cases:
        result = Result(name, kind, target)
        result.max_statements = budget[0] if budget else TARGET_STATEMENTS
        results.append(result)
        probe.by_sql = {}
        try:
            for i in range(args.warmup):  # warm-up: templates compiled, pages cached
                fetch(urls[-1 - i % len(urls)], headers)
            probe.by_sql = {}
            count = max(args.iterations, len(urls) if len(urls) > 1 else 0)
            for i in range(count):
                fetch(urls[i % len(urls)], headers)
                result.times.append(probe.elapsed * 1000)
                result.statements.append(probe.statements)
        except RequestFailedError as exc:
            result.error = str(exc)
            log(f"  {name:<48} FAILED: {exc}")
            continue
        finally:
            statement_stats[name] = probe.by_sql
        log(
            f"  {name:<48} p50 {result.p50:7.1f} ms  p95 {result.p95:7.1f} ms  "
            f"SQL max {max(result.statements)}"
        )
    pdf = measure_pdf(app, inputs)
    with app.app_context():
        db.engine.dispose()
    return results, statement_stats, pdf
