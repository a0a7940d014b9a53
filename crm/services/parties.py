"""Parties: create, edit with optimistic locking, trash and restore, visibility."""

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from crm.extensions import db
from crm.models import (
    OPEN_STATUSES,
    Contact,
    Offer,
    Party,
    PartyRole,
    PartyRoleName,
    Tag,
    Task,
    TaskStatus,
    User,
    party_tags,
)
from crm.models.base import utcnow
from crm.services import audit, ladder
from crm.services.access import require_editor, sees_only_own
from crm.services.errors import (
    DomainError,
    EditConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from crm.services.settings import DOCUMENT_LANGUAGES
from crm.services.text import digits, fold, split_lines

PROFILE_FIELDS = (
    "kind",
    "name",
    "legal_name",
    "tax_id",
    "industry",
    "website",
    "address",
    "phones",
    "emails",
    "employees",
    "product_range",
    "end_customers",
    "price_range",
    "notes",
    "owner_id",
)
# Apart from PROFILE_FIELDS, whose every column the benchmark generator (cli/bench_chunk.py) fills.
PREFERENCE_FIELDS = ("language",)
AUDITED_FIELDS = (*PROFILE_FIELDS, *PREFERENCE_FIELDS, "roles", "tags")


def get_party(user: User, party_id: int, *, include_deleted: bool = False) -> Party:
    """The party if it exists and the user may see it; NotFoundError otherwise."""
    # One query for the party with its roles and tags (they would be two more). The joins
    # are spelled out so that SQLite looks the tags up by index instead of building the
    # whole party_tags ⋈ tags join first.
    query = (
        select(Party)
        .outerjoin(party_tags, party_tags.c.party_id == Party.id)
        .outerjoin(Tag, Tag.id == party_tags.c.tag_id)
        .options(joinedload(Party.roles), contains_eager(Party.tags))
        .where(Party.id == party_id)
        .order_by(Tag.name)
        .execution_options(populate_existing=True)
    )
    party = db.session.scalars(query).unique().first()
    if party is None or (sees_only_own(user) and party.owner_id != user.id):
        raise NotFoundError(_l("No such party."))
    if party.deleted_at is not None and not (include_deleted and user.is_admin):
        raise NotFoundError(_l("No such party."))
    return party


def search_text_of(party: Party) -> str:
    """The folded text that search matches against: names, e-mails, phone digits."""
    contacts = []
    if party.id:
        with db.session.no_autoflush:
            query = select(Contact).where(
                Contact.party_id == party.id, Contact.deleted_at.is_(None)
            )
            contacts = db.session.scalars(query).all()
    words = [party.name, party.legal_name, party.tax_id, party.emails]
    phones = split_lines(party.phones or "")
    for contact in contacts:
        words += [contact.name, contact.emails]
        phones += split_lines(contact.phones or "")
    return " | ".join([fold(w) for w in words if w] + [digits(p) for p in phones if digits(p)])


def refresh_search_text(party: Party) -> None:
    """Recompute the sort key and search text as part of saving the party."""
    party.search_text = search_text_of(party)
    party.name_key = fold(party.name or "")[:200]


def reindex_after_contact_change(party: Party) -> None:
    """Refresh the search text without bumping the party's version.

    A contact edit is not an edit of the party's profile: it must not make someone
    who is editing the profile at the same time hit an edit conflict.
    """
    text = search_text_of(party)
    db.session.execute(
        update(Party)
        .where(Party.id == party.id)
        .values(search_text=text)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(party, "search_text", text)


def _tags(names: Iterable[str]) -> list[Tag]:
    """Existing tags by name, creating the missing ones."""
    wanted = {n.strip()[:60]: None for n in names if n.strip()}
    if not wanted:
        return []
    existing = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(wanted)))}
    tags = []
    for name in wanted:
        tag = existing.get(name) or Tag(name=name)
        db.session.add(tag)
        tags.append(tag)
    return tags


def _audit_state(party: Party) -> dict:
    state = audit.snapshot(party, (*PROFILE_FIELDS, *PREFERENCE_FIELDS))
    state["roles"] = sorted(party.role_names)
    state["tags"] = sorted(t.name for t in party.tags)
    return state


def _apply(party: Party, data: dict) -> None:
    for name in (*PROFILE_FIELDS, *PREFERENCE_FIELDS):
        if name in data:
            setattr(party, name, data[name])
    if "roles" in data:
        wanted = [PartyRoleName(r) for r in data["roles"]]
        party.roles = [r for r in party.roles if r.role in wanted] + [
            PartyRole(role=r) for r in wanted if r not in party.role_names
        ]
    if "tags" in data:
        party.tags = _tags(data["tags"])


def _check_language(data: dict) -> dict:
    """The data with its document language checked: one we write documents in, or None."""
    if "language" not in data:
        return data
    language = data["language"] or None
    if language not in (None, *DOCUMENT_LANGUAGES):
        raise DomainError(_l("Documents cannot be written in this language."))
    return {**data, "language": language}


def create_party(actor: User, data: dict) -> Party:
    """Add a party; the actor owns it unless an owner is given."""
    require_editor(actor)
    data = _check_language(data)
    party = Party()
    _apply(party, data)
    party.owner_id = data.get("owner_id") or None
    # Only an admin may leave a party unassigned (a lead in the pool); others own it.
    if party.owner_id is None and not actor.is_admin or sees_only_own(actor):
        party.owner_id = actor.id
    refresh_search_text(party)
    ladder.enter_ladder(actor, party)
    db.session.add(party)
    db.session.flush()
    audit.record(
        actor,
        "party",
        party.id,
        "create",
        party_id=party.id,
        changes=audit.diff({}, _audit_state(party)),
        version=party.version,
    )
    return party


def update_party(actor: User, party: Party, data: dict, expected_version: int) -> Party:
    """Save the changes unless someone saved the party after this user opened it."""
    require_editor(actor)
    data = _check_language(data)
    if party.version != expected_version:
        raise EditConflictError(audit.party_changes_since(party.id, expected_version))
    if sees_only_own(actor) or ("owner_id" in data and not data["owner_id"] and not actor.is_admin):
        data = {k: v for k, v in data.items() if k != "owner_id"}
    if "owner_id" in data:
        data["owner_id"] = data["owner_id"] or None  # an admin may return it to the lead pool
    before = _audit_state(party)
    _apply(party, data)
    changes = audit.diff(before, _audit_state(party))
    if not changes:
        return party
    refresh_search_text(party)
    # Roles and tags live in other tables: touching the row makes every save bump the
    # version, so that a concurrent edit of only those is caught too.
    party.updated_at = utcnow()
    with db.session.no_autoflush:  # one UPDATE below, where a racing save is caught
        ladder.enter_ladder(actor, party)
    try:
        db.session.flush()  # UPDATE … WHERE version = expected: a racing save fails here
    except StaleDataError as exc:
        db.session.rollback()
        raise EditConflictError([]) from exc
    if "owner_id" in changes:
        _follow_owner(party, *changes["owner_id"])
    audit.record(
        actor,
        "party",
        party.id,
        "update",
        party_id=party.id,
        changes=changes,
        version=party.version,
    )
    return party


def trash_party(actor: User, party: Party) -> None:
    """Move a party to the trash; an admin can restore it."""
    require_editor(actor)
    party.deleted_at = utcnow()
    party.deleted_by_id = actor.id
    db.session.flush()
    audit.record(actor, "party", party.id, "delete", party_id=party.id, version=party.version)


def restore_party(actor: User, party: Party) -> None:
    """Bring a party back from the trash (admins only)."""
    if not actor.is_admin:
        raise PermissionDeniedError(_l("Only an admin can restore."))
    party.deleted_at = None
    party.deleted_by_id = None
    db.session.flush()
    audit.record(actor, "party", party.id, "restore", party_id=party.id, version=party.version)


def trashed_parties(limit: int = 200) -> list[Party]:
    """The most recently deleted parties."""
    query = (
        select(Party)
        .where(Party.deleted_at.is_not(None))
        .order_by(Party.deleted_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _follow_owner(party: Party, old_owner_id: int | None, new_owner_id: int | None) -> None:
    """The open tasks and offers the old owner had on the party go with it to the new owner."""
    if old_owner_id is None or new_owner_id is None:
        return
    db.session.execute(
        update(Task)
        .where(
            Task.party_id == party.id,
            Task.assignee_id == old_owner_id,
            Task.status == TaskStatus.OPEN,
        )
        .values(assignee_id=new_owner_id, version=Task.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Offer)
        .where(
            Offer.party_id == party.id,
            Offer.owner_id == old_owner_id,
            Offer.status.in_(OPEN_STATUSES),
        )
        .values(owner_id=new_owner_id, version=Offer.version + 1)
        .execution_options(synchronize_session=False)
    )
