"""What the in-process measurement records with: the nearest-rank percentile, a Result (one
row of the table: times, statement counts, the statement budget, the replayed database time),
a StatementStat (one distinct SQL text an endpoint ran), the Probe that wraps the app to time
each WSGI call and count its statements, and the error a failed request raises.
"""

import math
import re
import time
from dataclasses import dataclass, field

from settings import TARGET_STATEMENTS

# BEGIN/COMMIT are transaction control, not queries: not counted against the budget.
TX_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


@dataclass
class Result:
    name: str
    kind: str  # page or fragment
    target_ms: float | None
    times: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    max_statements: int = TARGET_STATEMENTS
    db_ms: float = float("nan")  # the request's statements replayed alone, per request
    error: str = ""

    @property
    def p50(self) -> float:
        return percentile(self.times, 50)

    @property
    def p95(self) -> float:
        return percentile(self.times, 95)


@dataclass
class StatementStat:
    """One distinct SQL text an endpoint ran: the first parameters seen, how often."""

    sql: str
    params: tuple
    calls: int = 0
    replay_ms: float = float("nan")


class Probe:
    """WSGI middleware and SQLAlchemy listener: time and statements of each request.

    The time is the whole WSGI call (routing, session, queries, template, body), which is
    what a server spends on the request; statements are counted as the driver gets them.
    """

    def __init__(self, app, engine) -> None:  # noqa: ANN001
        from sqlalchemy import event

        self.inner = app.wsgi_app
        app.wsgi_app = self
        self.statements = 0
        self.elapsed = 0.0
        self.by_sql: dict[str, StatementStat] = {}
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if TX_CONTROL.match(statement):
            return
        self.statements += 1
        stat = self.by_sql.get(statement)
        if stat is None:
            stat = self.by_sql[statement] = StatementStat(statement, tuple(parameters or ()))
        stat.calls += 1

    def __call__(self, environ, start_response):  # noqa: ANN001, ANN204
        self.statements = 0
        began = time.perf_counter()
        iterable = self.inner(environ, start_response)
        try:
            body = b"".join(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        self.elapsed = time.perf_counter() - began
        return [body]


class RequestFailedError(Exception):
    pass
