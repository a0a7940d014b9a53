"""Bench data for the daily work: interactions with parties, and tasks.

Used by `crm/cli/bench_data.py`, one chunk of parties at a time, before the chunk is written:
about ten interactions per party over the last four years (skewed: many parties have a few,
some have dozens, some none; ~15% notes; the owner is mostly the author) and two tasks per
party (most done or cancelled, ~15% open, some of them overdue; a few repeating).

The last meaningful contact stays the one the ladder placer chose (crm/cli/bench_ladder.py:
never, recent or long ago): the newest meaningful interaction happens exactly then and the
others before it; only notes come later, as `interactions.log_interaction` would leave it.
Parties off the ladder (suppliers, competitors) get their `last_contact_at` from the
interactions generated here. Rows are plain dicts for Core executemany, no ORM objects.
It has its own random generator, so the rest of the bench data stays the same.
"""

import random
from bisect import bisect
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from sqlalchemy import select

from crm.extensions import db
from crm.models import Interaction, Stage, Task

HISTORY_DAYS = 4 * 365  # interactions and tasks of the last four years
DAY = 86400.0
TASKS_PER_PARTY = 2  # 200,000 tasks for 100,000 parties
# Meaningful contacts per year on a stage = 365 / interval * (RATE + STEP * position) * activity,
# activity being a skewed per-party factor with mean 1 (most parties little, a few a lot).
RATE, STEP = 0.525, 0.126
ACTIVITY_SHAPE = 0.6
OFF_LADDER_RATE = {"supplier": 3.0, "competitor": 0.1}  # per year
NOTE_SHARE = 0.18  # notes per meaningful interaction: ~15% of all
NOTES_ONLY = 0.2  # share of parties without a meaningful contact that have a note
OWNER_AUTHOR = 0.85
WITH_CONTACT = 0.65
WITH_SATISFACTION = 0.25
MEANINGFUL_TYPES = {"call": 47, "email": 32, "meeting": 11, "visit": 6, "letter": 4}
SATISFACTION_WEIGHTS = {1: 3, 2: 7, 3: 20, 4: 40, 5: 30}

TASK_STATUS = {"done": 75, "cancelled": 10, "open": 15}
# Tasks go to the managers more evenly than parties do (a working day has so many hours)...
ASSIGNEE_WEIGHTS = [5, 4.2, 3.7, 3.3, 3, 2.6, 2.4, 2.2, 2, 1.4]
# ...but those who own most leave most open tasks overdue (seed 004).
OVERDUE_MIN, OVERDUE_MAX = 0.3, 0.55
OVERDUE_MEAN_DAYS, FUTURE_MEAN_DAYS = 40.0, 100.0
WITHOUT_PARTY = 0.1
REPEATING = 0.07
REPEATS = [(1, "weeks"), (2, "weeks"), (1, "months"), (3, "months"), (1, "days")]
PRIORITY_WEIGHTS = {1: 15, 2: 65, 3: 20}
WITH_TIME = 0.25
EPOCH = datetime(1970, 1, 1)

SUMMARIES = {
    "call": {
        "ru": [
            "Обсудили новую коллекцию, ждут прайс",
            "Уточнили сроки поставки",
            "Не дозвонился, перезвонить",
            "Договорились о встрече в салоне",
            "Спросили про скидку на объём",
            "Напомнил об оплате счёта",
        ],
        "uk": [
            "Обговорили нову колекцію, чекають прайс",
            "Уточнили терміни постачання",
            "Не відповідають, передзвонити",
            "Домовились про зустріч у салоні",
        ],
        "en": [
            "Discussed the new collection; they want the price list",
            "Checked delivery dates",
            "No answer, call back",
            "Agreed to meet at the showroom",
        ],
    },
    "email": {
        "ru": ["Отправил КП", "Выслал каталог", "Ответил на рекламацию", "Счёт на оплату"],
        "uk": ["Надіслав КП", "Надіслав каталог", "Відповів на рекламацію", "Рахунок на оплату"],
        "en": ["Sent the offer", "Sent the catalogue", "Answered the complaint", "Invoice sent"],
    },
    "meeting": {
        "ru": ["Встреча в офисе клиента: план закупок", "Презентация новой линейки"],
        "uk": ["Зустріч в офісі клієнта: план закупівель", "Презентація нової лінійки"],
        "en": ["Meeting at their office: purchase plan", "Presented the new range"],
    },
    "visit": {
        "ru": ["Визит на склад, посмотрели образцы", "Замер на объекте"],
        "uk": ["Візит на склад, переглянули зразки", "Замір на об'єкті"],
        "en": ["Visited the warehouse, looked at samples", "Measured the site"],
    },
    "letter": {
        "ru": ["Письмо с договором курьером", "Гарантийное письмо"],
        "uk": ["Лист з договором кур'єром", "Гарантійний лист"],
        "en": ["Contract sent by post", "Letter of guarantee"],
    },
    "note": {
        "ru": ["Сменился закупщик", "Переезжают в новый офис", "Конкурент предложил скидку"],
        "uk": ["Змінився закупівельник", "Переїжджають в новий офіс", "Конкурент дав знижку"],
        "en": ["New purchasing manager", "Moving to a new office", "A competitor cut prices"],
    },
}
OUTCOMES = {
    "ru": ["Ждут КП до пятницы", "Заказ в следующем месяце", "Пока не актуально", "Договорились"],
    "uk": ["Чекають КП до пʼятниці", "Замовлення наступного місяця", "Поки не актуально"],
    "en": ["Offer due by Friday", "Order next month", "Not now", "Agreed"],
}
TASK_TITLES = {
    "ru": ["Позвонить: {}", "Отправить КП: {}", "Выставить счёт: {}", "Встреча: {}"],
    "uk": ["Зателефонувати: {}", "Надіслати КП: {}", "Виставити рахунок: {}", "Зустріч: {}"],
    "en": ["Call {}", "Send the offer to {}", "Invoice {}", "Meet {}"],
}
TASK_TITLES_ALONE = [
    "Еженедельный отчёт директору",
    "Обновить прайс-лист",
    "Проверить остатки на складе",
    "Звіт за місяць",
    "Plan next week's visits",
]
DESCRIPTIONS = ["Взять образцы тканей", "Уточнить условия оплаты", "Bring the catalogue", ""]
UK_LETTERS = frozenset("іїєґІЇЄҐ")


def _language(name: str) -> str:
    if name[:1].isascii():
        return "en"
    return "uk" if UK_LETTERS.intersection(name) else "ru"


def _cumulative(weights: dict) -> tuple[list, list[float]]:
    return list(weights), list(accumulate(weights.values()))


class WorkBuilder:
    """Deterministic (per seed) interactions and tasks for one chunk of parties at a time."""

    def __init__(self, seed: int, managers: list[int], now: datetime, today: date) -> None:
        self.rng = random.Random(f"work-{seed}")
        self.managers = managers
        self.now = now
        self.now_s = (now - EPOCH).total_seconds()
        self.today = today
        stages = db.session.execute(
            select(Stage.id, Stage.position, Stage.contact_interval_days, Stage.terminal)
        ).all()
        # Meaningful contacts per year on a stage (the terminal one: as before the ending).
        self.rates = {
            s.id: 4.0 if s.terminal else 365 / s.contact_interval_days * (RATE + STEP * s.position)
            for s in stages
        }
        self.types = _cumulative(MEANINGFUL_TYPES)
        self.satisfaction = _cumulative(SATISFACTION_WEIGHTS)
        self.status = _cumulative(TASK_STATUS)
        self.priority = _cumulative(PRIORITY_WEIGHTS)
        extra = max(0, len(managers) - len(ASSIGNEE_WEIGHTS))
        weights = ASSIGNEE_WEIGHTS[: len(managers)] + [1.0] * extra
        self.assignees = (managers, list(accumulate(weights)))
        top = max(weights)
        self.overdue_share = {
            m: OVERDUE_MIN + (OVERDUE_MAX - OVERDUE_MIN) * w / top
            for m, w in zip(managers, weights, strict=True)
        }

    def _pick(self, table: tuple[list, list[float]]):  # noqa: ANN202
        values, cumulative = table
        return values[bisect(cumulative, self.rng.random() * cumulative[-1])]

    # --- interactions ---------------------------------------------------------------------

    def build(self, parties: list[dict], roles: list[dict], contacts: list[dict]) -> dict:
        """{"interactions": rows, "tasks": rows} for a chunk; may set parties' last contact."""
        party_roles = defaultdict(set)
        for row in roles:
            party_roles[row["party_id"]].add(str(row["role"]))
        contact_ids = defaultdict(list)
        for row in contacts:
            contact_ids[row["party_id"]].append(row["id"])
        interactions: list[dict] = []
        for party in parties:
            interactions += self._interactions(
                party, party_roles[party["id"]], contact_ids[party["id"]]
            )
        return {"interactions": interactions, "tasks": self._tasks(parties, contact_ids)}

    def _interactions(self, party: dict, roles: set[str], contact_ids: list[int]) -> list[dict]:
        rng = self.rng
        created = (party["created_at"] - EPOCH).total_seconds()
        start = max(created, self.now_s - HISTORY_DAYS * DAY)
        anchor = party["last_contact_at"]
        activity = rng.gammavariate(ACTIVITY_SHAPE, 1 / ACTIVITY_SHAPE)
        if party["stage_id"] is not None:  # on the ladder: the placer chose the last contact
            rate = self.rates.get(party["stage_id"], 4.0) * activity
            if anchor is None:
                stamps = []
            else:
                last = (anchor - EPOCH).total_seconds()
                first = start if start < last else created  # silent for four years and more
                count = int((last - first) / DAY / 365 * rate + rng.random())
                stamps = [self._moment(first, last) for _ in range(count)]
        else:  # off the ladder: contacts as they come, the last one sets last_contact_at
            rate = max((OFF_LADDER_RATE.get(r, 0.0) for r in roles), default=0.0) * activity
            count = int((self.now_s - start) / DAY / 365 * rate + rng.random())
            stamps = [self._moment(start, self.now_s) for _ in range(count)]
            if stamps:
                anchor = max(stamps)
                party["last_contact_at"] = anchor
                stamps.remove(anchor)
        notes = (1 + len(stamps)) * NOTE_SHARE if anchor else NOTES_ONLY
        note_stamps = [self._moment(start, self.now_s) for _ in range(int(notes + rng.random()))]
        language = _language(party["name"])
        rows = [self._interaction(party, anchor, language, contact_ids)] if anchor else []
        rows += [self._interaction(party, at, language, contact_ids) for at in stamps]
        rows += [self._interaction(party, at, language, contact_ids, "note") for at in note_stamps]
        return rows

    def _moment(self, first: float, last: float) -> datetime:
        """A moment between two, in working hours (09:00-19:00 at UTC+3) when that fits."""
        at = first + (last - first) * self.rng.random()
        day = at - at % DAY
        working = day + 6 * 3600 + self.rng.random() * 10 * 3600
        if first <= working <= last:
            at = working
        return EPOCH + timedelta(seconds=round(at))

    def _interaction(
        self,
        party: dict,
        at: datetime,
        language: str,
        contact_ids: list[int],
        kind: str | None = None,
    ) -> dict:
        rng = self.rng
        kind = kind or self._pick(self.types)
        owner = party["owner_id"]
        author = owner if owner and rng.random() < OWNER_AUTHOR else rng.choice(self.managers)
        contact = rng.choice(contact_ids) if contact_ids and rng.random() < WITH_CONTACT else None
        satisfied = kind != "note" and rng.random() < WITH_SATISFACTION
        outcome = rng.choice(OUTCOMES[language]) if kind != "note" and rng.random() < 0.5 else ""
        logged = at + timedelta(minutes=rng.expovariate(1 / 90))
        return {
            "party_id": party["id"],
            "type": kind,
            "occurred_at": at,
            "contact_id": contact,
            "summary": rng.choice(SUMMARIES[kind][language]),
            "outcome": outcome,
            "satisfaction": self._pick(self.satisfaction) if satisfied else None,
            "author_id": author,
            "created_at": min(logged, self.now),
        }

    # --- tasks ----------------------------------------------------------------------------

    def _tasks(self, parties: list[dict], contact_ids: dict[int, list[int]]) -> list[dict]:
        rng = self.rng
        by_owner = defaultdict(list)
        for party in parties:
            if party["deleted_at"] is None:
                by_owner[party["owner_id"]].append(party)
        rows = []
        for _ in range(TASKS_PER_PARTY * len(parties)):
            assignee = self._pick(self.assignees)
            owned = by_owner.get(assignee)
            party = rng.choice(owned) if owned and rng.random() >= WITHOUT_PARTY else None
            rows.append(self._task(assignee, party, contact_ids))
        return rows

    def _task(self, assignee: int, party: dict | None, contact_ids: dict) -> dict:
        rng = self.rng
        today = self.today
        since = self.now - timedelta(days=HISTORY_DAYS)
        if party is not None:
            since = max(since, party["created_at"])
        past_days = max(0, (today - since.date()).days)
        status = self._pick(self.status)
        if status != "open":
            due = today - timedelta(days=rng.randint(0, past_days))
        elif rng.random() < self.overdue_share[assignee]:
            late = 1 + int(rng.expovariate(1 / OVERDUE_MEAN_DAYS))
            due = today - timedelta(days=min(late, max(1, past_days)))
        else:
            due = today + timedelta(days=int(rng.expovariate(1 / FUTURE_MEAN_DAYS)))
        due_at = datetime.combine(due, time(9))
        created = due_at - timedelta(days=rng.expovariate(1 / 10), hours=rng.random() * 12)
        if created > self.now:  # planned ahead: created lately
            created = self.now - timedelta(days=rng.expovariate(1 / 15))
        created = max(created, since)
        completed = None
        if status != "open":
            completed = due_at + timedelta(days=rng.uniform(-1, 4), hours=rng.random() * 9)
            completed = min(max(completed, created + timedelta(minutes=5)), self.now)
        every, unit = rng.choice(REPEATS) if rng.random() < REPEATING else (None, None)
        at = time(rng.randint(9, 17), rng.choice((0, 30))) if rng.random() < WITH_TIME else None
        if party is None:
            title, contact = rng.choice(TASK_TITLES_ALONE), None
        else:
            language = _language(party["name"])
            title = rng.choice(TASK_TITLES[language]).format(party["name"])[:200]
            ids = contact_ids.get(party["id"])
            contact = rng.choice(ids) if ids and rng.random() < 0.3 else None
        return {
            "title": title,
            "description": rng.choice(DESCRIPTIONS) if rng.random() < 0.2 else "",
            "party_id": party["id"] if party else None,
            "contact_id": contact,
            "assignee_id": assignee,
            "due_date": due,
            "due_time": at,
            "priority": self._pick(self.priority),
            "status": status,
            "repeat_every": every,
            "repeat_unit": unit,
            "created_by_id": assignee if rng.random() < 0.8 else rng.choice(self.managers),
            "created_at": created,
            "completed_at": completed,
            "version": 1,
        }


WORK_TABLES = {"interactions": Interaction.__table__, "tasks": Task.__table__}
