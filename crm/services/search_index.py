"""Candidate rows for a substring search, from the trigram index the migrations create.

On SQLite an FTS5 trigram table mirrors `parties.search_text` (kept in step by triggers);
asking it first turns a scan of every party into an index lookup for rare terms. On
PostgreSQL a pg_trgm GIN index serves the LIKE itself, so nothing is needed here.
"""

from sqlalchemy import ColumnElement, Integer, column, text

from crm.extensions import db
from crm.models import Party

# Up to this many candidates, their ids go into the query; past it, a subquery does.
MAX_CANDIDATES = 2000
_MATCH = "SELECT rowid FROM party_search WHERE party_search MATCH :phrase"


def candidates(pattern: str) -> ColumnElement[bool] | None:
    """A condition on Party.id narrowing a substring search to the index's candidates.

    None means no narrowing is possible (not SQLite, or a term under three characters).
    The caller keeps its LIKE either way, so the index only ever narrows the scan; it
    never changes the result.
    """
    if db.engine.dialect.name != "sqlite" or len(pattern) < 3:
        return None
    phrase = '"' + pattern.replace('"', '""') + '"'
    ids = db.session.scalars(
        text(_MATCH + " LIMIT :limit"), {"phrase": phrase, "limit": MAX_CANDIDATES + 1}
    ).all()
    if len(ids) <= MAX_CANDIDATES:
        return Party.id.in_(ids)  # a rare term: look the few rows up by id
    matching = text(_MATCH).bindparams(phrase=phrase).columns(column("rowid", Integer))
    return Party.id.in_(matching)  # a common term: test membership while walking in order
