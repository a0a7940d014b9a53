"""The admin's side of the ladder: pick a model, edit stages and reasons, never lose a client.

Whenever stages go away (a model switch, a removed stage) the admin maps them to stages
that stay, and every party on them moves, recorded as a stage change with source
"model_change". Every change of the ladder itself is in the audit log (`ladder_history`).
"""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import AuditEntry, LossReason, Party, Stage, StageMove, User
from crm.models.base import utcnow
from crm.services import audit
from crm.services.errors import DomainError, PermissionDeniedError
from crm.services.ladder import stages
from crm.services.settings import get_setting, set_setting
from crm.services.stage_models import LOSS_REASONS, MODELS

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
MAX_INTERVAL_DAYS = 3650
STAGE_FIELDS = ("name", "color", "contact_interval_days")
HISTORY_ENTITIES = ("stage", "loss_reason", "stage_model")


def _stage_state(stage: Stage) -> dict:
    """What the history compares; a built-in name is None (shown in each reader's language)."""
    return {
        "name": stage.custom_name,
        "color": stage.color,
        "contact_interval_days": stage.contact_interval_days,
    }


def _ref(row: Stage | LossReason) -> dict:
    """A stage or reason as the history names it: its own name, or its built-in key."""
    return {"name": row.custom_name, "key": row.key}


def ladder_history(limit: int = 15) -> list[AuditEntry]:
    """The latest changes of the ladder and the loss reasons, newest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity.in_(HISTORY_ENTITIES))
        .options(selectinload(AuditEntry.user))
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDeniedError(_l("Only an admin can change the ladder."))


def _check_stage(name: str, color: str, interval_days: int, *, built_in: bool) -> None:
    """A stage needs a name (built-in ones have theirs), a #rrggbb colour, a sane interval."""
    if not built_in and not name.strip():
        raise DomainError(_l("A stage needs a name."))
    if len(name.strip()) > 80:
        raise DomainError(_l("A stage name has at most 80 characters."))
    if not COLOUR.fullmatch(color):
        raise DomainError(_l("Choose a colour."))
    if not 1 <= interval_days <= MAX_INTERVAL_DAYS:
        raise DomainError(_l("The contact interval is 1 to 3650 days."))


def _check_reason(name: str, *, built_in: bool) -> None:
    if not built_in and not name.strip():
        raise DomainError(_l("A reason needs a name."))
    if len(name.strip()) > 80:
        raise DomainError(_l("A reason has at most 80 characters."))


def install_model(model_key: str) -> list[Stage]:
    """Create the stages of a built-in model (and default reasons if there are none)."""
    _, specs = MODELS[model_key]
    created = [
        Stage(
            key=spec.key,
            position=i,
            color=spec.color,
            contact_interval_days=spec.interval_days,
            terminal=spec.terminal,
        )
        for i, spec in enumerate(specs)
    ]
    db.session.add_all(created)
    if not db.session.scalar(select(func.count()).select_from(LossReason)):
        db.session.add_all(LossReason(key=key, position=i) for i, key in enumerate(LOSS_REASONS))
    set_setting("stage_model", model_key)
    db.session.flush()
    return created


def _relocate(actor: User, old: Stage, new: Stage) -> int:
    """Move every party on `old` to `new`, one recorded move each (set-based: any size)."""
    now = utcnow()
    on_old = select(Party.id).where(Party.stage_id == old.id)
    db.session.execute(
        insert(StageMove).from_select(
            ["party_id", "from_stage_id", "to_stage_id", "user_id", "at", "source", "comment"],
            select(
                Party.id,
                literal(old.id),
                literal(new.id),
                literal(actor.id),
                literal(now),
                literal("model_change"),
                literal(""),
            ).where(Party.stage_id == old.id),
        )
    )
    moved = db.session.scalar(select(func.count()).select_from(on_old.subquery()))
    db.session.execute(
        update(Party)
        .where(Party.stage_id == old.id)
        .values(stage_id=new.id, stage_since=now)
        .execution_options(synchronize_session=False)
    )
    return moved or 0


def switch_model(actor: User, model_key: str, mapping: dict[int, str]) -> list[Stage]:
    """Replace the ladder with a built-in model; `mapping` sends each old stage to a new key."""
    _require_admin(actor)
    if model_key not in MODELS:
        raise DomainError(_l("Unknown model."))
    old = stages()
    new_keys = {spec.key for spec in MODELS[model_key][1]}
    missing = [s for s in old if mapping.get(s.id) not in new_keys]
    if missing:
        raise DomainError(_l("Every current stage needs a stage to go to."))
    before = get_setting("stage_model")
    created = install_model(model_key)
    by_key = {stage.key: stage for stage in created}
    now = utcnow()
    moved = 0
    for stage in old:
        moved += _relocate(actor, stage, by_key[mapping[stage.id]])
        stage.archived_at = now
    db.session.flush()
    changes = {"model": [before, model_key], "parties": moved}
    audit.record(actor, "stage_model", 0, "switch", changes=changes)
    return created


def add_stage(actor: User, name: str, color: str, interval_days: int) -> Stage:
    """A new rung just below the terminal stage."""
    _require_admin(actor)
    _check_stage(name, color, interval_days, built_in=False)
    ladder = stages()
    top = max((s.position for s in ladder if not s.terminal), default=-1)
    for stage in ladder:
        if stage.position > top:
            stage.position += 1
    stage = Stage(
        custom_name=name.strip(),
        position=top + 1,
        color=color,
        contact_interval_days=interval_days,
    )
    db.session.add(stage)
    set_setting("stage_model", "custom")
    db.session.flush()
    audit.record(actor, "stage", stage.id, "create", changes=audit.diff({}, _stage_state(stage)))
    return stage


def update_stage(actor: User, stage: Stage, name: str, color: str, interval_days: int) -> None:
    """Rename a stage (empty name: back to the built-in one), recolour, change its interval."""
    _require_admin(actor)
    _check_stage(name, color, interval_days, built_in=stage.key is not None)
    before = _stage_state(stage)
    stage.custom_name = (name.strip() or None) if stage.key else name.strip()
    stage.color = color
    stage.contact_interval_days = interval_days
    changes = audit.diff(before, _stage_state(stage))
    if not changes:
        return
    set_setting("stage_model", "custom")
    db.session.flush()
    changes["stage"] = _ref(stage)
    audit.record(actor, "stage", stage.id, "update", changes=changes)


def shift_stage(actor: User, stage: Stage, step: int) -> None:
    """Swap a stage with its neighbour (step -1: lower, +1: higher); the terminal stays last."""
    _require_admin(actor)
    ladder = [s for s in stages() if not s.terminal]
    if stage not in ladder:
        raise DomainError(_l("The terminal stage stays last."))
    index = ladder.index(stage)
    other = index + step
    if 0 <= other < len(ladder):
        neighbour = ladder[other]
        stage.position, neighbour.position = neighbour.position, stage.position
        set_setting("stage_model", "custom")
        db.session.flush()
        changes = {"stage": _ref(stage), "past": _ref(neighbour)}
        audit.record(actor, "stage", stage.id, "up" if step > 0 else "down", changes=changes)


def remove_stage(actor: User, stage: Stage, target: Stage) -> int:
    """Archive a stage after moving its parties to `target`; returns how many moved."""
    _require_admin(actor)
    if stage.archived_at is not None:
        raise DomainError(_l("This stage was removed already."))
    if stage.terminal:
        raise DomainError(_l("The relationship-ended stage cannot be removed."))
    if target.id == stage.id or target.archived_at is not None or target.terminal:
        raise DomainError(_l("Choose another stage for its clients."))
    if len([s for s in stages() if not s.terminal]) <= 1:
        raise DomainError(_l("The ladder needs at least one stage besides the last one."))
    moved = _relocate(actor, stage, target)
    stage.archived_at = utcnow()
    set_setting("stage_model", "custom")
    db.session.flush()
    changes = {"stage": _ref(stage), "to": _ref(target), "parties": moved}
    audit.record(actor, "stage", stage.id, "remove", changes=changes)
    return moved


def add_reason(actor: User, name: str) -> LossReason:
    """A new loss reason at the end of the list."""
    _require_admin(actor)
    _check_reason(name, built_in=False)
    position = db.session.scalar(select(func.coalesce(func.max(LossReason.position), -1)))
    reason = LossReason(custom_name=name.strip(), position=position + 1)
    db.session.add(reason)
    db.session.flush()
    audit.record(actor, "loss_reason", reason.id, "create", changes={"name": [None, name.strip()]})
    return reason


def update_reason(actor: User, reason: LossReason, name: str, active: bool) -> None:
    """Rename (empty: back to the built-in name) or retire a reason; old moves keep it."""
    _require_admin(actor)
    _check_reason(name, built_in=reason.key is not None)
    before = {"name": reason.custom_name, "active": reason.active}
    reason.custom_name = (name.strip() or None) if reason.key else name.strip()
    reason.active = active
    db.session.flush()
    changes = audit.diff(before, {"name": reason.custom_name, "active": reason.active})
    if changes:
        changes["reason"] = _ref(reason)
        audit.record(actor, "loss_reason", reason.id, "update", changes=changes)
