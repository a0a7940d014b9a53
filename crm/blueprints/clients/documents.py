"""Documents attached to a party: upload, download (only for those who may see it), remove."""

from flask import flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.blueprints.clients import bp
from crm.blueprints.clients.forms import DeleteForm, DocumentForm
from crm.extensions import db
from crm.services import documents, parties
from crm.web import editor_required


@bp.post("/<int:party_id>/documents")
@editor_required
def upload_document(party_id: int):
    """Attach a file to the party."""
    party = parties.get_party(current_user, party_id)
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            documents.attach_document(current_user, party, upload.filename or "", upload.stream)
        except documents.DocumentRejectedError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("The document was attached."), "success")
    else:
        flash(_("Choose a file to upload."), "error")
    return redirect(url_for("clients.show", party_id=party.id, _anchor="documents"))


@bp.get("/<int:party_id>/documents/<int:document_id>")
@login_required
def download_document(party_id: int, document_id: int):
    """The file, as an attachment, to a user allowed to see the party."""
    party = parties.get_party(current_user, party_id)
    document = documents.get_document(party, document_id)
    return send_file(
        documents.document_path(document),
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.filename,
    )


@bp.post("/<int:party_id>/documents/<int:document_id>/delete")
@editor_required
def delete_document(party_id: int, document_id: int):
    """Remove a document from the card (kept in the history)."""
    party = parties.get_party(current_user, party_id)
    document = documents.get_document(party, document_id)
    if DeleteForm().validate_on_submit():
        documents.remove_document(current_user, document)
        db.session.commit()
    return redirect(url_for("clients.show", party_id=party.id, _anchor="documents"))
