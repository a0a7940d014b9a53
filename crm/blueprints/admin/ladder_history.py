"""The ladder's own history in words: who added, renamed, moved or removed which stage.

Built-in names are stored as their keys and shown in the reader's language.
"""

from flask_babel import gettext as _
from flask_babel import ngettext

from crm.models import AuditEntry
from crm.services.stage_models import LOSS_REASONS, MODELS, STAGE_NAMES


def model_title(key: str | None) -> str:
    return str(MODELS[key][0]) if key in MODELS else _("Your own ladder")


def _stage_name(name: str | None, key: str | None) -> str:
    """The admin's own name, or the built-in one in today's language."""
    return name or str(STAGE_NAMES.get(key or "", "?"))


def _reason_name(name: str | None, key: str | None) -> str:
    return name or str(LOSS_REASONS.get(key or "", "?"))


def _stage(ref: dict | None) -> str:
    ref = ref or {}
    return _stage_name(ref.get("name"), ref.get("key"))


def _reason(ref: dict | None) -> str:
    ref = ref or {}
    return _reason_name(ref.get("name"), ref.get("key"))


def _field_changes(changes: dict, named) -> str:  # noqa: ANN001 - _stage_name or _reason_name
    key = (changes.get("stage") or changes.get("reason") or {}).get("key")
    parts = []
    if "name" in changes:
        old, new = (named(name, key) for name in changes["name"])
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
    moved = ngettext("%(num)s client moved", "%(num)s clients moved", changes.get("parties", 0))
    if entry.entity == "stage_model":
        old, new = changes.get("model", [None, None])
        text = _("Model switched: %(old)s → %(new)s", old=model_title(old), new=model_title(new))
        return f"{text}; {moved}"
    if entry.entity == "loss_reason":
        if entry.action == "create":
            return _("Loss reason added: “%(name)s”", name=changes["name"][1])
        name = _reason(changes.get("reason"))
        what = _field_changes(changes, _reason_name)
        return _("Loss reason “%(name)s”: %(what)s", name=name, what=what)
    if entry.action == "create":
        return _("Stage added: “%(name)s”", name=changes["name"][1])
    name = _stage(changes.get("stage"))
    if entry.action == "update":
        return _("Stage “%(name)s”: %(what)s", name=name, what=_field_changes(changes, _stage_name))
    if entry.action == "up":
        other = _stage(changes.get("past"))
        return _("Stage “%(name)s” moved up past “%(other)s”", name=name, other=other)
    if entry.action == "down":
        other = _stage(changes.get("past"))
        return _("Stage “%(name)s” moved down past “%(other)s”", name=name, other=other)
    if entry.action == "remove":
        to = _stage(changes.get("to"))
        text = _("Stage “%(name)s” removed; its clients went to “%(to)s”", name=name, to=to)
        return f"{text} ({moved})"
    return entry.action
