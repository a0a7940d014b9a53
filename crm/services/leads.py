"""The lead pool: unassigned parties on the first stage, shared out among managers."""

from itertools import cycle

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from crm.extensions import db
from crm.models import Party, Task, TaskStatus, User
from crm.services import audit
from crm.services.errors import DomainError, PermissionDeniedError
from crm.services.ladder import first_stage

STRATEGIES = ("round_robin", "least_loaded")


def lead_pool(limit: int = 500) -> list[Party]:
    """Unassigned live parties standing on the first stage, oldest first."""
    stage = first_stage()
    if stage is None:
        return []
    query = (
        select(Party)
        .where(Party.owner_id.is_(None), Party.deleted_at.is_(None), Party.stage_id == stage.id)
        .order_by(Party.created_at, Party.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _load(user_ids: list[int]) -> dict[int, int]:
    """Open tasks plus owned parties, per user: what "least loaded" compares."""
    load = dict.fromkeys(user_ids, 0)
    owned = (
        select(Party.owner_id, func.count())
        .where(Party.owner_id.in_(user_ids), Party.deleted_at.is_(None))
        .group_by(Party.owner_id)
    )
    tasks = (
        select(Task.assignee_id, func.count())
        .where(Task.assignee_id.in_(user_ids), Task.status == TaskStatus.OPEN)
        .group_by(Task.assignee_id)
    )
    for query in (owned, tasks):
        for user_id, count in db.session.execute(query):
            load[user_id] += count
    return load


def distribute(
    actor: User, managers: list[User], strategy: str, party_ids: list[int] | None = None
) -> dict[int, int]:
    """Give the chosen leads (or the whole pool) to managers; returns {party id: owner id}.

    Round-robin deals them out in turn; least-loaded always gives the next lead to whoever
    has the fewest open tasks and parties at that moment. Each assignment is recorded.
    """
    if not actor.is_admin:
        raise PermissionDeniedError(_l("Only an admin can distribute leads."))
    if strategy not in STRATEGIES:
        raise DomainError(_l("Unknown way of distributing."))
    managers = [m for m in managers if m.active and m.can_edit]
    if not managers:
        raise DomainError(_l("Choose at least one active manager."))
    pool = lead_pool(limit=100_000)
    if party_ids is not None:
        wanted = set(party_ids)
        pool = [p for p in pool if p.id in wanted]
    assignments: dict[int, int] = {}
    if strategy == "round_robin":
        for party, manager in zip(pool, cycle(managers), strict=False):
            assignments[party.id] = manager.id
    else:
        load = _load([m.id for m in managers])
        order = {m.id: i for i, m in enumerate(managers)}
        for party in pool:
            chosen = min(load, key=lambda uid: (load[uid], order[uid]))
            assignments[party.id] = chosen
            load[chosen] += 1
    given: dict[int, int] = {}
    for party in pool:
        owner_id = assignments[party.id]
        # Only if still unassigned: two admins distributing at once never both get a lead.
        taken = db.session.execute(
            update(Party)
            .where(Party.id == party.id, Party.owner_id.is_(None))
            .values(owner_id=owner_id, version=Party.version + 1)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            continue
        given[party.id] = owner_id
        db.session.expire(party, ["owner_id", "owner"])
        audit.record(
            actor,
            "party",
            party.id,
            "assign",
            party_id=party.id,
            changes={"owner_id": [None, owner_id]},
        )
    db.session.flush()
    return given
