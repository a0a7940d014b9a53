"""The database's share of each request: every read statement an endpoint ran is run again
alone with sqlite3 on a read-only connection, all rows fetched, and the best of three kept;
for the rows over their target or with slow statements, the slowest statements and their
EXPLAIN QUERY PLAN are written out for the report.
"""

import math
import re
import sqlite3
import time
from pathlib import Path

from measuring import Result

READ_ONLY = re.compile(r"\s*(SELECT|WITH)\b", re.IGNORECASE)


def replay(db_path: Path, results: list[Result], stats: dict) -> None:
    """Run each endpoint's statements again, alone, fetching every row: the database's share.

    (Driver events only see a SELECT until its first row, so they cannot time it.)
    """
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        for result in results:
            if result.error or not result.times:
                continue
            total = 0.0
            for stat in stats.get(result.name, {}).values():
                if not READ_ONLY.match(stat.sql):
                    continue  # the editor's writes: not replayed on the read-only connection
                best = math.inf
                for _ in range(3):
                    began = time.perf_counter()
                    conn.execute(stat.sql, stat.params).fetchall()
                    best = min(best, time.perf_counter() - began)
                stat.replay_ms = best * 1000
                total += stat.replay_ms * stat.calls
            result.db_ms = total / len(result.times)


def slow_statements(
    db_path: Path, results: list[Result], stats: dict, threshold_ms: float
) -> list[str]:
    """The slowest statements (and their query plans) of endpoints over target or slow."""
    lines = []
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        for result in results:
            if result.error or not result.times:
                continue
            over = result.target_ms is not None and result.p95 > result.target_ms
            ranked = sorted(  # statements not replayed (writes) have NaN: last
                stats.get(result.name, {}).values(),
                key=lambda s: s.replay_ms if s.replay_ms == s.replay_ms else -1.0,
                reverse=True,
            )
            worst = [s for s in ranked if s.replay_ms >= threshold_ms]
            if not worst and not over:
                continue
            lines += [f"### {result.name}", ""]
            for stat in worst[:3] or ranked[:1]:
                sql = " ".join(stat.sql.split())
                lines += [
                    f"{stat.replay_ms:.1f} ms alone, {stat.calls} calls "
                    f"in {len(result.times)} requests; params `{stat.params}`",
                    "",
                    "```sql",
                    sql,
                    "```",
                    "",
                ]
                try:
                    plan = conn.execute("EXPLAIN QUERY PLAN " + stat.sql, stat.params).fetchall()
                except sqlite3.Error as exc:
                    lines += [f"(no plan: {exc})", ""]
                    continue
                lines += ["```text", *(f"{'  ' * _depth(plan, r)}{r[-1]}" for r in plan)]
                lines += ["```", ""]
    return lines


def _depth(plan: list, row: tuple) -> int:
    parents = {r[0]: r[1] for r in plan}
    depth, parent = 0, row[1]
    while parent and depth < 20:
        depth, parent = depth + 1, parents.get(parent, 0)
    return depth
