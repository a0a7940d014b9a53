"""Login, logout, password and language."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import exists, select

from crm.blueprints.auth import bp
from crm.blueprints.auth.forms import LanguageForm, LoginForm, PasswordForm
from crm.cli.demo import DEMO_ADMIN
from crm.extensions import db
from crm.models import User
from crm.services import users
from crm.web import safe_next


def _safe_next(target: str | None) -> str:
    return safe_next(target, url_for("main.index"))


def _demo_accounts_exist() -> bool:
    """Whether the demo admin is still there and active (the login page then says so)."""
    query = select(exists().where(User.email == DEMO_ADMIN, User.active.is_(True)))
    return bool(db.session.scalar(query))


@bp.get("/login")
def login():
    """The login form."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    return render_template("auth/login.html", form=LoginForm(), demo=_demo_accounts_exist())


@bp.post("/login")
def login_post():
    """Check the credentials, throttling repeated failures."""
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = users.authenticate(
                form.email.data, form.password.data, request.remote_addr or ""
            )
        except users.LoginThrottledError:
            minutes = current_app.config["LOGIN_WINDOW_MINUTES"]
            form.email.errors.append(
                ngettext(
                    "Too many failed attempts. Try again in %(num)d minute.",
                    "Too many failed attempts. Try again in %(num)d minutes.",
                    minutes,
                )
            )
        else:
            db.session.commit()
            if user:
                session.clear()
                login_user(user)
                return redirect(_safe_next(request.args.get("next")))
            form.password.errors.append(_("Wrong e-mail or password."))
    demo = _demo_accounts_exist()
    return render_template("auth/login.html", form=form, demo=demo), 422


@bp.post("/logout")
@login_required
def logout():
    """End the session everywhere: a replayed cookie is refused afterwards."""
    users.end_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required
def account():
    """The user's own settings."""
    language = LanguageForm(locale=current_user.locale or "en")
    return render_template("auth/account.html", form=PasswordForm(), language=language)


@bp.post("/account/password")
@login_required
def change_password():
    """Change one's password; other sessions end."""
    form = PasswordForm()
    language = LanguageForm(locale=current_user.locale or "en")
    if form.validate_on_submit():
        if users.check_password(current_user, form.current.data):
            users.set_password(current_user, form.new.data)
            db.session.commit()
            login_user(current_user._get_current_object())  # this session goes on, new token
            flash(_("Your password was changed."), "success")
            return redirect(url_for("auth.account"))
        form.current.errors.append(_("This is not your current password."))
    return render_template("auth/account.html", form=form, language=language), 422


@bp.post("/language")
def set_language():
    """Switch the UI language: stored on the user, or in the session before login."""
    form = LanguageForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
            db.session.commit()
        else:
            session["locale"] = form.locale.data
    return redirect(_safe_next(request.form.get("next")))
