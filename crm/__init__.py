"""The CRM application factory."""

from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from crm import config as config_module
from crm.extensions import babel, csrf, db, login_manager, migrate


def select_locale() -> str | None:
    """The user's language, else the one chosen on the login page, else the browser's."""
    languages = ("en", "ru", "uk")
    if not has_request_context():
        return None  # the CLI and background work use the default language
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or "en"


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def create_app(config: dict | None = None, config_class: type = config_module.Config) -> Flask:
    """Build the app: configuration, extensions, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_class)
    if config:
        app.config.update(config)
    config_module.finish(app.config, app.instance_path)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    app.session_interface = SessionInterface()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from crm.database import tune_sqlite

            tune_sqlite(db.engine)

    from crm import web

    web.init_app(app)

    from crm.blueprints.admin import bp as admin_bp
    from crm.blueprints.auth import bp as auth_bp
    from crm.blueprints.clients import bp as clients_bp
    from crm.blueprints.main import bp as main_bp
    from crm.blueprints.offers import bp as offers_bp
    from crm.blueprints.pipeline import bp as pipeline_bp
    from crm.blueprints.products import bp as products_bp
    from crm.blueprints.reports import bp as reports_bp
    from crm.blueprints.tasks import bp as tasks_bp
    from crm.blueprints.team import bp as team_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(clients_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(offers_bp)
    app.register_blueprint(pipeline_bp)
    app.register_blueprint(products_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(tasks_bp)
    app.register_blueprint(team_bp)

    from crm.cli import register_cli

    register_cli(app)
    return app
