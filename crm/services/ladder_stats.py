"""What the ladder's admin pages show: head counts per stage, reason usage, default mappings.

Read-only: nothing here changes the ladder (that is `crm.services.ladder_admin`).
"""

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import LossReason, Party, Stage, StageMove
from crm.services.settings import get_setting
from crm.services.stage_models import MODELS


def parties_per_stage() -> dict[int, int]:
    """How many live (not trashed) parties stand on each stage, in one GROUP BY."""
    query = (
        select(Party.stage_id, func.count())
        .where(Party.deleted_at.is_(None), Party.stage_id.is_not(None))
        .group_by(Party.stage_id)
    )
    return {stage_id: count for stage_id, count in db.session.execute(query)}


def all_reasons() -> list[LossReason]:
    """Every loss reason, offered and retired alike, in list order."""
    query = select(LossReason).order_by(LossReason.position, LossReason.id)
    return list(db.session.scalars(query))


def moves_per_reason() -> dict[int, int]:
    """How many recorded moves gave each loss reason (retired ones included)."""
    query = (
        select(StageMove.reason_id, func.count())
        .where(StageMove.reason_id.is_not(None))
        .group_by(StageMove.reason_id)
    )
    return {reason_id: count for reason_id, count in db.session.execute(query)}


def current_model() -> str:
    """The company's model: a key of `MODELS`, or "custom" once stages were added."""
    return get_setting("stage_model")


def default_mapping(ladder: list[Stage], model_key: str) -> dict[int, str]:
    """A sensible new stage for each current one, as `switch_model` takes it.

    The same key when the new model has it; otherwise the stage at the same relative
    rank among the rungs; the terminal stage always goes to the new terminal stage.
    """
    specs = MODELS[model_key][1]
    rungs = [spec.key for spec in specs if not spec.terminal]
    terminal = next(spec.key for spec in specs if spec.terminal)
    keys = {spec.key for spec in specs}
    climbing = [stage for stage in ladder if not stage.terminal]
    mapping: dict[int, str] = {}
    for stage in ladder:
        if stage.terminal:
            mapping[stage.id] = terminal
        elif stage.key in keys and stage.key != terminal:
            mapping[stage.id] = stage.key
        else:
            mapping[stage.id] = rungs[_same_rank(climbing.index(stage), len(climbing), len(rungs))]
    return mapping


def _same_rank(index: int, count: int, new_count: int) -> int:
    """The index at the same relative height on a ladder of `new_count` rungs (rounded half up)."""
    if count <= 1:
        return 0
    return int(index * (new_count - 1) / (count - 1) + 0.5)
