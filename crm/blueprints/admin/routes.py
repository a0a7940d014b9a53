"""Admin pages. Every route checks the admin role itself."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from crm.blueprints.admin import bp
from crm.blueprints.admin.forms import HandoverForm, SettingsForm, UserForm
from crm.blueprints.clients.forms import DeleteForm
from crm.extensions import db
from crm.models import Party, Role, User
from crm.services import parties, settings, users
from crm.services.errors import DomainError
from crm.services.export import recent_exports
from crm.services.handover import hand_over
from crm.web import admin_required, render_page_or_fragment

HANDOVER_LIST_LIMIT = 500


@bp.get("")
@admin_required
def index():
    """The admin's pages in one place: the top bar keeps a single entry for them."""
    return render_template("admin/index.html")


@bp.get("/users")
@admin_required
def users_index():
    """Everyone with an account, active first."""
    return render_template("admin/users.html", users=users.all_users())


@bp.get("/users/new")
@admin_required
def new_user():
    """An empty user form."""
    return render_template("admin/user_form.html", form=UserForm(), user=None)


@bp.post("/users/new")
@admin_required
def create_user():
    """Create an account."""
    form = UserForm()
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_("Set a password for the new user."))
        else:
            try:
                users.create_user(
                    form.email.data,
                    form.name.data,
                    form.password.data,
                    Role(form.role.data),
                    max_discount=form.max_discount.data,
                )
            except DomainError as exc:
                form.email.errors.append(str(exc))
            else:
                db.session.commit()
                flash(_("The user was created."), "success")
                return redirect(url_for("admin.users_index"))
    return render_template("admin/user_form.html", form=form, user=None), 422


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.get("/users/<int:user_id>")
@admin_required
def edit_user(user_id: int):
    """A user's form."""
    user = _user_or_404(user_id)
    return render_template("admin/user_form.html", form=UserForm(obj=user), user=user)


@bp.post("/users/<int:user_id>")
@admin_required
def update_user(user_id: int):
    """Change a user's name, e-mail, role, password or activity (never deleted)."""
    user = _user_or_404(user_id)
    form = UserForm()
    if form.validate_on_submit():
        email = users.normalise_email(form.email.data)
        taken = db.session.scalar(select(User.id).where(User.email == email, User.id != user.id))
        if taken:
            form.email.errors.append(_("A user with this e-mail already exists."))
        else:
            try:
                users.set_active(user, form.active.data, current_user)
            except DomainError as exc:
                form.active.errors.append(str(exc))
            else:
                user.name, user.email, user.role = form.name.data, email, form.role.data
                if form.max_discount.raw_data:
                    users.set_max_discount(user, form.max_discount.data)
                if form.password.data:
                    users.set_password(user, form.password.data)
                db.session.commit()
                flash(_("The user was saved."), "success")
                return redirect(url_for("admin.users_index"))
    return render_template("admin/user_form.html", form=form, user=user), 422


@bp.get("/settings")
@admin_required
def settings_page():
    """Company settings."""
    form = SettingsForm(
        manager_visibility=settings.get_setting("manager_visibility"),
        managers_may_export=settings.get_setting("managers_may_export"),
    )
    return render_template("admin/settings.html", form=form, exports=recent_exports())


@bp.post("/settings")
@admin_required
def save_settings():
    """Save company settings."""
    form = SettingsForm()
    if not form.validate_on_submit():
        return render_template("admin/settings.html", form=form, exports=recent_exports()), 422
    settings.set_setting("manager_visibility", form.manager_visibility.data)
    settings.set_setting("managers_may_export", form.managers_may_export.data)
    db.session.commit()
    flash(_("Settings saved."), "success")
    return redirect(url_for("admin.settings_page"))


def _handover_form() -> HandoverForm:
    form = HandoverForm()
    everyone = users.managers(include_inactive=True)
    form.from_user.choices = [
        (u.id, u.name if u.active else _("%(name)s (deactivated)", name=u.name)) for u in everyone
    ]
    form.to_user.choices = [(u.id, u.name) for u in everyone if u.active]
    return form


def _parties_of(user_id: int | None) -> list[Party]:
    if not user_id:
        return []
    query = (
        select(Party)
        .where(Party.owner_id == user_id, Party.deleted_at.is_(None))
        .order_by(Party.name_key)
        .limit(HANDOVER_LIST_LIMIT)
    )
    return list(db.session.scalars(query))


@bp.get("/handover")
@admin_required
def handover():
    """Choose whose parties move to whom; all of them, or a selection."""
    form = _handover_form()
    from_id = request.args.get("from_user", type=int) or (form.from_user.choices or [(None,)])[0][0]
    form.from_user.data = from_id
    context = {"form": form, "parties": _parties_of(from_id), "limit": HANDOVER_LIST_LIMIT}
    return render_page_or_fragment("admin/handover.html", "admin/_handover_parties.html", **context)


@bp.post("/handover")
@admin_required
def handover_post():
    """Move the parties in one transaction, recorded in each party's history."""
    form = _handover_form()
    if not form.validate_on_submit():
        context = {"form": form, "parties": _parties_of(form.from_user.data), "limit": 0}
        return render_template("admin/handover.html", **context), 422
    from_user, to_user = _user_or_404(form.from_user.data), _user_or_404(form.to_user.data)
    selection = None
    if request.form.get("scope") == "selected":
        selection = [int(i) for i in request.form.getlist("party_ids") if i.isdigit()]
    try:
        moved = hand_over(current_user, from_user, to_user, selection)
    except DomainError as exc:
        form.to_user.errors.append(str(exc))
        context = {"form": form, "parties": _parties_of(from_user.id), "limit": 0}
        return render_template("admin/handover.html", **context), 422
    db.session.commit()
    message = ngettext(
        "%(num)d party moved from %(old)s to %(new)s.",
        "%(num)d parties moved from %(old)s to %(new)s.",
        moved,
        old=from_user.name,
        new=to_user.name,
    )
    flash(message, "success")
    return redirect(url_for("admin.handover", from_user=from_user.id))


@bp.get("/trash")
@admin_required
def trash():
    """Deleted parties, newest first, each with a restore button."""
    return render_template("admin/trash.html", parties=parties.trashed_parties(), form=DeleteForm())


@bp.post("/trash/<int:party_id>/restore")
@admin_required
def restore(party_id: int):
    """Bring a party back from the trash."""
    party = parties.get_party(current_user, party_id, include_deleted=True)
    if DeleteForm().validate_on_submit():
        parties.restore_party(current_user, party)
        db.session.commit()
        flash(_("“%(name)s” was restored.", name=party.name), "success")
    return redirect(url_for("admin.trash"))
