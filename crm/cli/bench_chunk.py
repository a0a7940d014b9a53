"""Bench data in chunks: the rows of a run of parties, with the history the services keep.

Used by `crm/cli/bench_data.py`, one chunk per transaction: each party (from
`crm/cli/bench_parties.py`) gets an owner, roles, tags and contacts, its place on the
ladder and the stage moves that led there (`crm/cli/bench_ladder.py`), and the audit
entries the services would have written (the party, each contact, a few deletions).
Rows are plain dicts for Core executemany, no ORM objects.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crm.cli.bench_ladder import LadderPlacer
from crm.cli.bench_parties import PartyGenerator, search_columns
from crm.services import audit
from crm.services.parties import PROFILE_FIELDS

# Share of the client base each manager (bench_data.MANAGERS, in order) owns: a few own most.
OWNER_WEIGHTS = [24, 18, 14, 11, 9, 7, 6, 5, 4, 2]
TAG_COUNT_WEIGHTS = [35, 35, 20, 10]  # 0, 1, 2 or 3 tags


@dataclass
class ChunkRows:
    """The rows of one chunk, per table."""

    parties: list[dict] = field(default_factory=list)
    roles: list[dict] = field(default_factory=list)
    tags: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    audit: list[dict] = field(default_factory=list)
    moves: list[dict] = field(default_factory=list)


def build_chunk(
    gen: PartyGenerator,
    first: int,
    count: int,
    total: int,
    ids: dict[str, int],
    tag_names: dict[int, str],
    owners: list[int],
    timeline: tuple[datetime, float],
    placer: LadderPlacer,
) -> ChunkRows:
    """Rows for the parties `first` to `first + count` of `total`, ids after those in `ids`."""
    rng = gen.rng
    built = ChunkRows()
    start, span = timeline
    profiles = [
        gen.organisation() if rng.random() < 0.75 else gen.individual() for _ in range(count)
    ]
    contact_counts = gen.contact_counts([p["kind"] for p in profiles], 2 * count)
    for offset, (profile, n_contacts) in enumerate(zip(profiles, contact_counts, strict=True)):
        party_id = ids["party"] = ids["party"] + 1
        created = gen.created_at(first + offset, total, start, span)
        owner_id = rng.choices(owners, OWNER_WEIGHTS[: len(owners)])[0]
        roles = rng.choices(gen.role_sets, gen.role_weights)[0]
        n_tags = rng.choices(range(len(TAG_COUNT_WEIGHTS)), TAG_COUNT_WEIGHTS)[0]
        tag_ids: set[int] = set()
        while len(tag_ids) < n_tags:
            tag_ids.add(rng.choices(gen.tag_ids, gen.tag_weights)[0])
        contacts = [gen.contact(profile) for _ in range(n_contacts)]
        search_text, name_key = search_columns(profile, contacts)
        row = {k: profile[k] for k in PROFILE_FIELDS if k in profile}
        row.update(
            id=party_id,
            owner_id=owner_id,
            created_at=created,
            updated_at=created,
            deleted_at=None,
            deleted_by_id=None,
            version=1,
            name_key=name_key,
            search_text=search_text,
        )
        ladder_fields, moves = placer.place(party_id, roles, created, owner_id)
        row["stage_id"], row["stage_since"], row["last_contact_at"] = ladder_fields
        built.moves += moves
        built.parties.append(row)
        built.roles += [{"party_id": party_id, "role": r} for r in roles]
        built.tags += [{"party_id": party_id, "tag_id": t} for t in sorted(tag_ids)]
        # The history the services would have written: the party, then each contact.
        state = {k: row[k] for k in PROFILE_FIELDS}
        state["roles"] = sorted(roles)
        state["tags"] = sorted(tag_names[t] for t in tag_ids)
        ids["audit"] += 1
        built.audit.append(
            {
                "id": ids["audit"],
                "at": created,
                "user_id": owner_id,
                "party_id": party_id,
                "entity": "party",
                "entity_id": party_id,
                "action": "create",
                "changes": audit.diff({}, state),
                "version": 1,
            }
        )
        for n, contact in enumerate(contacts):
            ids["contact"] += 1
            at = created + timedelta(minutes=n + 1)
            built.contacts.append(
                {**contact, "id": ids["contact"], "party_id": party_id, "created_at": at}
            )
            ids["audit"] += 1
            built.audit.append(
                {
                    "id": ids["audit"],
                    "at": at,
                    "user_id": owner_id,
                    "party_id": party_id,
                    "entity": "contact",
                    "entity_id": ids["contact"],
                    "action": "create",
                    "changes": audit.diff({}, contact),
                    "version": None,
                }
            )
        if rng.random() < 0.005:  # a few parties in the trash
            deleted = created + timedelta(days=rng.randrange(1, 300))
            row.update(deleted_at=deleted, deleted_by_id=owner_id, version=2)
            ids["audit"] += 1
            built.audit.append(
                {
                    "id": ids["audit"],
                    "at": deleted,
                    "user_id": owner_id,
                    "party_id": party_id,
                    "entity": "party",
                    "entity_id": party_id,
                    "action": "delete",
                    "changes": {},
                    "version": 2,
                }
            )
    return built
