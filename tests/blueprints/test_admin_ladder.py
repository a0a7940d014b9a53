"""The ladder's admin pages: the model, its stages, switching models without losing anyone,
and the loss reasons."""

import html
import re
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import LossReason, Party, Setting, Stage, StageMove
from crm.services import ladder, ladder_stats, parties
from crm.services.stage_models import MODELS, STAGE_NAMES
from tests.factories import make_party

# --- helpers -------------------------------------------------------------------------------


def stage(key: str) -> Stage:
    return db.session.scalar(select(Stage).where(Stage.key == key, Stage.archived_at.is_(None)))


def reason(key: str) -> LossReason:
    return db.session.scalar(select(LossReason).where(LossReason.key == key))


def ladder_names() -> list[str]:
    return [s.key or s.custom_name for s in ladder.stages()]


def ladder_state() -> dict:
    """Every row the ladder pages could change: what "nothing changed" compares."""
    tables = [Stage.__table__, LossReason.__table__, StageMove.__table__, Setting.__table__]
    state = {t.name: sorted(map(tuple, db.session.execute(select(t))), key=repr) for t in tables}
    state["party stages"] = sorted(db.session.execute(select(Party.id, Party.stage_id)).all())
    return state


def text(response) -> str:
    """The page as text, entities decoded and whitespace squeezed."""
    without_tags = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(without_tags).split())


def row(response, element_id: str) -> str:
    """The HTML of one list item (a stage or a reason row)."""
    page = response.get_data(as_text=True)
    match = re.search(rf'<li id="{element_id}"(.*?)</li>', page, re.S)
    assert match, f"no row {element_id}"
    return match.group(1)


class Fields(HTMLParser):
    """The form fields of a page, and the ids that a <label for> names."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.fields: list[dict] = []
        self.labelled: set[str] = set()
        self.in_label = 0
        self.feed(page)

    def handle_starttag(self, tag, attrs) -> None:  # noqa: ANN001
        attrs = dict(attrs)
        if tag == "label":
            self.in_label += 1
            if attrs.get("for"):
                self.labelled.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.fields.append(attrs | {"wrapped": bool(self.in_label)})

    def handle_endtag(self, tag) -> None:  # noqa: ANN001
        if tag == "label":
            self.in_label -= 1

    def unlabelled(self) -> list[str]:
        return [
            f.get("name", "?")
            for f in self.fields
            if not f["wrapped"] and f.get("id") not in self.labelled
        ]


def stage_data(stage_row: Stage, **fields) -> dict:
    """A stage row's form as the page sends it, with `fields` changed."""
    values = {
        "name": stage_row.custom_name or "",
        "color": stage_row.color,
        "interval": stage_row.contact_interval_days,
    }
    return {f"stage{stage_row.id}-{k}": v for k, v in (values | fields).items()}


def put_on(manager, key: str, name: str) -> Party:
    party = make_party(manager, name)
    to = stage(key)
    if to.id != party.stage_id:
        why = reason("price") if ladder.is_down(party.stage, to) else None
        ladder.move_party(manager, party, to, party.stage_id, reason=why)
        db.session.commit()
    return party


@pytest.fixture
def as_admin(client, admin):
    client.login(admin.email)
    return client


# --- the ladder page -----------------------------------------------------------------------


def test_the_ladder_page_shows_the_model_and_every_stage_with_its_live_clients(as_admin, manager):
    put_on(manager, "suspect", "A")
    put_on(manager, "suspect", "B")
    put_on(manager, "client", "C")
    trashed = put_on(manager, "suspect", "Trashed")
    parties.trash_party(manager, trashed)
    db.session.commit()

    response = as_admin.get("/admin/ladder")

    assert response.status_code == 200
    page = text(response)
    assert "Model: Kotler's loyalty ladder." in page
    assert "3 clients stand on the ladder." in page
    titles = re.findall(r'<h3 class="stage-title">([^<]+)</h3>', response.get_data(as_text=True))
    assert [html.unescape(t) for t in titles] == [
        "Suspect",
        "Prospect",
        "First-time buyer",
        "Repeat buyer",
        "Client",
        "Supporter",
        "Advocate",
        "Partner",
        "Relationship ended",
    ]
    assert "2 clients" in row(response, f"stage-{stage('suspect').id}")  # not the trashed one
    assert "1 client" in row(response, f"stage-{stage('client').id}")
    assert 'type="color"' in row(response, f"stage-{stage('prospect').id}")
    for key in ("Add a stage", "Switch the model", "Payne's relationship ladder"):
        assert key in page
    assert Fields(response.get_data(as_text=True)).unlabelled() == []


def test_the_terminal_stage_has_no_move_or_remove_buttons_and_the_ends_cannot_go_further(
    as_admin,
):
    response = as_admin.get("/admin/ladder")
    ended = row(response, f"stage-{stage('ended').id}")
    assert "Move up" not in ended and "Remove" not in ended
    bottom = row(response, f"stage-{stage('suspect').id}")
    assert re.search(r'id="stage-\d+-down" class="button" disabled', bottom)
    top = row(response, f"stage-{stage('partner').id}")
    assert re.search(r'id="stage-\d+-up" class="button" disabled', top)


def test_the_stage_list_alone_for_htmx(as_admin):
    response = as_admin.get("/admin/ladder", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<ol id="ladder-stages"') and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_built_in_stage_names_follow_the_users_language_and_renamed_ones_do_not(
    app, as_admin, admin
):
    stage("client").custom_name = "Key account"
    admin.locale = "uk"
    db.session.commit()
    with app.test_request_context(), force_locale("uk"):
        prospect_uk = str(STAGE_NAMES["prospect"])
    response = as_admin.get("/admin/ladder")
    assert '<html lang="uk">' in response.get_data(as_text=True)
    assert prospect_uk in text(response)
    assert "Key account" in text(response)


def test_built_in_stage_names_show_in_english_for_english_users(as_admin):
    response = as_admin.get("/admin/ladder")
    assert 'placeholder="First-time buyer"' in response.get_data(as_text=True)
    assert "First-time buyer" in text(response)


# --- editing stages ------------------------------------------------------------------------


def test_a_stage_is_renamed_recoloured_and_given_a_new_interval(as_admin):
    prospect = stage("prospect")
    data = stage_data(prospect, name="  Lead ", color="#12ABCD", interval=30)
    response = as_admin.send(f"/admin/ladder/stages/{prospect.id}", data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/ladder#stage-{prospect.id}")
    prospect = stage("prospect")
    assert (prospect.custom_name, prospect.color, prospect.contact_interval_days) == (
        "Lead",
        "#12abcd",
        30,
    )
    assert "Lead" in text(as_admin.get("/admin/ladder"))


def test_an_empty_name_returns_a_built_in_stage_to_its_own_name(as_admin):
    prospect = stage("prospect")
    prospect.custom_name = "Lead"
    db.session.commit()
    response = as_admin.send(f"/admin/ladder/stages/{prospect.id}", stage_data(prospect, name=""))
    assert response.status_code == 302
    assert stage("prospect").custom_name is None
    page = as_admin.get("/admin/ladder")
    assert '<h3 class="stage-title">Prospect</h3>' in row(page, f"stage-{prospect.id}")


def test_saving_a_row_with_htmx_returns_the_list_with_a_note_on_that_row(as_admin):
    prospect = stage("prospect")
    data = stage_data(prospect, interval=45)
    response = as_admin.send(f"/admin/ladder/stages/{prospect.id}", data, htmx=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<ol id="ladder-stages"')
    assert 'role="status">Saved.' in row(response, f"stage-{prospect.id}")
    assert stage("prospect").contact_interval_days == 45


BAD_STAGE_INPUT = [
    ("interval", "0", "Between 1 and 3650 days."),
    ("interval", "99999", "Between 1 and 3650 days."),
    ("interval", "", "Enter a number of days."),
    ("interval", "soon", "Between 1 and 3650 days."),
    ("color", "red", "Choose a colour such as #1f9d74."),
    ("color", "#12345", "Choose a colour such as #1f9d74."),
    ("name", "Client", "Another stage is already called “Client”."),
    ("name", "x" * 81, "Field cannot be longer than 80 characters."),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_STAGE_INPUT)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_stage_input_is_refused_next_to_the_field_and_nothing_is_saved(
    as_admin, field, value, message, htmx
):
    prospect = stage("prospect")
    before = ladder_state()
    data = stage_data(prospect, **{field: value})
    response = as_admin.send(f"/admin/ladder/stages/{prospect.id}", data, htmx=htmx)
    assert response.status_code == 422
    assert ("<html" in response.get_data(as_text=True)) is not htmx
    field_id = f"stage{prospect.id}-{field}"
    prospect_row = row(response, f"stage-{prospect.id}")
    error = re.search(
        rf'<p id="{field_id}-error" class="error" role="alert">([^<]*)</p>', prospect_row
    )
    assert error and message in html.unescape(error.group(1))
    assert re.search(
        rf'<input aria-describedby="[^"]*{field_id}-error" aria-invalid="true"', prospect_row
    )
    assert ladder_state() == before


def test_a_stage_the_admin_added_cannot_lose_its_name(as_admin, admin):
    from crm.services import ladder_admin

    added = ladder_admin.add_stage(admin, "Ambassador", "#123456", 30)
    db.session.commit()
    before = ladder_state()
    response = as_admin.send(f"/admin/ladder/stages/{added.id}", stage_data(added, name=" "))
    assert response.status_code == 422
    assert "A stage you added needs a name." in row(response, f"stage-{added.id}")
    assert ladder_state() == before


def test_an_archived_or_unknown_stage_is_not_found(as_admin, admin):
    from crm.services import ladder_admin

    suspect = stage("suspect")
    ladder_admin.remove_stage(admin, suspect, stage("prospect"))
    db.session.commit()
    assert as_admin.send(f"/admin/ladder/stages/{suspect.id}", {}).status_code == 404
    assert as_admin.get(f"/admin/ladder/stages/{suspect.id}/remove").status_code == 404
    assert as_admin.send("/admin/ladder/stages/9999/move/up").status_code == 404
    assert (
        as_admin.send(f"/admin/ladder/stages/{stage('prospect').id}/move/left").status_code == 404
    )


# --- adding and ordering stages ------------------------------------------------------------


def test_a_new_stage_goes_just_below_the_terminal_one_and_the_ladder_becomes_custom(as_admin):
    data = {"new-name": "Ambassador", "new-color": "#654321", "new-interval": "120"}
    response = as_admin.send("/admin/ladder/stages", data)
    assert response.status_code == 302
    added = db.session.scalar(select(Stage).where(Stage.custom_name == "Ambassador"))
    assert (added.color, added.contact_interval_days) == ("#654321", 120)
    assert ladder_names()[-2:] == ["Ambassador", "ended"]
    assert db.session.get(Setting, "stage_model").value == "custom"
    page = as_admin.get("/admin/ladder")
    assert "Model: Your own ladder." in text(page)
    assert "The stage “Ambassador” was added." in text(page)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"new-name": ""}, "name", "A stage you added needs a name."),
        ({"new-name": "prospect"}, "name", "Another stage is already called “prospect”."),
        ({"new-interval": "0"}, "interval", "Between 1 and 3650 days."),
        ({"new-interval": "99999"}, "interval", "Between 1 and 3650 days."),
        ({"new-color": "blue"}, "color", "Choose a colour such as #1f9d74."),
    ],
)
def test_a_bad_new_stage_is_refused_and_nothing_is_added(as_admin, data, field, message):
    before = ladder_state()
    full = {"new-name": "Ambassador", "new-color": "#654321", "new-interval": "120"} | data
    response = as_admin.send("/admin/ladder/stages", full)
    assert response.status_code == 422
    error = re.search(
        rf'<p id="new-{field}-error" class="error" role="alert">([^<]*)</p>',
        (response.get_data(as_text=True)),
    )
    assert error and html.unescape(error.group(1)) == message
    assert ladder_state() == before


def test_moving_a_stage_up_and_down_swaps_it_with_its_neighbour(as_admin):
    prospect = stage("prospect")
    response = as_admin.send(f"/admin/ladder/stages/{prospect.id}/move/up")
    assert response.status_code == 302
    assert ladder_names()[:3] == ["suspect", "first_time_buyer", "prospect"]
    response = as_admin.send(f"/admin/ladder/stages/{prospect.id}/move/down", htmx=True)
    assert response.status_code == 200
    assert 'role="status">Moved down.' in row(response, f"stage-{prospect.id}")
    assert ladder_names()[:3] == ["suspect", "prospect", "first_time_buyer"]


def test_the_terminal_stage_cannot_be_moved(as_admin):
    before = ladder_state()
    response = as_admin.send(f"/admin/ladder/stages/{stage('ended').id}/move/down")
    assert response.status_code == 422
    assert "The terminal stage stays last." in text(response)
    assert ladder_state() == before


# --- removing stages -----------------------------------------------------------------------


def test_the_removal_page_asks_where_the_clients_go_offering_the_stage_below(as_admin, manager):
    put_on(manager, "prospect", "A")
    prospect = stage("prospect")
    response = as_admin.get(f"/admin/ladder/stages/{prospect.id}/remove")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "1 client stands on this stage." in text(response)
    assert f'<option selected value="{stage("suspect").id}">Suspect</option>' in page
    assert f'value="{prospect.id}"' not in page  # not into itself
    assert Fields(page).unlabelled() == []


def test_removing_a_stage_moves_its_clients_recorded_as_model_changes(as_admin, manager, admin):
    moved = [put_on(manager, "prospect", n) for n in ("A", "B")]
    prospect, target = stage("prospect"), stage("client")
    response = as_admin.send(f"/admin/ladder/stages/{prospect.id}/remove", {"target": target.id})
    assert response.status_code == 302
    assert "prospect" not in ladder_names()
    assert db.session.get(Stage, prospect.id).archived_at is not None
    for party in moved:
        db.session.refresh(party)
        assert party.stage_id == target.id
        last = ladder.stage_history(party)[0]
        assert (last.from_stage_id, last.to_stage_id, last.source, last.user_id) == (
            prospect.id,
            target.id,
            "model_change",
            admin.id,
        )
    assert "2 clients moved to “Client”" in text(as_admin.get("/admin/ladder"))


def test_the_terminal_stage_cannot_be_removed(as_admin):
    ended = stage("ended")
    page = as_admin.get(f"/admin/ladder/stages/{ended.id}/remove")
    assert "cannot be removed" in text(page) and 'name="target"' not in page.get_data(as_text=True)
    before = ladder_state()
    response = as_admin.send(
        f"/admin/ladder/stages/{ended.id}/remove", {"target": stage("suspect").id}
    )
    assert response.status_code == 422
    assert "“Relationship ended” cannot be removed: every ladder ends with it." in text(response)
    assert ladder_state() == before


def test_the_last_rung_cannot_be_removed(as_admin, admin):
    from crm.services import ladder_admin

    rungs = [s for s in ladder.stages() if not s.terminal]
    for gone in rungs[1:]:
        ladder_admin.remove_stage(admin, gone, rungs[0])
    db.session.commit()
    before = ladder_state()
    response = as_admin.send(
        f"/admin/ladder/stages/{rungs[0].id}/remove", {"target": stage("ended").id}
    )
    assert response.status_code == 422
    assert "The ladder needs at least one stage besides the last one." in text(response)
    assert ladder_state() == before


@pytest.mark.parametrize("target", ["self", "archived", "terminal", "nonsense", None])
def test_removal_needs_another_live_stage_as_target(as_admin, admin, target):
    from crm.services import ladder_admin

    gone = stage("partner")
    ladder_admin.remove_stage(admin, gone, stage("advocate"))
    db.session.commit()
    prospect = stage("prospect")
    before = ladder_state()
    value = {
        "self": prospect.id,
        "archived": gone.id,
        "terminal": stage("ended").id,  # removing a stage must not end relationships
        "nonsense": "x",
        None: None,
    }[target]
    data = {} if value is None else {"target": value}
    response = as_admin.send(f"/admin/ladder/stages/{prospect.id}/remove", data)
    assert response.status_code == 422
    assert "Choose one of the remaining stages." in text(response)
    assert ladder_state() == before


# --- switching the model -------------------------------------------------------------------


def test_the_mapping_page_offers_the_new_models_stages_with_sensible_defaults(as_admin, manager):
    put_on(manager, "first_time_buyer", "A")
    response = as_admin.get("/admin/ladder/models/payne")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Switch to “Payne's relationship ladder”" in text(response)
    selected = {
        int(stage_id): key
        for stage_id, key in re.findall(
            r'<select[^>]*id="stage_(\d+)".*?<option selected value="([^"]+)"', page, re.S
        )
    }
    assert {db.session.get(Stage, i).key: key for i, key in selected.items()} == {
        "suspect": "prospect",
        "prospect": "prospect",
        "first_time_buyer": "customer",
        "repeat_buyer": "client",
        "client": "client",
        "supporter": "supporter",
        "advocate": "advocate",
        "partner": "partner",
        "ended": "ended",
    }
    ftb = stage("first_time_buyer")
    assert f'<label for="stage_{ftb.id}">First-time buyer</label>' in page
    assert "1 client will move." in text(response)
    assert Fields(page).unlabelled() == []


def test_an_unknown_model_is_not_found(as_admin):
    assert as_admin.get("/admin/ladder/models/custom").status_code == 404
    assert as_admin.send("/admin/ladder/models/nonsense", {}).status_code == 404


@pytest.mark.parametrize("model_key", ["dwyer", "payne", "kotler"])
def test_switching_the_model_moves_every_party_and_loses_nobody(
    as_admin, manager, admin, model_key
):
    on_ladder = [
        put_on(manager, key, f"{key} {i}")
        for i, key in enumerate(["suspect", "prospect", "repeat_buyer", "partner", "ended"])
    ]
    trashed = put_on(manager, "client", "In the trash")
    parties.trash_party(manager, trashed)
    make_party(manager, "Supplier", roles=["supplier"])  # not on the ladder
    db.session.commit()
    count_on_ladder = select(func.count()).where(Party.stage_id.is_not(None))
    before = db.session.scalar(count_on_ladder)
    old = {p.id: p.stage_id for p in [*on_ladder, trashed]}
    mapping = ladder_stats.default_mapping(ladder.stages(), model_key)
    data = {f"stage_{stage_id}": key for stage_id, key in mapping.items()}

    response = as_admin.send(f"/admin/ladder/models/{model_key}", data)

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(count_on_ladder) == before == 6
    new_keys = [spec.key for spec in MODELS[model_key][1]]
    assert ladder_names() == new_keys
    assert db.session.get(Setting, "stage_model").value == model_key
    for party_id, old_stage_id in old.items():
        party = db.session.get(Party, party_id)
        assert party.stage.archived_at is None and party.stage.key == mapping[old_stage_id]
        changes = db.session.scalars(
            select(StageMove).where(
                StageMove.party_id == party_id, StageMove.source == "model_change"
            )
        ).all()
        assert [(m.from_stage_id, m.to_stage_id, m.user_id) for m in changes] == [
            (old_stage_id, party.stage_id, admin.id)
        ]
    assert "5 clients moved to its stages." in text(as_admin.get("/admin/ladder"))


def test_mapping_to_a_stage_not_in_the_new_model_is_refused(as_admin, manager):
    put_on(manager, "client", "A")
    mapping = ladder_stats.default_mapping(ladder.stages(), "dwyer")
    client_stage = stage("client")
    mapping[client_stage.id] = "client"  # a Kotler stage, not Dwyer's
    before = ladder_state()
    data = {f"stage_{stage_id}": key for stage_id, key in mapping.items()}
    response = as_admin.send("/admin/ladder/models/dwyer", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(
        rf'<p id="stage_{client_stage.id}-error" class="error" role="alert">'
        r"Choose one of the new model&#39;s stages.</p>",
        page,
    )
    assert ladder_state() == before


def test_every_current_stage_must_be_mapped(as_admin):
    mapping = ladder_stats.default_mapping(ladder.stages(), "dwyer")
    del mapping[stage("prospect").id]  # e.g. a stage added after the page was opened
    before = ladder_state()
    data = {f"stage_{stage_id}": key for stage_id, key in mapping.items()}
    response = as_admin.send("/admin/ladder/models/dwyer", data)
    assert response.status_code == 422
    assert f'id="stage_{stage("prospect").id}-error"' in response.get_data(as_text=True)
    assert ladder_state() == before


@pytest.mark.parametrize(
    ("keys", "model_key", "expected"),
    [
        (["prospect", "client", "ended"], "payne", ["prospect", "client", "ended"]),
        (
            ["awareness", "exploration", "expansion", "commitment", "dissolution"],
            "kotler",
            ["suspect", "first_time_buyer", "supporter", "partner", "ended"],
        ),
        (
            ["a", "b", "c", "ended"],
            "dwyer",
            ["awareness", "expansion", "commitment", "dissolution"],
        ),
        (["only", "ended"], "payne", ["prospect", "ended"]),
    ],
)
def test_default_mapping_keeps_keys_else_the_relative_rank_and_ends_with_the_end(
    keys, model_key, expected
):
    old = [
        Stage(id=i, key=k, position=i, terminal=k in ("ended", "dissolution"))
        for i, k in enumerate(keys)
    ]
    mapping = ladder_stats.default_mapping(old, model_key)
    assert [mapping[s.id] for s in old] == expected


# --- loss reasons --------------------------------------------------------------------------


def test_the_reasons_page_lists_built_in_and_retired_reasons_with_their_use(as_admin, manager):
    put_on(manager, "ended", "Gone")
    reason("other").active = False
    db.session.commit()
    response = as_admin.get("/admin/ladder/reasons")
    assert response.status_code == 200
    page = text(response)
    for name in ("Price", "Went to a competitor", "Client closed down", "Relocation", "Other"):
        assert name in page
    assert "given in 1 move" in row(response, f"reason-{reason('price').id}")
    assert "not offered" in row(response, f"reason-{reason('other').id}")
    assert Fields(response.get_data(as_text=True)).unlabelled() == []


def test_a_reason_is_renamed_and_back_to_its_built_in_name(as_admin):
    price = reason("price")
    url = f"/admin/ladder/reasons/{price.id}"
    data = {f"reason{price.id}-name": "Too expensive", f"reason{price.id}-active": "y"}
    assert as_admin.send(url, data).status_code == 302
    assert reason("price").custom_name == "Too expensive"
    assert as_admin.send(url, data | {f"reason{price.id}-name": ""}).status_code == 302
    assert reason("price").custom_name is None


def test_a_retired_reason_stays_on_old_moves_but_is_not_offered_again(as_admin, manager):
    gone = put_on(manager, "ended", "Gone")  # moved with "price"
    price = reason("price")
    url = f"/admin/ladder/reasons/{price.id}"
    response = as_admin.send(url, {f"reason{price.id}-name": ""}, htmx=True)  # unticked
    assert response.status_code == 200
    assert "no longer offered" in row(response, f"reason-{price.id}")
    assert reason("price").active is False
    assert "price" not in [r.key for r in ladder.active_reasons()]
    assert ladder.stage_history(gone)[0].reason.key == "price"
    response = as_admin.send(url, {f"reason{price.id}-active": "y"})
    assert response.status_code == 302 and reason("price").active is True


def test_a_new_reason_is_added_at_the_end_and_offered(as_admin):
    response = as_admin.send("/admin/ladder/reasons", {"new-name": "Merged with another firm"})
    assert response.status_code == 302
    added = ladder.active_reasons()[-1]
    assert (added.key, added.custom_name) == (None, "Merged with another firm")


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "A reason you added needs a name."), ("price", "Another reason is already called")],
)
def test_a_bad_new_reason_is_refused(as_admin, name, message):
    before = ladder_state()
    response = as_admin.send("/admin/ladder/reasons", {"new-name": name})
    assert response.status_code == 422
    assert message in text(response)
    assert ladder_state() == before


def test_a_reason_the_admin_added_cannot_lose_its_name(as_admin, admin):
    from crm.services import ladder_admin

    added = ladder_admin.add_reason(admin, "Merged")
    db.session.commit()
    before = ladder_state()
    url = f"/admin/ladder/reasons/{added.id}"
    response = as_admin.send(url, {f"reason{added.id}-name": "", f"reason{added.id}-active": "y"})
    assert response.status_code == 422
    assert "A reason you added needs a name." in row(response, f"reason-{added.id}")
    assert ladder_state() == before


# --- who may, and CSRF ---------------------------------------------------------------------


def _routes() -> list[tuple[str, str, dict]]:
    prospect, price = stage("prospect"), reason("price")
    mapping = ladder_stats.default_mapping(ladder.stages(), "payne")
    return [
        ("GET", "/admin/ladder", {}),
        ("GET", "/admin/ladder/reasons", {}),
        ("GET", f"/admin/ladder/stages/{prospect.id}/remove", {}),
        ("GET", "/admin/ladder/models/payne", {}),
        ("POST", "/admin/ladder/stages", {"new-name": "X", "new-color": "#000000"}),
        ("POST", f"/admin/ladder/stages/{prospect.id}", stage_data(prospect, name="X")),
        ("POST", f"/admin/ladder/stages/{prospect.id}/move/up", {}),
        ("POST", f"/admin/ladder/stages/{prospect.id}/move/down", {}),
        ("POST", f"/admin/ladder/stages/{prospect.id}/remove", {"target": stage("client").id}),
        ("POST", "/admin/ladder/models/payne", {f"stage_{k}": v for k, v in mapping.items()}),
        ("POST", "/admin/ladder/reasons", {"new-name": "X"}),
        ("POST", f"/admin/ladder/reasons/{price.id}", {f"reason{price.id}-name": "X"}),
    ]


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_managers_and_viewers_get_403_on_every_ladder_route_and_change_nothing(
    client, who, request
):
    user = request.getfixturevalue(who)
    make_party(request.getfixturevalue("manager"), "On the ladder")
    client.login(user.email)
    before = ladder_state()
    for method, url, data in _routes():
        response = client.get(url) if method == "GET" else client.send(url, data)
        assert response.status_code == 403, (method, url)
    assert ladder_state() == before


def test_anonymous_users_are_sent_to_log_in(client):
    for method, url, data in _routes():
        response = client.get(url) if method == "GET" else client.send(url, data)
        assert response.status_code == 302, (method, url)
        assert "/login" in response.headers["Location"]


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(as_admin):
    before = ladder_state()
    for method, url, data in _routes():
        if method == "POST":
            assert as_admin.post(url, data=data).status_code == 400, url
    assert ladder_state() == before
