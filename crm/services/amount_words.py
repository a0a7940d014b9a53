"""Money amounts in words for commercial documents ("Одна тисяча гривень 00 копійок").

Whole units are spelled out by num2words; kopecks/cents are written as two digits,
the usual form in Ukrainian and Russian invoices.
"""

from decimal import ROUND_HALF_UP, Decimal

from num2words import CONVERTER_CLASSES
from num2words.lang_EN import Num2Word_EN
from num2words.lang_RU import Num2Word_RU

CURRENCIES = ("UAH", "USD", "EUR")
LANGUAGES = ("uk", "ru", "en")

_CENT = Decimal("0.01")
_MILLION = 1_000_000
# What joins the units to the cents: "гривень 56 копійок", "dollars, 56 cents".
_SEPARATORS = {"uk": "", "ru": "", "en": ","}


class _EnglishConverter(Num2Word_EN):
    """English num2words that also knows the hryvnia."""

    CURRENCY_FORMS = {
        **Num2Word_EN.CURRENCY_FORMS,
        "UAH": (("hryvnia", "hryvnias"), ("kopiyka", "kopiykas")),
    }


class _RussianConverter(Num2Word_RU):
    """Russian num2words that keeps millions masculine before a feminine currency."""

    def _money_verbose(self, number: int, currency: str) -> str:
        """Spell whole units; num2words 0.5.14 says "одна миллион гривен" otherwise."""
        if currency != "UAH" or number < _MILLION:
            return super()._money_verbose(number, currency)
        high, low = divmod(number, _MILLION)
        words = [self._int2word(high * _MILLION, gender="m")]
        if low:
            words.append(self._int2word(low, gender="f"))
        return " ".join(words)


_CONVERTERS = {"uk": CONVERTER_CLASSES["uk"], "ru": _RussianConverter(), "en": _EnglishConverter()}


def amount_in_words(amount: Decimal, currency: str, language: str) -> str:
    """The amount, rounded half-up to 0.01, in words with the currency, capitalised."""
    if currency not in CURRENCIES:
        raise ValueError(f"unsupported currency: {currency!r}")
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language!r}")
    if isinstance(amount, float):
        raise TypeError("pass a Decimal: a float has already lost the cents")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {amount}")
    amount = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError(f"negative amount: {amount}")
    words = _CONVERTERS[language].to_currency(
        abs(amount), currency=currency, cents=False, separator=_SEPARATORS[language]
    )
    return words[0].upper() + words[1:]
