"""The party list: search, filters, visibility and keyset pages — without HTTP."""

import pytest

from crm.services import parties
from crm.services.party_list import PartyFilter, list_parties
from crm.services.settings import set_setting
from tests.factories import make_contact, make_party, make_user


def names(page):
    return [p.name for p in page.parties]


@pytest.fixture
def base(manager):
    other = make_user("dmitry@example.com", name="Dmitry")
    make_party(manager, "Петро Ромашко", phones="+380 (50) 123-45-67")
    make_party(manager, "IVAN & Co", roles=["partner", "client"], emails="Info@Ivan.example")
    make_party(other, "Ґанна Їжакевич", roles=["supplier"], tags=["опт"])
    party = make_party(other, "Ёлкин и партнёры", roles=["competitor"])
    make_contact(party, "Марія Мар’яненко", phones="067 765 43 21", emails="maria@elkin.example")
    return manager, other


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("петро", ["Петро Ромашко"]),
        ("ПЕТРО", ["Петро Ромашко"]),
        ("ivan", ["IVAN & Co"]),
        ("info@ivan", ["IVAN & Co"]),
        ("ганна", ["Ґанна Їжакевич"]),
        ("іжакевич", ["Ґанна Їжакевич"]),
        ("елкин", ["Ёлкин и партнёры"]),
        ("мар'яненко", ["Ёлкин и партнёры"]),
        ("0677654321", ["Ёлкин и партнёры"]),
        ("(067) 765-43-21", ["Ёлкин и партнёры"]),
        ("050 123 45", ["Петро Ромашко"]),
        ("%", []),
        ("nobody", []),
    ],
)
def test_search_matches_names_contacts_emails_and_phones(base, query, expected):
    manager, _ = base
    assert names(list_parties(manager, PartyFilter(q=query))) == expected


def test_filters_by_role_owner_and_tag(base):
    manager, other = base
    assert names(list_parties(manager, PartyFilter(role="partner"))) == ["IVAN & Co"]
    assert names(list_parties(manager, PartyFilter(owner_id=other.id))) == [
        "Ґанна Їжакевич",
        "Ёлкин и партнёры",
    ]
    tag_id = list_parties(manager, PartyFilter(q="ганна")).parties[0].tags[0].id
    assert names(list_parties(manager, PartyFilter(tag_id=tag_id))) == ["Ґанна Їжакевич"]


def test_managers_limited_to_their_own_parties_when_the_company_says_so(base):
    manager, other = base
    assert len(list_parties(manager, PartyFilter()).parties) == 4
    set_setting("manager_visibility", "own")
    assert names(list_parties(manager, PartyFilter())) == ["IVAN & Co", "Петро Ромашко"]
    assert names(list_parties(manager, PartyFilter(q="ганна"))) == []


def test_trashed_parties_leave_the_list(base):
    manager, _ = base
    party = list_parties(manager, PartyFilter(q="петро")).parties[0]
    parties.trash_party(manager, party)
    assert list_parties(manager, PartyFilter(q="петро")).parties == []


@pytest.mark.parametrize("sort", ["name", "-name", "-created", "created"])
def test_keyset_pages_walk_forward_and_back_without_gaps(manager, sort):
    for i in range(23):
        make_party(manager, f"Client {i:02d}")
    seen, filters = [], PartyFilter(sort=sort)
    pages = []
    while True:
        page = list_parties(manager, filters, page_size=5)
        pages.append(page)
        seen += names(page)
        if not page.next_cursor:
            break
        filters = PartyFilter(sort=sort, after=page.next_cursor)
    assert len(seen) == 23 == len(set(seen))
    assert seen == sorted(seen, reverse=sort in ("-name", "-created")) or sort.endswith("created")
    back = list_parties(manager, PartyFilter(sort=sort, before=pages[-1].prev_cursor), 5)
    assert names(back) == names(pages[-2])
    assert pages[0].prev_cursor is None
    assert pages[0].count == 23 and not pages[0].count_capped


def test_a_tampered_cursor_starts_from_the_first_page(manager):
    make_party(manager, "Alpha")
    assert names(list_parties(manager, PartyFilter(after="garbage!!"))) == ["Alpha"]


def test_search_follows_renames_contact_changes_and_the_trash(manager):
    party = make_party(manager, "Alpha Romashko")
    parties.update_party(manager, party, {"name": "Beta Vasilko"}, party.version)
    assert names(list_parties(manager, PartyFilter(q="romashko"))) == []
    assert names(list_parties(manager, PartyFilter(q="vasilko"))) == ["Beta Vasilko"]
    make_contact(party, "Gamma Kontaktenko")
    assert names(list_parties(manager, PartyFilter(q="kontaktenko"))) == ["Beta Vasilko"]
    parties.trash_party(manager, party)
    assert names(list_parties(manager, PartyFilter(q="vasilko"))) == []


def test_a_common_term_still_lists_every_match(manager, monkeypatch):
    from crm.services import search_index

    monkeypatch.setattr(search_index, "MAX_CANDIDATES", 2)
    for i in range(4):
        make_party(manager, f"Common {i}")
    assert len(list_parties(manager, PartyFilter(q="common")).parties) == 4
