"""Building the bench database: the environment that points the app (flask, gunicorn) at a
database file, the project's tools from its venv, and build_database, which migrates a fresh
file and fills it with `flask crm bench-data`, keeping how long that took in a JSON file next to
the database (meta_path) for the report.
"""

import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from settings import ROOT, log, shown


def bench_env(db_path: Path) -> dict:
    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite:///{db_path}"
    env.setdefault("SECRET_KEY", "bench-secret-key")
    env["FLASK_APP"] = "app.py"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def venv_tool(name: str) -> list[str]:
    """The tool next to this Python (the project's venv), else `python -m tool`."""
    script = Path(sys.executable).parent / name
    return [str(script)] if script.exists() else [sys.executable, "-m", name]


def build_database(db_path: Path, clients: int, seed: int) -> dict:
    """Migrate a fresh database and fill it; the file appears only when complete."""
    building = db_path.with_name(db_path.name + ".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    env = bench_env(building)
    log(f"Building {shown(db_path)} with {clients:,} parties …")
    subprocess.run([*venv_tool("flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True)
    began = time.perf_counter()
    subprocess.run(
        [*venv_tool("flask"), "crm", "bench-data", "--clients", str(clients), "--seed", str(seed)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    seconds = time.perf_counter() - began
    with sqlite3.connect(building) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    os.replace(building, db_path)
    meta = {
        "clients": clients,
        "seed": seed,
        "bench_data_seconds": round(seconds, 1),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    meta_path(db_path).write_text(json.dumps(meta, indent=2))
    log(f"bench-data took {seconds:.1f}s")
    return meta


def meta_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".json")
