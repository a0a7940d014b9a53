"""Users: Argon2id hashes, throttled logins counted in the database, sessions that end."""

from datetime import timedelta

import pytest

from crm.extensions import db
from crm.models import LoginAttempt
from crm.services import users
from crm.services.errors import DomainError
from tests.factories import make_user


def test_passwords_are_stored_as_argon2id(manager):
    assert manager.password_hash.startswith("$argon2id$")
    assert "password1" not in manager.password_hash


def test_right_password_logs_in_and_wrong_one_is_counted(manager):
    assert users.authenticate("OLENA@example.com ", "password1", "10.0.0.1") == manager
    assert users.authenticate(manager.email, "wrong", "10.0.0.1") is None
    assert db.session.query(LoginAttempt).count() == 1


def test_after_ten_failures_even_the_right_password_is_refused_for_a_while(manager):
    for _ in range(10):
        users.authenticate(manager.email, "wrong", "10.0.0.1")
    with pytest.raises(users.LoginThrottledError):
        users.authenticate(manager.email, "password1", "10.0.0.2")
    for attempt in db.session.query(LoginAttempt):
        attempt.at -= timedelta(minutes=16)
    assert users.authenticate(manager.email, "password1", "10.0.0.2") == manager


def test_failures_from_one_address_are_limited_across_accounts(manager):
    for i in range(10):
        users.authenticate(f"guess{i}@example.com", "wrong", "10.9.9.9")
    with pytest.raises(users.LoginThrottledError):
        users.authenticate(manager.email, "password1", "10.9.9.9")
    assert users.authenticate(manager.email, "password1", "10.0.0.1") == manager


def test_inactive_users_cannot_log_in(manager, admin):
    users.set_active(manager, False, admin)
    assert users.authenticate(manager.email, "password1", "10.0.0.1") is None


def test_changing_the_password_ends_old_sessions(manager):
    token = manager.session_token
    users.set_password(manager, "another-password")
    assert manager.session_token != token
    assert users.check_password(manager, "another-password")


def test_admins_cannot_deactivate_themselves(admin):
    with pytest.raises(DomainError):
        users.set_active(admin, False, admin)


def test_e_mails_are_unique_whatever_their_case(manager):
    with pytest.raises(DomainError):
        make_user("Olena@Example.com")
