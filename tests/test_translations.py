"""Every UI string is translated into Russian and Ukrainian, and the catalogues are current.

The extraction keywords are the Makefile's (`make translations`)."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "crm" / "translations"


def _ids(catalog) -> set:
    """(context, message) pairs: "Cancelled" of an offer and of a task are two messages."""
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


@pytest.fixture(scope="module")
def source_ids(tmp_path_factory) -> set:
    """The messages in the code and templates right now."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "lazy_gettext",
            "-k",
            "_l",
            "-k",
            "lazy_pgettext:1c,2",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return _ids(read_po(handle))


@pytest.mark.parametrize("locale", ["ru", "uk"])
def test_catalogue_is_complete(locale, source_ids):
    with (CATALOGUES / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    missing = source_ids - _ids(catalog)
    assert not missing, f"not in the {locale} catalogue (run `make translations`): {missing}"
    untranslated = [
        m.id
        for m in catalog
        if m.id and (m.fuzzy or not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    assert not untranslated, f"untranslated or fuzzy in {locale}: {untranslated}"
