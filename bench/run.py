"""Performance benchmark at 100,000 parties (`make bench`).

1. Builds bench/bench.sqlite once (`flask db upgrade` + `flask crm bench-data`).
2. In process, through the Flask test client, logged in as a manager: server-side time
   (p50/p95, after warm-up) and SQL statements per request for the client-base pages.
   Also the daily work (issue 4): My day, /tasks, the card of parties with a long timeline
   and its "show more", the needs-contact filter on /clients. And offers (issue 5): the
   /offers list and its filters, the offer page, the editor's fragments (a quantity changed,
   the product picker), and a 20-line offer's PDF through render_offer_pdf.
3. Under gunicorn (2 workers): requests per second and latency from a few client threads.

The table is printed and written to bench/results/latest.md. Standard library only, besides
the app itself and pypdf (a dev dependency) to count the pages of the PDF.

The parts live next to this script: settings.py (paths, targets), database.py (building it),
inputs.py (ids and terms picked from it), measuring.py, request_cases.py and in_process.py
(the in-process rows), pdf_timing.py, http_load.py (gunicorn), sql_replay.py (statements run
again, query plans) and markdown_report.py.
"""

import argparse
import json
import os
from pathlib import Path

from database import build_database, meta_path
from http_load import measure_http
from in_process import measure_in_process
from inputs import pick_inputs
from markdown_report import report
from measuring import percentile
from settings import DEFAULT_DB, PDF_TARGET_MS, RESULTS_DIR, ROOT, log
from sql_replay import replay, slow_statements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="Build the database anew.")
    parser.add_argument("--iterations", type=int, default=60, help="Timed requests per row.")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--walk", type=int, default=20, help="Pages to follow for 'later page'.")
    parser.add_argument("--common", default="торг", help="A search term many parties match.")
    parser.add_argument("--http-seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-http", action="store_true", help="Skip the gunicorn part.")
    parser.add_argument("--slow-ms", type=float, default=10.0, help="Explain statements over.")
    args = parser.parse_args()

    db_path = args.db.resolve()
    if args.rebuild:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    if not db_path.exists():
        meta = build_database(db_path, args.clients, args.seed)
    else:
        meta = json.loads(meta_path(db_path).read_text()) if meta_path(db_path).exists() else {}
        log(f"Using {db_path} (--rebuild to build it anew).")

    load = os.getloadavg()
    inputs = pick_inputs(db_path, args.seed)
    log(f"In process, {args.iterations} timed requests per row after {args.warmup} warm-up:")
    results, statement_stats, pdf = measure_in_process(db_path, args, inputs)
    http = None
    if not args.no_http:
        log(f"HTTP: gunicorn -w {args.workers}, {args.threads} threads, {args.http_seconds:.0f}s …")
        http = measure_http(db_path, args, inputs)
    replay(db_path, results, statement_stats)
    plans = slow_statements(db_path, results, statement_stats, args.slow_ms)
    text = report(db_path, meta, inputs, results, http, plans, load, pdf)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "latest.md").write_text(text)
    print()
    print(text)
    log(f"Written to {(RESULTS_DIR / 'latest.md').relative_to(ROOT)}")
    failed = [
        r.name
        for r in results
        if r.error
        or (r.target_ms is not None and r.p95 > r.target_ms)
        or max(r.statements) > r.max_statements
    ]
    if pdf.error or (pdf.times and percentile(pdf.times, 50) > PDF_TARGET_MS):
        failed.append("Offer PDF")
    if failed:
        log(f"Over target: {', '.join(failed)}")


if __name__ == "__main__":
    main()
