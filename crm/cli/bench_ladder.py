"""Bench data for the relationship ladder: where each client stands, since when, how it got there.

Used by `crm/cli/bench_data.py`. Clients and partners stand on a stage (most low on the
ladder, few at the top, some ended), with a time on the stage, a last meaningful contact
(never, recent, or long ago: about one in nine is at risk) and the stage moves that led
there: entering the ladder by rule, climbing, now and then a step down or an ending with
a reason. It has its own random generator, so the rest of the bench data stays the same.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from crm.extensions import db
from crm.models import LossReason, Stage
from crm.services.ladder import LADDER_ROLES

# Share of clients per stage of the default (Kotler) ladder: a pyramid, and some endings.
STAGE_WEIGHTS = {
    "suspect": 22,
    "prospect": 18,
    "first_time_buyer": 14,
    "repeat_buyer": 12,
    "client": 12,
    "supporter": 7,
    "advocate": 4,
    "partner": 3,
    "ended": 8,
}
NEVER_CONTACTED = 0.12
# Days since the last contact, in contact intervals of the stage: exponential with this mean.
SILENCE_MEAN = 0.9
STEP_DOWN = 0.06  # a client who climbed higher once and stepped down with a reason


@dataclass(frozen=True)
class Rung:
    """What placing needs of a stage, read once (no ORM object to expire between chunks)."""

    id: int
    key: str
    position: int
    terminal: bool
    contact_interval_days: int


class LadderPlacer:
    """Deterministic (per seed) stage, dates and moves for one party at a time."""

    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(f"ladder-{seed}")
        self.now = now
        query = select(Stage).where(Stage.archived_at.is_(None)).order_by(Stage.position)
        self.stages = [
            Rung(s.id, s.key or "", s.position, s.terminal, s.contact_interval_days)
            for s in db.session.scalars(query)
        ]
        self.rungs = [s for s in self.stages if not s.terminal]
        self.ended = next((s for s in self.stages if s.terminal), None)
        self.weights = [STAGE_WEIGHTS.get(s.key, 5) for s in self.stages]
        self.reasons = list(db.session.scalars(select(LossReason.id).order_by(LossReason.id)))

    def place(self, party_id: int, roles: tuple, created: datetime, owner_id: int) -> tuple:
        """(stage_id, stage_since, last_contact_at) for the party row, and its move rows."""
        if not self.rungs or not LADDER_ROLES.intersection(roles):
            return (None, None, None), []
        rng = self.rng
        stage = rng.choices(self.stages, self.weights)[0]
        life = (self.now - created).total_seconds()
        since = created + timedelta(seconds=life * (1 - rng.random() ** 1.5))
        moves = [self._move(party_id, None, self.rungs[0], created, None, "rule")]
        path = self._path(stage)
        if not path:  # still on the rung it entered
            since = created
        stamps = sorted(
            created + timedelta(seconds=(since - created).total_seconds() * rng.random())
            for _ in path[1:]
        )
        chain = [self.rungs[0], *path]
        for at, before, after in zip([*stamps, since], chain, path, strict=False):
            moves.append(self._move(party_id, before, after, at, owner_id, "manual"))
        return (stage.id, since, self._last_contact(stage, created, since)), moves

    def _path(self, stage: Rung) -> list[Rung]:
        """The rungs climbed after the first one, ending on `stage` (a few, not every rung)."""
        rng = self.rng
        top = stage
        if stage.terminal:
            top = rng.choice(self.rungs[1:] or self.rungs)  # where the relationship ended
        elif stage is not self.rungs[-1] and rng.random() < STEP_DOWN:
            top = rng.choice(self._above(stage))
        climbed = [r for r in self.rungs[1:] if r.position < top.position and rng.random() < 0.4]
        path = [*climbed, top] if top is not self.rungs[0] else []
        if top is not stage:
            path.append(stage)  # the step down or the ending
        return path

    def _above(self, stage: Rung) -> list[Rung]:
        return [r for r in self.rungs if r.position > stage.position]

    def _move(
        self,
        party_id: int,
        before: Rung | None,
        after: Rung,
        at: datetime,
        user_id: int | None,
        source: str,
    ) -> dict:
        down = before is not None and (after.terminal or after.position < before.position)
        return {
            "party_id": party_id,
            "from_stage_id": before.id if before else None,
            "to_stage_id": after.id,
            "user_id": user_id,
            "at": at,
            "source": source,
            "reason_id": self.rng.choice(self.reasons) if down and self.reasons else None,
            "comment": "",
        }

    def _last_contact(self, stage: Rung, created: datetime, since: datetime) -> datetime | None:
        rng = self.rng
        if rng.random() < NEVER_CONTACTED:
            return None
        days = stage.contact_interval_days * rng.expovariate(1 / SILENCE_MEAN)
        if stage.terminal:
            days += (self.now - since).days  # nobody calls after an ending
        return max(created, self.now - timedelta(days=days))
