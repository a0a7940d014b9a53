"""The demo company's relationships: years of moves up and down the ladder, and factors."""

import random
from datetime import timedelta

from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry, LossReason, Party, Stage, User
from crm.models.base import utcnow
from crm.services import factors, interactions, ladder, parties

# party name -> [(stage key, days ago, reason key or None, comment)], then days since contact
STORIES = {
    "ООО «Домашний уют»": (
        [
            ("prospect", 420, None, "Познакомились на выставке «Мебель-2025»"),
            ("first_time_buyer", 330, None, "Первый заказ: 12 диванов"),
            ("repeat_buyer", 210, None, ""),
            ("client", 120, None, "Договор на год"),
        ],
        25,
    ),
    "Гостиница «Волга»": (
        [
            ("prospect", 260, None, ""),
            ("first_time_buyer", 190, None, "Мебель для 20 номеров"),
        ],
        200,
    ),
    "Дизайн-студия «Интерьер+»": (
        [
            ("prospect", 700, None, ""),
            ("first_time_buyer", 600, None, ""),
            ("repeat_buyer", 480, None, ""),
            ("client", 360, None, ""),
            ("supporter", 200, None, "Работают только с нами"),
            ("advocate", 60, None, "Рекомендовали нас трём клиентам"),
        ],
        12,
    ),
    "Иван Петров": (
        [
            ("first_time_buyer", 520, None, "Спальня"),
            ("ended", 100, "competitor", "Купил кухню в «Мебель-Сити»"),
        ],
        100,
    ),
    "Олександр Шевчук": ([("prospect", 30, None, "Цікавиться кухнею")], 30),
    "Northwind Office Supply": (
        [
            ("prospect", 500, None, ""),
            ("first_time_buyer", 420, None, ""),
            ("repeat_buyer", 300, None, ""),
            ("client", 180, None, ""),
            ("repeat_buyer", 45, "service", "Late delivery twice in a row"),
        ],
        45,
    ),
    "Bright Kids School": ([("prospect", 140, None, "Classroom chairs for August")], 130),
    "Логистическая компания «Быстрый путь»": ([("partner", 300, None, "Доставка и сборка")], 40),
    "Фабрика «Русский диван»": ([("supporter", 250, None, "")], 70),
}
# First names and surnames that go together: Russian, Ukrainian and English ones.
NAMES = [
    (["Анна", "Ольга", "Ирина"], ["Смирнова", "Иванова", "Кузнецова"]),
    (["Олег", "Сергей", "Павел"], ["Иванов", "Смирнов", "Морозов"]),
    (["Марія", "Оксана", "Ірина"], ["Ковальчук", "Бондаренко", "Мельник"]),
    (["Тарас", "Андрій", "Богдан"], ["Ковальчук", "Бондаренко", "Шевченко"]),
    (["Emma", "Olivia", "Lucas", "Noah"], ["Novak", "Fischer", "Taylor"]),
]


def _reason(key: str) -> LossReason:
    return db.session.scalar(select(LossReason).where(LossReason.key == key))


def _walk(actor: User, party: Party, steps: list, silent_days: int, by_key: dict) -> None:
    """Replay a story of moves with their real dates, then set the last contact."""
    now = utcnow()
    entry = ladder.stage_history(party, limit=1)
    joined = now - timedelta(days=(steps[0][1] if steps else silent_days) + 30)
    if entry:
        entry[0].at = joined
    party.created_at = joined  # the party, its contacts and their history date from then
    for record in db.session.scalars(select(AuditEntry).where(AuditEntry.party_id == party.id)):
        record.at = joined
    for key, days_ago, reason_key, comment in steps:
        reason = _reason(reason_key) if reason_key else None
        move = ladder.move_party(
            actor, party, by_key[key], party.stage_id, reason=reason, comment=comment
        )
        move.at = now - timedelta(days=days_ago)
        db.session.flush()
        db.session.refresh(party)
    party.stage_since = now - timedelta(days=steps[-1][1]) if steps else party.stage_since
    for days_ago, kind, summary in _conversation(steps, silent_days):
        interactions.log_interaction(
            actor, party, type=kind, occurred_at=now - timedelta(days=days_ago), summary=summary
        )


def _conversation(steps: list, silent_days: int) -> list[tuple[int, str, str]]:
    """A plausible trail of contacts: one around each move, and the latest one."""
    trail = [
        (days_ago + 2, "meeting", comment or "Обсудили условия")
        for _, days_ago, _, comment in steps
    ]
    return [*trail, (silent_days, "call", "Созвонились, всё в порядке")]


def walk_the_ladder(by_email: dict[str, User]) -> None:
    """Give the demo parties their history on the ladder, a few retail clients, and factors."""
    by_key = {s.key: s for s in db.session.scalars(select(Stage)) if s.key}
    for name, (steps, silent_days) in STORIES.items():
        party = db.session.scalar(select(Party).where(Party.name == name))
        owner = db.session.get(User, party.owner_id)
        _walk(owner, party, steps, silent_days, by_key)

    rng = random.Random(2026)
    managers = [by_email["olena@example.com"], by_email["dmitry@example.com"]]
    ladder_keys = ["suspect", "prospect", "first_time_buyer", "repeat_buyer", "client"]
    for i in range(36):
        owner = managers[i % 2]
        first_names, surnames = rng.choice(NAMES)
        name = f"{rng.choice(first_names)} {rng.choice(surnames)}"
        party = parties.create_party(
            owner,
            {
                "name": name,
                "kind": "person",
                "roles": ["client"],
                "tags": ["розница"],
                "owner_id": owner.id,
                "phones": f"+380 67 {rng.randint(100, 999)} {i:02d} {i:02d}",
            },
        )
        climb = rng.randint(0, len(ladder_keys) - 1)
        steps = [
            (key, 400 - 70 * n - rng.randint(0, 30), None, "")
            for n, key in enumerate(ladder_keys[1 : climb + 1])
        ]
        _walk(owner, party, steps, rng.randint(3, 260), by_key)

    judged = {
        "ООО «Домашний уют»": [(5, 5, 4, 4, 5), (3, 2, 4, 3, 4)],
        "Гостиница «Волга»": [(4, 4, 4, 3, 4)],
        "Дизайн-студия «Интерьер+»": [(4, 4, 4, 4, 4), (5, 5, 5, 5, 4)],
        "Northwind Office Supply": [(4, 3, 4, 3, 4), (2, 2, 3, 3, 4)],
    }
    for name, rows in judged.items():
        party = db.session.scalar(select(Party).where(Party.name == name))
        owner = db.session.get(User, party.owner_id)
        for days_ago, scores in zip((90, 10), rows, strict=False):
            row = factors.record_factors(
                owner, party, dict(zip(factors.FIELDS, scores, strict=True))
            )
            row.at = utcnow() - timedelta(days=days_ago)
