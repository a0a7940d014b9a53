"""CSV export: only for those allowed, limited to what they see, safe in spreadsheets, logged."""

import csv
import io

import pytest

from crm.services.errors import PermissionDeniedError
from crm.services.export import export_csv, recent_exports
from crm.services.party_list import PartyFilter
from crm.services.settings import set_setting
from tests.factories import make_party, make_user


def rows(body: str) -> list[dict]:
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


def test_admin_exports_the_filtered_list_and_the_export_is_logged(admin, manager):
    make_party(manager, "Петро Ромашко", phones="+380 50 123 45 67", tags=["опт"])
    make_party(manager, "Other", roles=["supplier"])
    exported = rows(export_csv(admin, PartyFilter(role="client")))
    assert [r["name"] for r in exported] == ["Петро Ромашко"]
    assert exported[0]["phones"] == "+380 50 123 45 67"
    assert exported[0]["owner"] == manager.name and exported[0]["tags"] == "опт"
    (entry,) = recent_exports()
    assert entry.user_id == admin.id
    assert entry.changes == {"filters": {"role": "client"}, "rows": 1}


def test_managers_export_only_when_allowed_and_only_what_they_see(manager):
    other = make_user("dmitry@example.com")
    make_party(manager, "Mine")
    make_party(other, "Theirs")
    with pytest.raises(PermissionDeniedError):
        export_csv(manager, PartyFilter())
    set_setting("managers_may_export", "yes")
    set_setting("manager_visibility", "own")
    assert [r["name"] for r in rows(export_csv(manager, PartyFilter()))] == ["Mine"]


def test_viewers_never_export(viewer):
    set_setting("managers_may_export", "yes")
    with pytest.raises(PermissionDeniedError):
        export_csv(viewer, PartyFilter())


def test_formulas_in_cells_are_defused(admin):
    make_party(admin, '=HYPERLINK("http://evil.example")', notes="x", industry="@SUM(1)")
    (row,) = rows(export_csv(admin, PartyFilter()))
    assert row["name"].startswith("'=") and row["industry"] == "'@SUM(1)"
