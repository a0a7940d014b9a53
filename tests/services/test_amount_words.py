"""Amounts in words: exact strings for every language and currency, and the plural forms."""

from decimal import Decimal

import pytest
from num2words import num2words
from num2words.lang_EN import Num2Word_EN

from crm.services.amount_words import CURRENCIES, amount_in_words


@pytest.mark.parametrize(
    ("amount", "language", "currency", "words"),
    [
        ("0", "uk", "UAH", "Нуль гривень 00 копійок"),
        ("0", "uk", "USD", "Нуль доларів 00 центів"),
        ("0", "uk", "EUR", "Нуль євро 00 центів"),
        ("0", "ru", "UAH", "Ноль гривен 00 копеек"),
        ("0", "ru", "USD", "Ноль долларов 00 центов"),
        ("0", "ru", "EUR", "Ноль евро 00 центов"),
        ("0", "en", "UAH", "Zero hryvnias, 00 kopiykas"),
        ("0", "en", "USD", "Zero dollars, 00 cents"),
        ("0", "en", "EUR", "Zero euro, 00 cents"),
        ("1", "uk", "UAH", "Одна гривня 00 копійок"),
        ("1", "uk", "USD", "Один долар 00 центів"),
        ("1", "uk", "EUR", "Один євро 00 центів"),
        ("1", "ru", "UAH", "Одна гривна 00 копеек"),
        ("1", "ru", "USD", "Один доллар 00 центов"),
        ("1", "ru", "EUR", "Один евро 00 центов"),
        ("1", "en", "UAH", "One hryvnia, 00 kopiykas"),
        ("1", "en", "USD", "One dollar, 00 cents"),
        ("1", "en", "EUR", "One euro, 00 cents"),
        ("2", "uk", "UAH", "Дві гривні 00 копійок"),
        ("2", "uk", "USD", "Два долари 00 центів"),
        ("2", "uk", "EUR", "Два євро 00 центів"),
        ("2", "ru", "UAH", "Две гривны 00 копеек"),
        ("2", "ru", "USD", "Два доллара 00 центов"),
        ("2", "ru", "EUR", "Два евро 00 центов"),
        ("2", "en", "UAH", "Two hryvnias, 00 kopiykas"),
        ("2", "en", "USD", "Two dollars, 00 cents"),
        ("2", "en", "EUR", "Two euro, 00 cents"),
        ("5", "uk", "UAH", "П'ять гривень 00 копійок"),
        ("5", "uk", "USD", "П'ять доларів 00 центів"),
        ("5", "uk", "EUR", "П'ять євро 00 центів"),
        ("5", "ru", "UAH", "Пять гривен 00 копеек"),
        ("5", "ru", "USD", "Пять долларов 00 центов"),
        ("5", "ru", "EUR", "Пять евро 00 центов"),
        ("5", "en", "UAH", "Five hryvnias, 00 kopiykas"),
        ("5", "en", "USD", "Five dollars, 00 cents"),
        ("5", "en", "EUR", "Five euro, 00 cents"),
        ("21", "uk", "UAH", "Двадцять одна гривня 00 копійок"),
        ("21", "uk", "USD", "Двадцять один долар 00 центів"),
        ("21", "uk", "EUR", "Двадцять один євро 00 центів"),
        ("21", "ru", "UAH", "Двадцать одна гривна 00 копеек"),
        ("21", "ru", "USD", "Двадцать один доллар 00 центов"),
        ("21", "ru", "EUR", "Двадцать один евро 00 центов"),
        ("21", "en", "UAH", "Twenty-one hryvnias, 00 kopiykas"),
        ("21", "en", "USD", "Twenty-one dollars, 00 cents"),
        ("21", "en", "EUR", "Twenty-one euro, 00 cents"),
        ("1000", "uk", "UAH", "Одна тисяча гривень 00 копійок"),
        ("1000", "uk", "USD", "Одна тисяча доларів 00 центів"),
        ("1000", "uk", "EUR", "Одна тисяча євро 00 центів"),
        ("1000", "ru", "UAH", "Одна тысяча гривен 00 копеек"),
        ("1000", "ru", "USD", "Одна тысяча долларов 00 центов"),
        ("1000", "ru", "EUR", "Одна тысяча евро 00 центов"),
        ("1000", "en", "UAH", "One thousand hryvnias, 00 kopiykas"),
        ("1000", "en", "USD", "One thousand dollars, 00 cents"),
        ("1000", "en", "EUR", "One thousand euro, 00 cents"),
        ("1000000.01", "uk", "UAH", "Один мільйон гривень 01 копійка"),
        ("1000000.01", "uk", "USD", "Один мільйон доларів 01 цент"),
        ("1000000.01", "uk", "EUR", "Один мільйон євро 01 цент"),
        ("1000000.01", "ru", "UAH", "Один миллион гривен 01 копейка"),
        ("1000000.01", "ru", "USD", "Один миллион долларов 01 цент"),
        ("1000000.01", "ru", "EUR", "Один миллион евро 01 цент"),
        ("1000000.01", "en", "UAH", "One million hryvnias, 01 kopiyka"),
        ("1000000.01", "en", "USD", "One million dollars, 01 cent"),
        ("1000000.01", "en", "EUR", "One million euro, 01 cent"),
        ("1234.56", "uk", "UAH", "Одна тисяча двісті тридцять чотири гривні 56 копійок"),
        ("1234.56", "uk", "USD", "Одна тисяча двісті тридцять чотири долари 56 центів"),
        ("1234.56", "uk", "EUR", "Одна тисяча двісті тридцять чотири євро 56 центів"),
        ("1234.56", "ru", "UAH", "Одна тысяча двести тридцать четыре гривны 56 копеек"),
        ("1234.56", "ru", "USD", "Одна тысяча двести тридцать четыре доллара 56 центов"),
        ("1234.56", "ru", "EUR", "Одна тысяча двести тридцать четыре евро 56 центов"),
        ("1234.56", "en", "UAH", "One thousand, two hundred and thirty-four hryvnias, 56 kopiykas"),
        ("1234.56", "en", "USD", "One thousand, two hundred and thirty-four dollars, 56 cents"),
        ("1234.56", "en", "EUR", "One thousand, two hundred and thirty-four euro, 56 cents"),
    ],
)
def test_amount_in_words(amount, language, currency, words):
    assert amount_in_words(Decimal(amount), currency, language) == words


@pytest.mark.parametrize(
    ("amount", "language", "words"),
    [
        ("1.01", "uk", "Одна гривня 01 копійка"),
        ("2.02", "uk", "Дві гривні 02 копійки"),
        ("5.05", "uk", "П'ять гривень 05 копійок"),
        ("11.11", "uk", "Одинадцять гривень 11 копійок"),
        ("22.22", "uk", "Двадцять дві гривні 22 копійки"),
        ("2000000", "uk", "Два мільйони гривень 00 копійок"),
        ("1.01", "ru", "Одна гривна 01 копейка"),
        ("2.02", "ru", "Две гривны 02 копейки"),
        ("5.05", "ru", "Пять гривен 05 копеек"),
        ("11.11", "ru", "Одиннадцать гривен 11 копеек"),
        ("22.22", "ru", "Двадцать две гривны 22 копейки"),
        ("2000000", "ru", "Два миллиона гривен 00 копеек"),
        ("21000001", "ru", "Двадцать один миллион одна гривна 00 копеек"),
        ("1002000.02", "ru", "Один миллион две тысячи гривен 02 копейки"),
    ],
)
def test_hryvnia_and_kopeck_plurals(amount, language, words):
    assert amount_in_words(Decimal(amount), "UAH", language) == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0.005", "Нуль гривень 01 копійка"),
        ("0.004", "Нуль гривень 00 копійок"),
        ("1.995", "Дві гривні 00 копійок"),
        ("2.345", "Дві гривні 35 копійок"),
        ("-0.004", "Нуль гривень 00 копійок"),
    ],
)
def test_rounds_half_up_to_the_kopeck(amount, words):
    assert amount_in_words(Decimal(amount), "UAH", "uk") == words


@pytest.mark.parametrize("amount", ["-0.01", "-1", "-0.005"])
def test_negative_amounts_are_refused(amount):
    with pytest.raises(ValueError, match="negative"):
        amount_in_words(Decimal(amount), "UAH", "uk")


@pytest.mark.parametrize(
    ("amount", "currency", "language"),
    [
        (Decimal("NaN"), "UAH", "uk"),
        (Decimal("Infinity"), "UAH", "uk"),
        (Decimal(1), "RUB", "ru"),
        (Decimal(1), "UAH", "de"),
    ],
)
def test_unsupported_input_is_refused(amount, currency, language):
    with pytest.raises(ValueError, match="not a finite|unsupported"):
        amount_in_words(amount, currency, language)


def test_a_float_is_refused():
    with pytest.raises(TypeError):
        amount_in_words(1.005, "UAH", "uk")


def test_an_int_counts_whole_units_not_cents():
    assert amount_in_words(5, "USD", "en") == "Five dollars, 00 cents"


def test_the_library_is_not_patched():
    assert "UAH" not in Num2Word_EN.CURRENCY_FORMS
    with pytest.raises(NotImplementedError):
        num2words(Decimal(1), lang="en", to="currency", currency="UAH")
    assert CURRENCIES == ("UAH", "USD", "EUR")
