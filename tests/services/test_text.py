"""Search normalisation: what users expect to match."""

import pytest

from crm.services.text import fold, like_escape, search_pattern


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("петро", "Петро"),
        ("ivan", "IVAN"),
        ("ёлкин", "Елкин"),
        ("елкин", "Ёлкин"),
        ("їжак", "Іжак"),
        ("ганна", "Ґанна"),
        ("мар'яна", "Мар’яна"),
        ("ромашка", "  ТОВ   «РОМАШКА» "),
    ],
)
def test_folded_query_is_found_in_folded_text(typed, stored):
    assert fold(typed) in fold(stored)


@pytest.mark.parametrize(
    ("query", "pattern"),
    [
        ("+380 (50) 123-45-67", "380501234567"),
        ("050 123", "050123"),
        ("12", "12"),
        ("Петро 050", "петро 050"),
    ],
)
def test_phone_queries_become_digits(query, pattern):
    assert search_pattern(query) == pattern


def test_like_wildcards_in_user_input_match_literally():
    assert like_escape("50%_off\\") == "50\\%\\_off\\\\"
