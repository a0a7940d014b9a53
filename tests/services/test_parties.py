"""Parties: audit of every change, optimistic locking, trash and restore, permissions."""

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry, Party
from crm.services import contacts, parties
from crm.services.errors import EditConflictError, NotFoundError, PermissionDeniedError
from crm.services.settings import set_setting
from tests.factories import make_contact, make_party, make_user


def entries(party):
    query = select(AuditEntry).where(AuditEntry.party_id == party.id).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


def test_creating_a_party_records_every_value_given(manager):
    party = make_party(manager, "ТОВ «Ромашка»", tax_id="ЄДРПОУ 12345678", tags=["опт"])
    (entry,) = entries(party)
    assert entry.action == "create" and entry.user_id == manager.id
    assert entry.changes["name"] == [None, "ТОВ «Ромашка»"]
    assert entry.changes["tags"] == [None, ["опт"]]
    assert entry.changes["roles"] == [None, ["client"]]


def test_an_edit_records_old_and_new_value_of_each_changed_field(manager):
    party = make_party(manager, "Old name", phones="+380 50 000 00 00")
    parties.update_party(
        manager,
        party,
        {"name": "New name", "phones": "+380 50 000 00 00", "roles": ["partner"]},
        party.version,
    )
    db.session.commit()
    entry = entries(party)[-1]
    assert entry.action == "update"
    assert entry.changes == {"name": ["Old name", "New name"], "roles": [["client"], ["partner"]]}
    assert party.version == 2


def test_a_save_that_changes_nothing_writes_no_history(manager):
    party = make_party(manager, "Same")
    parties.update_party(manager, party, {"name": "Same"}, party.version)
    assert len(entries(party)) == 1 and party.version == 1


def test_a_stale_edit_is_refused_and_shows_what_the_other_person_changed(manager, admin):
    party = make_party(manager, "Ромашка", notes="v1")
    opened_at = party.version
    parties.update_party(admin, party, {"notes": "admin's note"}, opened_at)
    db.session.commit()
    with pytest.raises(EditConflictError) as conflict:
        parties.update_party(manager, party, {"notes": "manager's note"}, opened_at)
    assert [e.changes for e in conflict.value.changes] == [{"notes": ["v1", "admin's note"]}]
    db.session.rollback()
    assert db.session.get(Party, party.id).notes == "admin's note"


def test_search_text_follows_contacts(manager):
    party = make_party(manager, "Ромашка")
    contact = make_contact(party, "Петро Іваненко", phones="+380 67 111 22 33")
    assert "петро іваненко" in party.search_text and "380671112233" in party.search_text
    contacts.remove_contact(manager, contact)
    assert "петро" not in party.search_text


def test_trash_and_restore_are_recorded_and_only_admins_restore(manager, admin):
    party = make_party(manager, "Ромашка")
    parties.trash_party(manager, party)
    db.session.commit()
    with pytest.raises(NotFoundError):
        parties.get_party(manager, party.id, include_deleted=True)
    with pytest.raises(PermissionDeniedError):
        parties.restore_party(manager, party)
    assert parties.get_party(admin, party.id, include_deleted=True) is party
    parties.restore_party(admin, party)
    assert party.deleted_at is None
    assert [e.action for e in entries(party)] == ["create", "delete", "restore"]


def test_viewers_change_nothing(viewer, manager):
    party = make_party(manager)
    with pytest.raises(PermissionDeniedError):
        parties.create_party(viewer, {"name": "X"})
    with pytest.raises(PermissionDeniedError):
        parties.update_party(viewer, party, {"name": "X"}, party.version)
    with pytest.raises(PermissionDeniedError):
        parties.trash_party(viewer, party)


def test_under_own_visibility_another_managers_party_does_not_exist(manager):
    other = make_user("dmitry@example.com")
    theirs = make_party(other, "Чужой клиент")
    assert parties.get_party(manager, theirs.id) is theirs
    set_setting("manager_visibility", "own")
    with pytest.raises(NotFoundError):
        parties.get_party(manager, theirs.id)


def test_under_own_visibility_a_manager_cannot_give_a_party_away(manager):
    other = make_user("dmitry@example.com")
    set_setting("manager_visibility", "own")
    party = parties.create_party(manager, {"name": "Mine", "owner_id": other.id})
    assert party.owner_id == manager.id
    parties.update_party(manager, party, {"owner_id": other.id}, party.version)
    assert party.owner_id == manager.id


def test_a_contact_change_does_not_make_a_profile_edit_stale(manager):
    party = make_party(manager, "Ромашка")
    opened_at = party.version
    make_contact(party, "Петро")
    parties.update_party(manager, party, {"notes": "still fine"}, opened_at)
    db.session.commit()
    assert party.notes == "still fine"
