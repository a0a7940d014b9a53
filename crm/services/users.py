"""Users: password hashing (Argon2id), login with throttling, roles, deactivation."""

from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from decimal import Decimal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from crm.extensions import db
from crm.models import LoginAttempt, Role, User
from crm.models.base import utcnow
from crm.models.user import new_session_token
from crm.services.errors import DomainError

MIN_PASSWORD_LENGTH = 8
# The largest discount (percent) a new user may give on an offer without an admin's approval.
DEFAULT_MAX_DISCOUNT = Decimal(10)
# Verifying against this keeps the timing of "no such user" like that of "wrong password".
_DUMMY_HASH_PASSWORD = "not-a-real-password"  # noqa: S105


class LoginThrottledError(DomainError):
    """Too many failed logins for this account or address."""


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_KIB"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return _hasher().hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    email: str,
    name: str,
    password: str,
    role: Role = Role.MANAGER,
    max_discount: Decimal = DEFAULT_MAX_DISCOUNT,
) -> User:
    """Add a user (flushes)."""
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise DomainError(_l("A user with this e-mail already exists."))
    user = User(email=email, name=name.strip(), password_hash=hash_password(password), role=role)
    set_max_discount(user, max_discount)
    db.session.add(user)
    db.session.flush()
    return user


def _recent_failures(email: str, ip: str) -> int:
    window = timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    since = utcnow() - window
    by_email = db.session.scalar(
        select(func.count()).where(LoginAttempt.email == email, LoginAttempt.at >= since)
    )
    by_ip = db.session.scalar(
        select(func.count()).where(LoginAttempt.ip == ip, LoginAttempt.at >= since)
    )
    return max(by_email or 0, by_ip or 0)


def authenticate(email: str, password: str, ip: str) -> User | None:
    """The active user with these credentials, or None; raises when throttled.

    Failures are counted in the database so that the limit holds across workers.
    """
    email = normalise_email(email)
    if _recent_failures(email, ip) >= current_app.config["LOGIN_MAX_FAILURES"]:
        raise LoginThrottledError(_l("Too many failed attempts."))
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.active:
        _verify(hash_password(_DUMMY_HASH_PASSWORD), password)
        db.session.add(LoginAttempt(email=email, ip=ip))
        return None
    if not _verify(user.password_hash, password):
        db.session.add(LoginAttempt(email=email, ip=ip))
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(user: User, password: str) -> bool:
    """Whether the password is the user's."""
    return _verify(user.password_hash, password)


def set_password(user: User, password: str) -> None:
    """Change the password and end every existing session of the user."""
    user.password_hash = hash_password(password)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Rotate the session token: cookies issued before stop working."""
    user.session_token = new_session_token()


def set_active(user: User, active: bool, actor: User) -> None:
    """Activate or deactivate a user (never deleted: history keeps its author)."""
    if user.id == actor.id and not active:
        raise DomainError(_l("You cannot deactivate yourself."))
    user.active = active
    if not active:
        end_sessions(user)


def set_max_discount(user: User, percent: Decimal) -> None:
    """Set the discount the user may give without approval: 0 to 100 %, to the hundredth."""
    if not percent.is_finite() or not 0 <= percent <= 100:
        raise DomainError(_l("Enter a percentage from 0 to 100."))
    if percent.quantize(Decimal("0.01")) != percent:
        raise DomainError(_l("Use at most two decimal places."))
    user.max_discount = percent.quantize(Decimal("0.01"))


def managers(include_inactive: bool = False) -> list[User]:
    """Users who can own parties, by name."""
    query = select(User).where(or_(User.role == Role.MANAGER, User.role == Role.ADMIN))
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return list(db.session.scalars(query.order_by(User.name)))


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.name)))


def in_language_of(user: User) -> AbstractContextManager:
    """Write text stored for a user (a task the system gives them) in their language; without
    a chosen language, in the current one."""
    return force_locale(user.locale) if user.locale else nullcontext()
