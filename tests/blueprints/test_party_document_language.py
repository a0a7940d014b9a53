"""A party's language of documents: none (the company's default) or one of uk, ru, en."""

import html
import re

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry, Party
from crm.services import parties
from crm.services.errors import DomainError
from tests.factories import make_party

LABEL = "Language of documents"


def reload(party: Party) -> Party:
    db.session.expire_all()
    return db.session.get(Party, party.id)


def party_data(party: Party, **fields) -> dict:
    """The party form as the browser sends it, with `fields` changed."""
    data = {
        "name": party.name,
        "kind": party.kind,
        "roles": party.role_names,
        "owner_id": party.owner_id,
        "version": party.version,
    }
    return data | fields


def profile(response) -> str:
    """The profile list on the party card."""
    page = html.unescape(response.get_data(as_text=True))
    return re.search(r'<dl class="profile">(.*?)</dl>', page, re.S).group(1)


@pytest.fixture
def as_manager(client, manager):
    client.login(manager.email)
    return client


# --- the service ---------------------------------------------------------------------------


def test_a_party_has_no_language_of_its_own_unless_given_one(manager):
    assert make_party(manager, "Без мови").language is None
    assert make_party(manager, "Northwind", language="en").language == "en"
    assert make_party(manager, "Порожня", language="").language is None


def test_an_unknown_language_is_refused_and_nothing_changes(manager):
    party = make_party(manager, "ТОВ «Ромашка»", language="uk")
    with pytest.raises(DomainError):
        parties.update_party(manager, party, {"language": "de"}, party.version)
    with pytest.raises(DomainError):
        parties.create_party(manager, {"name": "Neu GmbH", "language": "de"})
    assert reload(party).language == "uk" and reload(party).version == 1


def test_changing_the_language_is_in_the_partys_history(manager):
    party = make_party(manager, "ТОВ «Ромашка»")
    parties.update_party(manager, party, {"language": "ru"}, party.version)
    parties.update_party(manager, party, {"name": "ТОВ «Ромашка-2»"}, party.version)
    db.session.commit()

    query = select(AuditEntry).where(AuditEntry.party_id == party.id).order_by(AuditEntry.id)
    created, changed, renamed = db.session.scalars(query)
    assert changed.changes == {"language": [None, "ru"]}
    assert "language" not in renamed.changes
    assert reload(party).language == "ru"


# --- the form and the card -----------------------------------------------------------------


def test_the_form_offers_the_company_default_and_each_language_in_its_own_words(as_manager):
    page = as_manager.get("/clients/new").get_data(as_text=True)

    select_html = re.search(r'<select[^>]*id="language".*?</select>', page, re.S).group(0)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select_html)
    assert options == ["Company default", "English", "Русский", "Українська"]
    assert f'<label for="language">{LABEL}</label>' in page


def test_a_party_created_with_english_shows_it_on_the_card(as_manager, manager):
    data = {"name": "Northwind", "kind": "organisation", "roles": ["client"]}
    data |= {"owner_id": manager.id, "language": "en"}

    response = as_manager.send("/clients/new", data)

    assert response.status_code == 302
    party = db.session.scalar(select(Party).where(Party.name == "Northwind"))
    assert party.language == "en"
    card = profile(as_manager.get(f"/clients/{party.id}"))
    assert f'<dt>{LABEL}</dt><dd lang="en">English</dd>' in card


def test_the_card_says_nothing_about_the_language_when_the_default_applies(as_manager, manager):
    party = make_party(manager, "ТОВ «Ромашка»")
    assert LABEL not in profile(as_manager.get(f"/clients/{party.id}"))


def test_the_edit_form_selects_the_current_language(as_manager, manager):
    party = make_party(manager, "ТОВ «Ромашка»", language="uk")
    page = as_manager.get(f"/clients/{party.id}/edit").get_data(as_text=True)
    assert '<option lang="uk" selected value="uk">Українська</option>' in page

    other = make_party(manager, "Без мови")
    page = as_manager.get(f"/clients/{other.id}/edit").get_data(as_text=True)
    assert '<option selected value="">Company default</option>' in page


def test_going_back_to_the_company_default_stores_none(as_manager, manager):
    party = make_party(manager, "ТОВ «Ромашка»", language="ru")

    response = as_manager.send(f"/clients/{party.id}/edit", party_data(party, language=""))

    assert response.status_code == 302
    assert reload(party).language is None
    assert LABEL not in profile(as_manager.get(f"/clients/{party.id}"))


def test_a_save_from_a_form_without_the_field_keeps_the_language(as_manager, manager):
    party = make_party(manager, "ТОВ «Ромашка»", language="en")

    response = as_manager.send(f"/clients/{party.id}/edit", party_data(party, name="Ромашка"))

    assert response.status_code == 302
    saved = reload(party)
    assert saved.name == "Ромашка" and saved.language == "en"


def test_an_unknown_language_from_the_form_is_refused_next_to_the_field(as_manager, manager):
    party = make_party(manager, "ТОВ «Ромашка»")

    response = as_manager.send(f"/clients/{party.id}/edit", party_data(party, language="de"))

    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    block = re.search(r'<div class="field[^"]*has-error[^"]*">.*?</div>', page, re.S).group(0)
    assert 'id="language"' in block and "Not a valid choice" in block
    assert reload(party).language is None
