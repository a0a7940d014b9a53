"""Search index: FTS5 trigram on SQLite, pg_trgm GIN on PostgreSQL.

Substring search ("петро" inside "Петро Ромашко") cannot use a B-tree index. A trigram
index finds the few candidate rows of a rare term without reading every party.

Revision ID: 7a1c2e9d4b10
Revises: 5198eb171b41
Create Date: 2026-11-23 02:20:00
"""

from alembic import op

revision = "7a1c2e9d4b10"
down_revision = "5198eb171b41"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE party_search USING fts5("
    "search_text, tokenize='trigram', content='parties', content_rowid='id')",
    "INSERT INTO party_search(party_search) VALUES ('rebuild')",
    "CREATE TRIGGER party_search_insert AFTER INSERT ON parties BEGIN "
    "INSERT INTO party_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER party_search_delete AFTER DELETE ON parties BEGIN "
    "INSERT INTO party_search(party_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER party_search_update AFTER UPDATE OF search_text ON parties BEGIN "
    "INSERT INTO party_search(party_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO party_search(rowid, search_text) VALUES (new.id, new.search_text); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS party_search_update",
    "DROP TRIGGER IF EXISTS party_search_delete",
    "DROP TRIGGER IF EXISTS party_search_insert",
    "DROP TABLE IF EXISTS party_search",
]


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_parties_search_trgm ON parties "
            "USING gin (search_text gin_trgm_ops)"
        )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_parties_search_trgm")
