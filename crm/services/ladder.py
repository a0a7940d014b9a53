"""Moving parties up and down the relationship ladder, and who is drifting away."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, false, func, or_, select, update

from crm.extensions import db
from crm.models import LossReason, Party, PartyRoleName, Stage, StageMove, User
from crm.models.base import utcnow
from crm.services.access import require_editor
from crm.services.errors import DomainError
from crm.services.stage_models import LOSS_REASONS, STAGE_NAMES

LADDER_ROLES = frozenset({PartyRoleName.CLIENT, PartyRoleName.PARTNER})
# A party is at risk when its last contact is older than this many stage intervals.
AT_RISK_FACTOR = 2


class StaleMoveError(DomainError):
    """Someone moved the party after this user saw it."""


class ReasonRequiredError(DomainError):
    """Moving down, or ending the relationship, needs a reason."""


def stage_name(stage: Stage) -> str:
    """The admin's name for the stage, or the built-in one in the user's language."""
    if stage.custom_name:
        return stage.custom_name
    return str(STAGE_NAMES.get(stage.key or "", stage.key or "?"))


def reason_name(reason: LossReason) -> str:
    if reason.custom_name:
        return reason.custom_name
    return str(LOSS_REASONS.get(reason.key or "", reason.key or "?"))


def stages() -> list[Stage]:
    """The company's ladder, bottom rung first (archived stages left out)."""
    query = select(Stage).where(Stage.archived_at.is_(None)).order_by(Stage.position, Stage.id)
    return list(db.session.scalars(query))


def first_stage() -> Stage | None:
    query = (
        select(Stage)
        .where(Stage.archived_at.is_(None), Stage.terminal.is_(False))
        .order_by(Stage.position, Stage.id)
        .limit(1)
    )
    return db.session.scalar(query)


def active_reasons() -> list[LossReason]:
    query = select(LossReason).where(LossReason.active.is_(True))
    return list(db.session.scalars(query.order_by(LossReason.position, LossReason.id)))


def is_down(from_stage: Stage | None, to_stage: Stage) -> bool:
    """Ending the relationship, or moving to a lower rung, is a move down."""
    if to_stage.terminal:
        return True
    return (
        from_stage is not None
        and not from_stage.terminal
        and (to_stage.position < from_stage.position)
    )


def enter_ladder(actor: User | None, party: Party) -> StageMove | None:
    """Put a new client or partner on the first stage (recorded as a move by rule)."""
    stage = first_stage()
    if stage is None or party.stage_id is not None:
        return None
    if not LADDER_ROLES.intersection(party.role_names):
        return None
    now = utcnow()
    party.stage, party.stage_since = stage, now
    move = StageMove(
        party=party,
        from_stage_id=None,
        to_stage_id=stage.id,
        user_id=actor.id if actor else None,
        at=now,
        source="rule",
    )
    db.session.add(move)
    return move


def move_party(
    actor: User,
    party: Party,
    to_stage: Stage,
    expected_stage_id: int | None,
    *,
    reason: LossReason | None = None,
    comment: str = "",
    source: str = "manual",
) -> StageMove:
    """Move a party to another stage; down moves need a reason; a stale move is refused.

    The check against the stage the user saw happens in the UPDATE itself, so two
    people moving the same card at the same moment cannot both succeed.
    """
    require_editor(actor)
    if to_stage.archived_at is not None:
        raise DomainError(_l("This stage no longer exists."))
    if party.stage_id != expected_stage_id:
        raise StaleMoveError(_l("Someone moved this client meanwhile."))
    if to_stage.id == party.stage_id:
        raise DomainError(_l("The client is on this stage already."))
    from_stage = party.stage
    if is_down(from_stage, to_stage) and reason is None:
        raise ReasonRequiredError(_l("Moving down or ending the relationship needs a reason."))
    now = utcnow()
    moved = db.session.execute(
        update(Party)
        .where(Party.id == party.id, _same_stage(expected_stage_id))
        .values(stage_id=to_stage.id, stage_since=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise StaleMoveError(_l("Someone moved this client meanwhile."))
    db.session.expire(party, ["stage_id", "stage", "stage_since"])
    move = StageMove(
        party_id=party.id,
        from_stage_id=expected_stage_id,
        to_stage_id=to_stage.id,
        user_id=actor.id,
        at=now,
        source=source,
        reason_id=reason.id if reason else None,
        comment=comment.strip(),
    )
    db.session.add(move)
    db.session.flush()
    return move


def _same_stage(stage_id: int | None) -> ColumnElement[bool]:
    return Party.stage_id.is_(None) if stage_id is None else Party.stage_id == stage_id


def stage_history(party: Party, limit: int = 50) -> list[StageMove]:
    """The party's moves, newest first."""
    query = (
        select(StageMove)
        .where(StageMove.party_id == party.id)
        .order_by(StageMove.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def at_risk_since(stage: Stage, now: datetime | None = None) -> datetime:
    """Parties on this stage last contacted before this moment are at risk."""
    days = stage.contact_interval_days * AT_RISK_FACTOR
    return (now or utcnow()) - timedelta(days=days)


def silent_since(party: Party) -> datetime | None:
    """The last meaningful contact, or, if there was none, when the party reached its stage."""
    return party.last_contact_at or party.stage_since


def is_at_risk(party: Party, now: datetime | None = None) -> bool:
    """Whether the last contact is older than twice the stage's contact interval."""
    stage, since = party.stage, silent_since(party)
    if stage is None or stage.terminal or since is None:
        return False
    return since < at_risk_since(stage, now)


def at_risk_condition(ladder: list[Stage], now: datetime | None = None) -> ColumnElement[bool]:
    """SQL for "at risk": one cut-off per stage, so the same rule runs in the database."""
    since = func.coalesce(Party.last_contact_at, Party.stage_since)
    clauses = [
        and_(Party.stage_id == stage.id, since < at_risk_since(stage, now))
        for stage in ladder
        if not stage.terminal
    ]
    return or_(*clauses) if clauses else false()
