"""Factories as plain functions: each creates, commits and returns one thing."""

from crm.extensions import db
from crm.models import Contact, Party, Role, User
from crm.services import contacts, parties, users


def make_user(
    email: str = "user@example.com",
    role: str = "manager",
    name: str = "Test User",
    password: str = "password1",
) -> User:
    user = users.create_user(email, name, password, Role(role))
    db.session.commit()
    return user


def make_party(owner: User, name: str = "ТОВ «Ромашка»", **fields) -> Party:
    data = {"name": name, "roles": ["client"], "owner_id": owner.id, **fields}
    party = parties.create_party(owner, data)
    db.session.commit()
    return party


def make_contact(party: Party, name: str = "Петро Іваненко", **fields) -> Contact:
    owner = db.session.get(User, party.owner_id)
    contact = contacts.add_contact(owner, party, {"name": name, **fields})
    db.session.commit()
    return contact
