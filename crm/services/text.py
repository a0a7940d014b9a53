"""Text normalisation shared by search and sorting: the same on SQLite and PostgreSQL."""

import re

# Letters users treat as interchangeable when searching.
_FOLD = str.maketrans({"ё": "е", "ї": "і", "ґ": "г", "’": "'", "ʼ": "'", "`": "'", "‘": "'"})
_PHONE_QUERY = re.compile(r"[\d\s()+\-.]+")
_NON_DIGITS = re.compile(r"\D")


def fold(text: str) -> str:
    """Case- and variant-insensitive form of text ("Петро" and "петро" fold alike)."""
    return " ".join(text.casefold().translate(_FOLD).split())


def digits(text: str) -> str:
    """The digits of a phone number, whatever its formatting."""
    return _NON_DIGITS.sub("", text)


def search_pattern(query: str) -> str:
    """What to look for in a party's search text: digits for a phone, folded text otherwise."""
    query = query.strip()
    if _PHONE_QUERY.fullmatch(query) and len(digits(query)) >= 3:
        return digits(query)
    return fold(query)


def like_escape(value: str) -> str:
    """Escape LIKE wildcards so that user input matches literally (escape char: backslash)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def split_lines(value: str) -> list[str]:
    """Non-empty, stripped lines of a multi-value field (phones, e-mails)."""
    return [line.strip() for line in value.splitlines() if line.strip()]
