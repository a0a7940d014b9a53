"""The pipeline board's queries: counts, keyset pages, filters, visibility — no HTTP."""

from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from crm.extensions import db
from crm.models import Party, Stage, Tag
from crm.models.base import utcnow
from crm.services import board, ladder, parties, settings
from crm.services.board import BoardFilter
from tests.factories import make_party, make_user


def stage(key: str) -> Stage:
    return db.session.scalar(select(Stage).where(Stage.key == key, Stage.archived_at.is_(None)))


def place(party: Party, key: str, days_ago: float | None) -> Party:
    """Put a party on a stage, last contacted `days_ago` days ago (None: never)."""
    contact = None if days_ago is None else utcnow() - timedelta(days=days_ago)
    db.session.execute(
        update(Party)
        .where(Party.id == party.id)
        .values(stage_id=stage(key).id, last_contact_at=contact)
    )
    db.session.commit()
    db.session.expire_all()
    return party


def names(page: board.ColumnPage) -> list[str]:
    return [card.name for card in page.cards]


@pytest.fixture
def other(manager):
    return make_user("dmitry@example.com", name="Дмитрий Орлов")


def test_counts_every_stage_in_one_query_leaving_out_the_trash_and_non_clients(manager):
    on_prospect = [place(make_party(manager, f"P{i}"), "prospect", i) for i in range(3)]
    make_party(manager, "Suspect")
    make_party(manager, "Supplier", roles=["supplier"])  # not on the ladder
    parties.trash_party(manager, on_prospect[0])
    db.session.commit()

    statements = []
    engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        counts = board.column_counts(manager, BoardFilter(), ladder.stages())
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert counts == {stage("prospect").id: 2, stage("suspect").id: 1}
    assert len([s for s in statements if "count(" in s.lower()]) == 1


def test_a_column_pages_by_longest_without_contact_first(manager):
    days = [5, 40, 40, 3, 100, 0, 12]
    made = [place(make_party(manager, f"Card {i}"), "client", d) for i, d in enumerate(days)]
    ordered = sorted(zip(days, (p.id for p in made), strict=True), key=lambda x: (-x[0], x[1]))
    expected = [f"Card {[p.id for p in made].index(pid)}" for _, pid in ordered]

    first = board.column_cards(manager, stage("client"), BoardFilter(), limit=3)
    second = board.column_cards(manager, stage("client"), BoardFilter(), first.next_cursor, 3)
    last = board.column_cards(manager, stage("client"), BoardFilter(), second.next_cursor, 3)
    assert names(first) + names(second) + names(last) == expected
    assert first.next_cursor and second.next_cursor and last.next_cursor is None
    assert [c.days_since_contact for c in first.cards] == [100, 40, 40]


def test_never_contacted_cards_come_first_and_page_like_the_others(manager):
    never = [place(make_party(manager, f"Never {i}"), "client", None) for i in range(3)]
    place(make_party(manager, "Old"), "client", 50)
    first = board.column_cards(manager, stage("client"), BoardFilter(), limit=2)
    rest = board.column_cards(manager, stage("client"), BoardFilter(), first.next_cursor, 5)
    assert names(first) + names(rest) == [p.name for p in never] + ["Old"]
    assert first.cards[0].days_since_contact is None and rest.next_cursor is None


@pytest.mark.parametrize("cursor", ["nonsense", "W1tdXQ", "WyJ4IiwgMV0", "eyJhIjogMX0"])
def test_a_tampered_cursor_gives_the_first_page(manager, cursor):
    place(make_party(manager, "Only"), "client", 1)
    page = board.column_cards(manager, stage("client"), BoardFilter(), cursor)
    assert names(page) == ["Only"]


def test_the_board_has_every_current_stage_bottom_first_and_the_terminal_one_last(manager):
    place(make_party(manager, "Gone"), "ended", 400)
    result = board.load_board(manager, BoardFilter())
    assert [c.stage.key for c in result.columns] == [s.key for s in ladder.stages()]
    assert result.columns[-1].stage.terminal and names(result.columns[-1]) == ["Gone"]
    assert result.total == 1


def test_cards_carry_owner_days_and_the_at_risk_flag_computed_from_the_stage(manager):
    interval = stage("client").contact_interval_days
    place(make_party(manager, "Fresh"), "client", 2 * interval - 1)
    place(make_party(manager, "Drifting"), "client", 2 * interval + 1)
    place(make_party(manager, "Ended long ago"), "ended", 10 * interval)
    columns = {c.stage.key: c for c in board.load_board(manager, BoardFilter()).columns}
    flags = {c.name: c.at_risk for c in columns["client"].cards + columns["ended"].cards}
    assert flags == {"Fresh": False, "Drifting": True, "Ended long ago": False}
    assert {c.owner_name for c in columns["client"].cards} == {manager.name}


def _filters_world(manager, other):
    """Four clients: two owners, tags, roles, one at risk."""
    vip = Tag(name="VIP")
    db.session.add(vip)
    db.session.commit()
    place(make_party(manager, "Mine VIP", tags=["VIP"]), "client", 1)
    place(make_party(manager, "Mine partner", roles=["client", "partner"]), "client", 500)
    place(make_party(other, "His VIP", tags=["VIP"]), "client", 2)
    place(make_party(other, "His prospect"), "prospect", 3)
    return vip.id


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"Mine VIP", "Mine partner", "His VIP", "His prospect"}),
        ({"mine": True}, {"Mine VIP", "Mine partner"}),
        ({"owner": "other"}, {"His VIP", "His prospect"}),
        ({"role": "partner"}, {"Mine partner"}),
        ({"tag": True}, {"Mine VIP", "His VIP"}),
        ({"at_risk": True}, {"Mine partner"}),
        ({"tag": True, "mine": True}, {"Mine VIP"}),
    ],
)
def test_filters_narrow_counts_and_cards_alike(manager, other, filters, expected):
    tag_id = _filters_world(manager, other)
    wanted = BoardFilter(
        owner_id=other.id if filters.get("owner") else None,
        role=filters.get("role", ""),
        tag_id=tag_id if filters.get("tag") else None,
        mine=filters.get("mine", False),
        at_risk=filters.get("at_risk", False),
    )
    result = board.load_board(manager, wanted)
    shown = {card.name for column in result.columns for card in column.cards}
    assert shown == expected
    assert result.total == len(expected)
    client_only = board.column_cards(manager, stage("client"), wanted)
    assert set(names(client_only)) == expected - {"His prospect"}


def test_under_own_visibility_a_manager_sees_only_their_own_and_cannot_filter_others(
    manager, other, admin
):
    _filters_world(manager, other)
    settings.set_setting("manager_visibility", "own")
    db.session.commit()
    for filters in (BoardFilter(), BoardFilter(owner_id=other.id)):
        result = board.load_board(manager, filters)
        assert {c.name for col in result.columns for c in col.cards} == {
            "Mine VIP",
            "Mine partner",
        }
        assert board.column_counts(manager, filters) == {stage("client").id: 2}
    assert board.load_board(admin, BoardFilter()).total == 4  # admins still see everyone


def test_card_of_a_moved_party_matches_the_column_card(manager):
    party = make_party(manager, "Moved")
    ladder.move_party(manager, party, stage("client"), party.stage_id)
    db.session.commit()
    card = board.card_of(party)
    (listed,) = board.column_cards(manager, stage("client"), BoardFilter()).cards
    assert card == listed
    assert card.days_since_contact is None and not card.at_risk  # a move is not a contact


def test_never_contacted_cards_are_at_risk_after_twice_the_interval_on_the_stage(manager):
    interval = stage("client").contact_interval_days
    long_ago = utcnow() - timedelta(days=2 * interval + 1)
    for name, since in (("Waiting", long_ago), ("New", utcnow())):
        party = place(make_party(manager, name), "client", None)
        db.session.execute(update(Party).where(Party.id == party.id).values(stage_since=since))
    db.session.commit()
    page = board.column_cards(manager, stage("client"), BoardFilter())
    assert {c.name: c.at_risk for c in page.cards} == {"Waiting": True, "New": False}
    at_risk = board.column_cards(manager, stage("client"), BoardFilter(at_risk=True))
    assert names(at_risk) == ["Waiting"]


def test_bench_data_places_clients_the_way_the_ladder_would():
    """crm/cli/bench_ladder.py: moves chain up to the stage, down moves carry a reason."""
    from crm.cli.bench_ladder import LadderPlacer

    now = utcnow()
    placer = LadderPlacer(7, now)
    by_id = {s.id: s for s in ladder.stages()}
    for i in range(300):
        created = now - timedelta(days=1 + i * 5)
        (stage_id, since, contact), moves = placer.place(i, ("client",), created, 1)
        assert moves[0]["from_stage_id"] is None and moves[0]["source"] == "rule"
        assert moves[-1]["to_stage_id"] == stage_id and moves[-1]["at"] == since
        for before, after in zip(moves, moves[1:], strict=False):
            assert after["from_stage_id"] == before["to_stage_id"] and after["at"] >= before["at"]
            down = ladder.is_down(by_id[after["from_stage_id"]], by_id[after["to_stage_id"]])
            assert (after["reason_id"] is not None) == down
        assert created <= since <= now and (contact is None or created <= contact <= now)
    assert placer.place(0, ("supplier",), now, 1) == ((None, None, None), [])
