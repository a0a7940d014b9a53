"""Configuration read from the environment."""

import os
import secrets
from pathlib import Path


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, or generated once into the instance folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


class Config:
    """Production defaults; every setting can come from the environment."""

    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", default=False)
    # Behind a reverse proxy: how many proxies to trust for X-Forwarded-* (0 = none).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # The CSRF token lives as long as the session: an open tab keeps working all day.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = True
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("CRM_TIMEZONE", "UTC")
    LANGUAGES = ("en", "ru", "uk")
    MAX_CONTENT_LENGTH = int(os.environ.get("CRM_MAX_UPLOAD_MB", "20")) * 1024 * 1024
    DOCUMENT_MAX_BYTES = int(os.environ.get("CRM_DOCUMENT_MAX_MB", "10")) * 1024 * 1024
    DOCUMENTS_DIR: str | None = os.environ.get("CRM_DOCUMENTS_DIR")
    # Argon2id, OWASP parameters: m=19 MiB, t=2, p=1.
    ARGON2_MEMORY_KIB = 19456
    ARGON2_TIME_COST = 2
    ARGON2_PARALLELISM = 1
    LOGIN_MAX_FAILURES = 10
    LOGIN_WINDOW_MINUTES = 15
    PAGE_SIZE = 25
    # Outgoing e-mail (commercial proposals). No SMTP_HOST: e-mail is not configured.
    SMTP_HOST: str | None = os.environ.get("SMTP_HOST") or None
    SMTP_PORT = int(os.environ.get("SMTP_PORT") or "587")
    SMTP_USERNAME: str | None = os.environ.get("SMTP_USERNAME") or None
    SMTP_PASSWORD: str | None = os.environ.get("SMTP_PASSWORD") or None
    # "starttls" (port 587), "ssl" (implicit TLS, usually port 465) or "none".
    SMTP_SECURITY = (os.environ.get("SMTP_SECURITY") or "starttls").strip().lower()
    # The sender, "sales@example.com" or "Company <sales@example.com>"; else SMTP_USERNAME.
    MAIL_FROM: str | None = os.environ.get("MAIL_FROM") or SMTP_USERNAME
    SMTP_TIMEOUT = float(os.environ.get("SMTP_TIMEOUT") or "15")
    TESTING = False


class TestConfig(Config):
    """Fast hashing and a throwaway database; CSRF stays on unless a test turns it off."""

    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("CRM_TEST_DATABASE_URL")
    ARGON2_MEMORY_KIB = 64
    ARGON2_TIME_COST = 1
    SECRET_KEY = "test-secret-key"  # noqa: S105
    SMTP_HOST = None  # tests that send mail point it at their own SMTP server


def finish(app_config: dict, instance_path: str) -> None:
    """Fill the settings that depend on the instance folder."""
    if not app_config.get("SECRET_KEY"):
        app_config["SECRET_KEY"] = _secret_key(instance_path)
    if not app_config.get("SQLALCHEMY_DATABASE_URI"):
        app_config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(
            Path(instance_path) / "crm.sqlite"
        )
    if not app_config.get("DOCUMENTS_DIR"):
        app_config["DOCUMENTS_DIR"] = str(Path(instance_path) / "documents")
