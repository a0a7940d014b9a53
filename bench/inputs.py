"""Inputs picked from the bench database itself, read-only and with a seeded random choice:
party cards to open, an owner and tags to filter by, rare and phone search terms, the table
sizes for the report, the parties with a long timeline and the manager's tasks by due window
(the daily work), and the offers to open, the draft to edit, a client's name to search and a
cursor deep in the offer list.
"""

import random
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from settings import DEEP_OFFSET, LONG_TIMELINE, MANAGER_EMAIL

BRAND_RE = re.compile(r"«([^»]+)»")


def pick_inputs(db_path: Path, seed: int) -> dict:
    """Ids and terms to query with, taken from the database itself."""
    rng = random.Random(seed)
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        live = [r[0] for r in conn.execute("SELECT id FROM parties WHERE deleted_at IS NULL")]
        owners = conn.execute(
            "SELECT owner_id, count(*) FROM parties WHERE deleted_at IS NULL "
            "GROUP BY owner_id ORDER BY 2 DESC"
        ).fetchall()
        tags = conn.execute(
            "SELECT tag_id, t.name, count(*) FROM party_tags JOIN tags t ON t.id = tag_id "
            "GROUP BY tag_id ORDER BY 3 DESC"
        ).fetchall()
        emails = [
            r[0]
            for r in conn.execute(
                "SELECT emails FROM contacts WHERE emails != '' AND id % 997 = 0 LIMIT 50"
            )
        ]
        phones = [
            r[0]
            for r in conn.execute(
                "SELECT phones FROM parties WHERE phones != '' AND id % 991 = 0 LIMIT 50"
            )
        ]
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in (
                "parties",
                "contacts",
                "party_roles",
                "party_tags",
                "audit_entries",
                "stage_moves",
                "interactions",
                "tasks",
                "products",
                "offers",
                "offer_lines",
                "sales",
            )
        }
        work = pick_work_inputs(conn, set(live))
        offer_inputs = pick_offer_inputs(conn, rng)
    if not live:
        raise SystemExit("The bench database has no live parties.")
    phone_digits = re.sub(r"\D", "", rng.choice(phones).splitlines()[0]) if phones else "7910"
    return {
        "cards": rng.sample(live, min(len(live), 400)),
        "owner": owners[len(owners) // 2],
        "tag_common": tags[0],
        "tag_rare": tags[-1],
        "rare_term": rng.choice(emails) if emails else "zzzz",
        "phone_term": phone_digits[-7:],
        "counts": counts,
        **work,
        **offer_inputs,
    }


def pick_work_inputs(conn: sqlite3.Connection, live: set[int]) -> dict:
    """Parties with a long timeline, the manager's tasks by due window, parties due a contact."""
    heavy = [
        party_id
        for party_id, _ in conn.execute(
            "SELECT party_id, count(*) FROM interactions GROUP BY party_id HAVING count(*) >= ?",
            (LONG_TIMELINE,),
        )
        if party_id in live
    ]
    today = datetime.now(UTC).date().isoformat()  # the app's day unless CRM_TIMEZONE is set
    day = conn.execute(
        "SELECT sum(due_date < :today), sum(due_date = :today), "
        "sum(due_date > :today AND due_date <= date(:today, '+7 days')), count(*) "
        "FROM tasks WHERE status = 'open' "
        "AND assignee_id = (SELECT id FROM users WHERE email = :email)",
        {"today": today, "email": MANAGER_EMAIL},
    ).fetchone()
    due = conn.execute(
        "SELECT count(*) FROM parties p JOIN stages s ON s.id = p.stage_id "
        "WHERE p.deleted_at IS NULL AND NOT s.terminal AND (p.last_contact_at IS NULL "
        "OR p.last_contact_at < datetime('now', '-' || s.contact_interval_days || ' days'))"
    ).fetchone()[0]
    return {
        "long_timelines": random.Random(len(heavy)).sample(heavy, min(len(heavy), 200)),
        "long_timeline_total": len(heavy),
        "my_day": tuple(n or 0 for n in day),  # overdue, today, next 7 days, open
        "needs_contact": due,
    }


def pick_offer_inputs(conn: sqlite3.Connection, rng: random.Random) -> dict:
    """Offers to open, a draft to edit, a client's name to search, a cursor deep in the list."""
    visible = "FROM offers o JOIN parties p ON p.id = o.party_id WHERE p.deleted_at IS NULL"
    twelve = [
        r[0]
        for r in conn.execute(
            f"SELECT o.id {visible} AND (SELECT count(*) FROM offer_lines l "  # noqa: S608
            "WHERE l.offer_id = o.id) = 12 ORDER BY o.id DESC LIMIT 200"
        )
    ]
    # The manager's own draft with the most lines; the line to change is a catalogue item.
    draft = conn.execute(
        f"SELECT o.id, (SELECT count(*) FROM offer_lines l WHERE l.offer_id = o.id) AS n "  # noqa: S608
        f"{visible} AND o.status = 'draft' ORDER BY o.owner_id = "
        "(SELECT id FROM users WHERE email = ?) DESC, n DESC, o.id DESC LIMIT 1",
        (MANAGER_EMAIL,),
    ).fetchone()
    line = (
        conn.execute(
            "SELECT id, quantity FROM offer_lines WHERE offer_id = ? "
            "ORDER BY product_id IS NULL, position LIMIT 1",
            (draft[0],),
        ).fetchone()
        if draft
        else None
    )
    names = [r[0] for r in conn.execute(f"SELECT p.name {visible} ORDER BY o.id DESC LIMIT 2000")]  # noqa: S608
    brands = [m.group(1) for m in map(BRAND_RE.search, names) if m]
    brand = rng.choice(brands) if brands else "торг"
    matching = conn.execute(
        f"SELECT count(*) {visible} AND p.name LIKE ?",  # noqa: S608
        (f"%{brand}%",),
    ).fetchone()[0]
    deep = conn.execute(
        f"SELECT o.id {visible} ORDER BY o.id DESC LIMIT 1 OFFSET ?",  # noqa: S608
        (DEEP_OFFSET,),
    ).fetchone()
    sent = conn.execute(
        f"SELECT count(*) {visible} AND o.status = 'sent' AND o.valid_until >= date('now')"  # noqa: S608
    ).fetchone()[0]
    mine = conn.execute(
        f"SELECT count(*) {visible} AND o.owner_id = (SELECT id FROM users WHERE email = ?)",  # noqa: S608
        (MANAGER_EMAIL,),
    ).fetchone()[0]
    return {
        "offers_12": rng.sample(twelve, min(len(twelve), 60)),
        "draft": (draft[0], draft[1], line[0], line[1]) if draft and line else None,
        "brand": (brand, matching),
        "deep_cursor": deep[0] if deep else None,
        "offers_sent": sent,
        "offers_mine": mine,
    }
