"""The ladder's own history in words: who added, renamed, moved or removed which stage."""

from flask_babel import gettext as _
from flask_babel import ngettext

from crm.models import AuditEntry
from crm.services.stage_models import MODELS


def _model_title(key: str | None) -> str:
    return str(MODELS[key][0]) if key in MODELS else _("Your own ladder")


def _field_changes(changes: dict) -> str:
    parts = []
    if "name" in changes:
        old, new = changes["name"]
        parts.append(_("name “%(old)s” → “%(new)s”", old=old, new=new))
    if "color" in changes:
        parts.append(_("colour"))
    if "contact_interval_days" in changes:
        old, new = changes["contact_interval_days"]
        parts.append(_("contact every %(old)s → %(new)s days", old=old, new=new))
    if "active" in changes:
        parts.append(_("back in use") if changes["active"][1] else _("retired"))
    return "; ".join(parts)


def describe(entry: AuditEntry) -> str:
    """One line for the ladder page's "Recent changes"."""
    changes = entry.changes or {}
    parties = changes.get("parties", 0)
    moved = ngettext("%(num)s client moved", "%(num)s clients moved", parties)
    if entry.entity == "stage_model":
        old, new = changes.get("model", [None, None])
        text = _("Model switched: %(old)s → %(new)s", old=_model_title(old), new=_model_title(new))
        return f"{text}; {moved}"
    if entry.entity == "loss_reason":
        if entry.action == "create":
            return _("Loss reason added: “%(name)s”", name=changes["name"][1])
        name = changes.get("reason", "")
        return _("Loss reason “%(name)s”: %(what)s", name=name, what=_field_changes(changes))
    if entry.action == "create":
        return _("Stage added: “%(name)s”", name=changes["name"][1])
    if entry.action == "update":
        name = changes.get("stage", "")
        return _("Stage “%(name)s”: %(what)s", name=name, what=_field_changes(changes))
    name, other = changes.get("name", ""), changes.get("past", "")
    if entry.action == "up":
        return _("Stage “%(name)s” moved up past “%(other)s”", name=name, other=other)
    if entry.action == "down":
        return _("Stage “%(name)s” moved down past “%(other)s”", name=name, other=other)
    if entry.action == "remove":
        to = changes.get("to", "")
        text = _("Stage “%(name)s” removed; its clients went to “%(to)s”", name=name, to=to)
        return f"{text} ({moved})"
    return entry.action
