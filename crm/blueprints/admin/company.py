"""The company profile for commercial proposals: details, logo and signature (admins only)."""

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.blueprints.admin import bp
from crm.blueprints.admin.company_forms import IMAGE_LABELS, CompanyForm, CompanyImageForm
from crm.blueprints.clients.forms import DeleteForm
from crm.extensions import db
from crm.services import company, company_images
from crm.services.errors import EditConflictError
from crm.web import admin_required

_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg"}


@bp.app_context_processor
def document_languages() -> dict:
    """Names of the languages documents are written in, each in its own language."""
    return {"document_language_names": company.LANGUAGE_NAMES}


def _page(
    form: CompanyForm,
    failed_upload: CompanyImageForm | None = None,
    status: int = 200,
    unsaved: dict[str, str] | None = None,
):
    """The profile form, and for each image its preview and upload form.

    `unsaved` (after a conflict) maps each field the user entered differently from the
    stored profile to that value, shown next to the form so it is not lost.
    """
    image_forms = {
        kind: CompanyImageForm(kind, formdata=None) for kind in company_images.IMAGE_KINDS
    }
    if failed_upload is not None:
        image_forms[failed_upload.kind] = failed_upload
    context = {
        "form": form,
        "image_forms": image_forms,
        "image_labels": IMAGE_LABELS,
        "images": company_images.stored_images(),
        "max_mb": company_images.MAX_IMAGE_BYTES // (1024 * 1024),
        "max_side": company_images.MAX_IMAGE_SIDE,
        "unsaved": unsaved,
    }
    return render_template("admin/company.html", **context), status


def _stored_form() -> CompanyForm:
    """The form filled in with the stored profile and its fingerprint."""
    values = company.stored_profile()
    return CompanyForm(
        formdata=None, data={**values, "fingerprint": company.profile_fingerprint(values)}
    )


@bp.get("/company")
@admin_required
def company_page():
    """The company's details, logo and signature as offers print them."""
    return _page(_stored_form())


@bp.post("/company")
@admin_required
def save_company():
    """Save the details; on any invalid field nothing is saved and the form says why.

    If someone saved the profile after this form was shown, nothing is saved either: 409,
    the form shows the profile as it is now, and what this user entered differently is
    listed beside it. (A post without a fingerprint is saved unchecked, as the service does.)
    """
    form = CompanyForm()
    if form.validate_on_submit():
        try:
            company.save_company_profile(
                current_user, form.profile_data(), form.fingerprint.data or None
            )
        except EditConflictError:
            unsaved = company.unsaved_values(form.profile_data())
            shown = {key: form.shown_value(key, value) for key, value in unsaved.items()}
            return _page(_stored_form(), status=409, unsaved=shown)
        except company.CompanyProfileError as exc:
            for key, message in exc.errors.items():
                form[key].errors.append(str(message))
        else:
            db.session.commit()
            flash(_("The company profile was saved."), "success")
            return redirect(url_for("admin.company_page"))
    return _page(form, status=422)


@bp.post("/company/images/<kind>")
@admin_required
def upload_company_image(kind: str):
    """Store the logo or the signature: PNG or JPEG by content, whatever the file's name."""
    if kind not in company_images.IMAGE_KINDS:
        abort(404)
    form = CompanyImageForm(kind)
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read(
            company_images.MAX_IMAGE_BYTES + 1
        )  # one byte more tells "too large"
        try:
            company_images.save_company_image(current_user, kind, upload.filename or "", data)
        except company_images.ImageRejectedError as exc:
            form.file.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The image was saved."), "success")
            return redirect(url_for("admin.company_page", _anchor="images"))
    return _page(_stored_form(), failed_upload=form, status=422)


@bp.post("/company/images/<kind>/remove")
@admin_required
def remove_company_image(kind: str):
    """Remove the logo or the signature; offers are printed without it."""
    if DeleteForm().validate_on_submit():
        company_images.remove_company_image(current_user, kind)
        db.session.commit()
        flash(_("The image was removed."), "success")
    return redirect(url_for("admin.company_page", _anchor="images"))


@bp.get("/company/images/<kind>")
@login_required
def company_image(kind: str):
    """The stored image, to anyone logged in (offers show it), with its checked type."""
    image = company_images.get_company_image(kind)
    response = make_response(bytes(image.content))
    response.headers["Content-Type"] = image.mime_type
    response.headers["X-Content-Type-Options"] = "nosniff"
    filename = f"{kind}.{_EXTENSIONS.get(image.mime_type, 'bin')}"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
