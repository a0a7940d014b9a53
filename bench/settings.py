"""What every part of the benchmark shares: where the project, the bench database and the
results are, whom it logs in as, the targets (time per request, SQL statements per page, the
PDF's median) and the sizes it measures with, the CSRF token's pattern in a page, and two small
helpers to print a line at once and to show a path relative to the project.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_DB = BENCH_DIR / "bench.sqlite"
MANAGER_EMAIL = "manager01@bench.example"
PASSWORD = "bench-password"  # noqa: S105 - what crm/cli/bench_data.py gives its managers
TARGET_MS = 50.0
TARGET_STATEMENTS = 15
# The pipeline board (issue 3): the whole board, and one column's "Load more" fragment.
BOARD_TARGET_MS, LOAD_MORE_TARGET_MS = 150.0, 50.0
BOARD_STATEMENTS, LOAD_MORE_STATEMENTS = 20, 10
# The daily work (issue 4): My day and /tasks, the card with its timeline (and "show more"),
# the needs-contact filter on /clients; every page and fragment within TARGET_STATEMENTS.
WORK_TARGET_MS, TIMELINE_TARGET_MS, NEEDS_CONTACT_TARGET_MS = 50.0, 60.0, 80.0
LONG_TIMELINE = 30  # interactions of the parties whose card is measured with its timeline
# Offers (issue 5): the /offers list and the editor's fragments; a two-page PDF, warm.
OFFERS_TARGET_MS, EDITOR_TARGET_MS, PDF_TARGET_MS = 50.0, 50.0, 300.0
PDF_LINES, PDF_RENDERS = 20, 10
DEEP_OFFSET = 15_000  # the "later page" of /offers starts after this many offers
PRODUCT_TERM = "кресло"  # typed into the editor's product picker
CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')  # any attribute order


def log(message: str) -> None:
    print(message, flush=True)


def shown(path: Path) -> str:
    """A path relative to the project when it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
