"""The ladder report's numbers, from moves with explicit timestamps — no HTTP."""

from datetime import date, datetime

import pytest
from sqlalchemy import delete, select

from crm.extensions import db
from crm.models import LossReason, Party, Stage, StageMove, User
from crm.services import ladder, ladder_admin, ladder_report, ladder_report_queries, parties
from crm.services.ladder_report import MoveCount, Period
from crm.services.settings import set_setting
from tests.factories import make_party, make_user

# 1 January to 31 March 2025: the end is exclusive, 1 April 00:00.
PERIOD = Period(datetime(2025, 1, 1), datetime(2025, 4, 1))


def stage(key: str) -> Stage:
    return db.session.scalar(select(Stage).where(Stage.key == key, Stage.archived_at.is_(None)))


def reason(key: str) -> LossReason:
    return db.session.scalar(select(LossReason).where(LossReason.key == key))


def key_of(stage_id: int | None) -> str | None:
    return None if stage_id is None else db.session.get(Stage, stage_id).key


def with_history(owner: User, name: str, *steps: tuple) -> Party:
    """A party whose only moves are `steps`: (when, stage key[, reason key]), oldest first."""
    party = make_party(owner, name)
    db.session.execute(delete(StageMove).where(StageMove.party_id == party.id))
    previous = None
    for when, to_key, *why in steps:
        to = stage(to_key)
        db.session.add(
            StageMove(
                party_id=party.id,
                from_stage_id=previous,
                to_stage_id=to.id,
                at=datetime.fromisoformat(when),
                reason_id=reason(why[0]).id if why else None,
            )
        )
        previous = to.id
    party.stage_id, party.stage_since = previous, datetime.fromisoformat(steps[-1][0])
    db.session.commit()
    return party


@pytest.fixture
def story(manager) -> dict[str, Party]:
    """Parties whose moves straddle PERIOD, one for each case the report must get right."""
    parties_by_role = {
        # moved twice in the period
        "twice": with_history(
            manager,
            "Twice",
            ("2024-10-01", "suspect"),
            ("2025-01-10", "prospect"),
            ("2025-02-10", "first_time_buyer"),
        ),
        # entered the ladder in the period
        "entered": with_history(manager, "Entered", ("2025-02-01", "suspect")),
        # the relationship ended in the period
        "ended": with_history(
            manager,
            "Ended",
            ("2024-06-01", "suspect"),
            ("2024-07-01", "client"),
            ("2025-03-01", "ended", "price"),
        ),
        # moved down in the period
        "down": with_history(
            manager,
            "Down",
            ("2024-11-01", "suspect"),
            ("2024-12-01", "client"),
            ("2025-03-15", "prospect", "service"),
        ),
        # moves only after the period
        "later": with_history(
            manager, "Later", ("2024-12-01", "suspect"), ("2025-05-01", "prospect")
        ),
        # moved at the very first moment of the period, and at the first moment after it
        "at_start": with_history(
            manager, "At start", ("2024-12-20", "suspect"), ("2025-01-01 00:00", "prospect")
        ),
        "at_end": with_history(
            manager, "At end", ("2024-12-01", "suspect"), ("2025-04-01 00:00", "prospect")
        ),
        # in the trash: left out of everything
        "trashed": with_history(
            manager,
            "Trashed",
            ("2024-11-01", "suspect"),
            ("2025-01-20", "prospect"),
            ("2025-02-20", "supporter"),
        ),
    }
    parties.trash_party(manager, parties_by_role["trashed"])
    db.session.commit()
    return parties_by_role


@pytest.mark.parametrize(
    ("key", "at_start", "at_end"),
    [
        ("suspect", 4, 3),  # twice, later, at_start, at_end → entered, later, at_end
        ("prospect", 0, 2),  # down, at_start
        ("first_time_buyer", 0, 1),  # twice
        ("client", 2, 0),  # ended, down
        ("supporter", 0, 0),  # only the trashed party got there
        ("ended", 0, 1),
    ],
)
def test_clients_per_stage_at_the_start_and_at_the_end(story, manager, key, at_start, at_end):
    start, end = ladder_report.stage_counts(manager, PERIOD)
    stage_id = stage(key).id
    assert (start.get(stage_id, 0), end.get(stage_id, 0)) == (at_start, at_end)


@pytest.mark.parametrize(
    "moment",
    ["2024-01-01", "2024-12-20", "2025-01-01", "2025-02-15", "2025-04-01", "2030-01-01"],
)
def test_history_before_a_moment_and_today_rewound_give_the_same_stages(story, manager, moment):
    at = datetime.fromisoformat(moment)
    from_history = ladder_report_queries.stages_before(manager, at)
    current = ladder_report_queries.current_stages(manager)
    since = ladder_report_queries.moves_since(manager, at)
    assert ladder_report.rewind(current, since) == from_history


def test_totals_at_start_and_end_differ_by_the_parties_that_entered(story, manager):
    start, end = ladder_report.stage_counts(manager, PERIOD)
    assert (sum(start.values()), sum(end.values())) == (6, 7)


def test_the_movement_matrix_counts_moves_in_the_period(story, manager):
    matrix = ladder_report.movement_matrix(ladder_report_queries.move_counts(manager, PERIOD))
    named = {(key_of(f), key_of(t)): n for (f, t), n in matrix.items()}
    assert named == {
        ("suspect", "prospect"): 2,  # twice, at_start
        ("prospect", "first_time_buyer"): 1,
        (None, "suspect"): 1,  # entered
        ("client", "ended"): 1,
        ("client", "prospect"): 1,
    }


def test_end_equals_start_plus_the_moves_in_between(story, manager):
    start, end = ladder_report.stage_counts(manager, PERIOD)
    matrix = ladder_report.movement_matrix(ladder_report_queries.move_counts(manager, PERIOD))
    for stage_id in set(start) | set(end):
        arrived = sum(n for (_, t), n in matrix.items() if t == stage_id)
        left = sum(n for (f, _), n in matrix.items() if f == stage_id)
        assert start.get(stage_id, 0) + arrived - left == end.get(stage_id, 0)


def test_moves_up_and_down_and_the_reasons(story, manager):
    report = ladder_report.build_report(manager, PERIOD)
    assert report.directions == ladder_report.Directions(
        entered=1, up=3, down=2, ended=1, remapped=0
    )
    reasons = {report.reason_by_id[r.reason_id].key: (r.down, r.ended) for r in report.reasons}
    assert reasons == {"price": (0, 1), "service": (1, 0)}


@pytest.mark.parametrize(
    ("key", "stays", "median_days"),
    [
        ("suspect", 2, (101 + 12) / 2),  # twice: 1 Oct → 10 Jan; at_start: 20 Dec → 1 Jan
        ("prospect", 1, 31),  # twice: 10 Jan → 10 Feb
        ("client", 2, (243 + 104) / 2),  # ended: 1 Jul → 1 Mar; down: 1 Dec → 15 Mar
    ],
)
@pytest.mark.parametrize("share", [1, 10**9])  # read only the movers' histories, or all
def test_median_time_in_stage_counts_stays_that_ended_in_the_period(
    story, manager, monkeypatch, key, stays, median_days, share
):
    monkeypatch.setattr(ladder_report_queries, "NARROW_SHARE", share)
    times = ladder_report_queries.stage_times(manager, PERIOD)
    time = times[stage(key).id]
    assert time.stays == stays
    assert time.median_days == pytest.approx(median_days, abs=1e-6)


def test_stays_still_going_or_ended_elsewhen_are_not_timed(story, manager):
    times = ladder_report_queries.stage_times(manager, PERIOD)
    assert {key_of(s) for s in times} == {"suspect", "prospect", "client"}


@pytest.mark.parametrize(
    ("lengths", "median"),
    [([5], 5), ([1, 9], 5), ([3, 1, 2], 2), ([10, 1, 4, 2], 3)],
)
def test_the_median_is_the_middle_stay_or_the_mean_of_the_two(manager, lengths, median):
    for i, days in enumerate(lengths):
        with_history(
            manager,
            f"P{i}",
            ("2025-01-01 00:00", "suspect"),
            (f"2025-01-{1 + days:02d} 00:00", "prospect"),
        )
    times = ladder_report_queries.stage_times(manager, PERIOD)
    assert times[stage("suspect").id].median_days == pytest.approx(median)


def test_a_manager_who_sees_only_his_own_gets_only_his_parties(story, manager):
    other = make_user("dmitry@example.com", name="Dmitry")
    with_history(other, "Not his", ("2025-02-01", "suspect"), ("2025-02-05", "client"))
    set_setting("manager_visibility", "own")
    db.session.commit()
    mine = ladder_report.build_report(manager, PERIOD)
    theirs = ladder_report.build_report(other, PERIOD)
    assert (mine.moves, mine.directions.entered) == (6, 1)
    assert (theirs.moves, theirs.directions.entered, theirs.directions.up) == (2, 1, 1)
    assert sum(theirs.end.values()) == 1 and stage("client").id in theirs.end
    set_setting("manager_visibility", "all")
    db.session.commit()
    assert ladder_report.build_report(manager, PERIOD).moves == 8


def test_a_model_change_is_neither_up_nor_down_and_old_stages_stay_in_the_report(admin):
    with_history(admin, "Old ladder", ("2024-12-01", "suspect"), ("2025-01-05", "client"))
    old = {s.key: s.id for s in ladder.stages()}
    mapping = {old[k]: "awareness" for k in old}
    mapping[old["client"]] = "commitment"
    mapping[old["ended"]] = "dissolution"
    ladder_admin.switch_model(admin, "dwyer", mapping)
    db.session.execute(
        StageMove.__table__.update()
        .where(StageMove.source == "model_change")
        .values(at=datetime(2025, 2, 1))
    )
    db.session.commit()
    report = ladder_report.build_report(admin, PERIOD)
    assert report.directions == ladder_report.Directions(up=1, remapped=1)
    keys = [(s.key, s.archived_at is not None) for s in report.stages]
    assert keys[:5] == [(k, False) for k in ("awareness", "exploration", "expansion")] + [
        ("commitment", False),
        ("dissolution", False),
    ]
    assert ("client", True) in keys and ("suspect", True) in keys
    assert report.end == {stage("commitment").id: 1}


@pytest.mark.parametrize(
    ("from_key", "to_key", "source", "kind"),
    [
        (None, "suspect", "rule", "entered"),
        ("suspect", "client", "manual", "up"),
        ("client", "prospect", "manual", "down"),
        ("client", "ended", "manual", "ended"),
        ("ended", "suspect", "manual", "up"),  # back from the end: a fresh start
        ("client", "suspect", "model_change", "remapped"),
    ],
)
def test_each_kind_of_move_is_counted_once(from_key, to_key, source, kind):
    stage_by_id = {s.id: s for s in db.session.scalars(select(Stage))}
    move = MoveCount(stage(from_key).id if from_key else None, stage(to_key).id, None, source, 3)
    totals = ladder_report.directions([move], stage_by_id)
    expected = {"entered": 0, "up": 0, "down": 0, "ended": 0, "remapped": 0, kind: 3}
    if kind == "ended":
        expected["down"] = 3  # an ending is a move down too
    assert totals == ladder_report.Directions(**expected)


def test_reasons_follow_the_admins_order_and_missing_reasons_come_last():
    stage_by_id = {s.id: s for s in db.session.scalars(select(Stage))}
    client, prospect, ended = stage("client").id, stage("prospect").id, stage("ended").id
    price, service = reason("price").id, reason("service").id
    counts = [
        MoveCount(client, prospect, None, "manual", 1),
        MoveCount(client, ended, service, "manual", 2),
        MoveCount(client, prospect, price, "manual", 4),
        MoveCount(prospect, client, None, "manual", 8),  # up: no reason counted
    ]
    rows = ladder_report.reason_counts(counts, stage_by_id, [price, service])
    assert [(r.reason_id, r.down, r.ended, r.total) for r in rows] == [
        (price, 4, 0, 4),
        (service, 0, 2, 2),
        (None, 1, 0, 1),
    ]


def test_an_empty_period_gives_empty_numbers(manager):
    report = ladder_report.build_report(manager, PERIOD)
    assert (report.start, report.end, report.matrix, report.times) == ({}, {}, {}, {})
    assert report.directions == ladder_report.Directions()
    assert [s.key for s in report.stages][0] == "suspect"  # the ladder is still listed


def test_the_default_period_is_the_last_90_days_today_included():
    assert ladder_report.default_dates(date(2025, 3, 31)) == (date(2025, 1, 1), date(2025, 3, 31))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+380 50 123", "'+380 50 123"),
        ("-VIP", "'-VIP"),
        ("@cmd", "'@cmd"),
        ("-5", "-5"),
        ("+2.5", "+2.5"),
        (12, "12"),
        (None, ""),
        ("Клієнт", "Клієнт"),
    ],
)
def test_csv_cells_that_could_run_as_formulas_are_quoted(value, cell):
    assert ladder_report.csv_cell(value) == cell


def test_csv_has_a_bom_and_a_header():
    text = ladder_report.to_csv(["Stage", "Start"], [["=evil", 3], ["Клієнт", 0]])
    assert text.startswith("\ufeffStage,Start\r\n")
    assert text.splitlines()[1:] == ["'=evil,3", "Клієнт,0"]
