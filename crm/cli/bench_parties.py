"""Bench data for parties and their contacts: organisations, people, phones, e-mails.

Used by `crm/cli/bench_chunk.py`, one party at a time: a country (ru, uk, en), a profile
built from the word pools of `crm/cli/bench_words.py` (names, tax ids, addresses, phones
in the many ways people write them), the contact persons, and the folded search columns
exactly as `parties.refresh_search_text` computes them. Deterministic per seed.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from crm.cli.bench_words import (
    CITIES_EN,
    CITIES_RU,
    CITIES_UK,
    EMAIL_BOXES,
    END_CUSTOMERS,
    FIRST_EN,
    FIRST_RU_F,
    FIRST_RU_M,
    FIRST_UK_F,
    FIRST_UK_M,
    FORMS_EN,
    FORMS_RU,
    FORMS_UK,
    INDUSTRIES,
    LAST_EN,
    LAST_RU,
    LAST_UK,
    NOTES,
    ORG_ENDINGS_RU,
    ORG_ENDINGS_UK,
    ORG_NOUNS_EN,
    ORG_STEMS_RU,
    ORG_STEMS_UK,
    ORG_WORDS_EN,
    POSITIONS,
    PRICE_RANGES,
    PRODUCT_RANGES,
    STREETS_EN,
    STREETS_RU,
    STREETS_UK,
)
from crm.services.text import digits, fold, split_lines

# (roles, weight): most are clients, ~2% competitors, some hold two roles.
ROLE_MIX = [
    (("client",), 760),
    (("supplier",), 80),
    (("partner",), 60),
    (("competitor",), 20),
    (("client", "partner"), 40),
    (("partner", "supplier"), 25),
    (("client", "supplier"), 15),
]

_TRANSLIT = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e",
        "є": "ye", "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k",
        "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
        "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ü": "u",
        "ʼ": "", "'": "", " ": ".", "-": "",
    }
)  # fmt: skip


def _slug(text_value: str) -> str:
    return text_value.casefold().translate(_TRANSLIT)


@dataclass
class Person:
    name: str
    slug: str
    country: str  # ru, uk, en


class PartyGenerator:
    """Deterministic (per seed) fake parties and contacts."""

    def __init__(self, seed: int, owner_ids: list[int], tag_ids: list[int]) -> None:
        self.rng = random.Random(seed)
        self.owner_ids = owner_ids
        self.tag_ids = tag_ids
        # Tag popularity falls off: the first tags of the pool are the common ones.
        self.tag_weights = [1 / (i + 1) ** 0.8 for i in range(len(tag_ids))]
        self.role_sets = [r for r, _ in ROLE_MIX]
        self.role_weights = [w for _, w in ROLE_MIX]

    # --- small pieces -------------------------------------------------------------------

    def country(self) -> str:
        return self.rng.choices(["ru", "uk", "en"], [55, 35, 10])[0]

    def person(self, country: str | None = None) -> Person:
        rng = self.rng
        country = country or self.country()
        if country == "en":
            first, last = rng.choice(FIRST_EN), rng.choice(LAST_EN)
        elif country == "uk":
            female = rng.random() < 0.5
            first = rng.choice(FIRST_UK_F if female else FIRST_UK_M)
            last = rng.choice(LAST_UK)
        else:
            female = rng.random() < 0.5
            first = rng.choice(FIRST_RU_F if female else FIRST_RU_M)
            last = rng.choice(LAST_RU)
            if female:
                last = last[:-1] + "ва" if last.endswith("ов") or last.endswith("ёв") else last
                last = last + "а" if last.endswith(("ев", "ин")) else last
        name = f"{first} {last}"
        if rng.random() < 0.04:  # the odd capitalised or spaced-out entry
            name = name.upper() if rng.random() < 0.5 else f"{first}  {last}"
        return Person(name, _slug(f"{first}.{last}"), country)

    def phone(self, country: str, mobile: bool) -> str:
        rng = self.rng
        n = [rng.randrange(10) for _ in range(7)]
        tail = f"{n[0]}{n[1]}{n[2]}-{n[3]}{n[4]}-{n[5]}{n[6]}"
        if country == "uk":
            code = (
                rng.choice(["50", "67", "63", "93", "97"]) if mobile else rng.choice(["44", "32"])
            )
            return rng.choice(
                [
                    f"+380 {code} {n[0]}{n[1]}{n[2]} {n[3]}{n[4]} {n[5]}{n[6]}",
                    f"+380 ({code}) {tail}",
                    f"0{code}{''.join(map(str, n))}",
                ]
            )
        if country == "en":
            area = rng.choice(["20", "7700", "161"])
            return f"+44 {area} {n[0]}{n[1]}{n[2]}{n[3]} {n[4]}{n[5]}{n[6]}"
        code = rng.choice(["910", "915", "903", "962", "980"]) if mobile else "4852"
        return rng.choice(
            [f"+7 {code} {tail}", f"+7 ({code}) {tail}", f"8{code}{''.join(map(str, n))}"]
        )

    def created_at(self, index: int, total: int, start: datetime, span: float) -> datetime:
        # Ids grow with time, as they do in a real base; a little jitter inside the slot.
        slot = span / max(total, 1)
        return start + timedelta(seconds=slot * index + self.rng.random() * slot)

    # --- a party ------------------------------------------------------------------------

    def organisation(self) -> dict:
        rng = self.rng
        country = self.country()
        if country == "uk":
            brand = rng.choice(ORG_STEMS_UK) + rng.choice(ORG_ENDINGS_UK).lower()
            short, long = rng.choice(FORMS_UK)
            name = f"{short} «{brand}»"
            tax_id = f"ЄДРПОУ {rng.randrange(10_000_000, 99_999_999)}"
            city, street = rng.choice(CITIES_UK), rng.choice(STREETS_UK)
        elif country == "en":
            brand = f"{rng.choice(ORG_WORDS_EN)} {rng.choice(ORG_NOUNS_EN)}"
            long = ""
            name = f"{brand} {rng.choice(FORMS_EN)}" if rng.random() < 0.6 else brand
            tax_id = f"GB{rng.randrange(100_000_000, 999_999_999)}"
            city, street = rng.choice(CITIES_EN), rng.choice(STREETS_EN)
        else:
            brand = rng.choice(ORG_STEMS_RU) + rng.choice(ORG_ENDINGS_RU)
            if rng.random() < 0.15:
                brand += rng.choice(["-М", " Плюс", "-Юг", " 2000", "-Центр"])
            short, long = rng.choice(FORMS_RU)
            name = f"{short} «{brand}»" if rng.random() < 0.8 else brand
            tax_id = str(rng.randrange(1_000_000_000, 9_999_999_999))
            city, street = rng.choice(CITIES_RU), rng.choice(STREETS_RU)
        domain = f"{_slug(brand).replace('.', '')}{rng.randrange(1, 999)}.example"
        phones = [self.phone(country, mobile=False) for _ in range(rng.choice([1, 1, 1, 2]))]
        emails = [f"{box}@{domain}" for box in rng.sample(EMAIL_BOXES, rng.choice([0, 1, 1, 2]))]
        return {
            "kind": "organisation",
            "country": country,
            "domain": domain,
            "name": name,
            "legal_name": f"{long} «{brand}»" if long and rng.random() < 0.5 else "",
            "tax_id": tax_id if rng.random() < 0.6 else "",
            "industry": rng.choice(INDUSTRIES),
            "website": domain if rng.random() < 0.4 else "",
            "address": f"{city}, {street}, {rng.randrange(1, 200)}" if rng.random() < 0.7 else "",
            "phones": "\n".join(phones),
            "emails": "\n".join(emails),
            "employees": rng.choice([None, 5, 12, 35, 60, 120, 250, 1200]),
            "product_range": rng.choice(PRODUCT_RANGES),
            "end_customers": rng.choice(END_CUSTOMERS),
            "price_range": rng.choice(PRICE_RANGES),
            "notes": rng.choice(NOTES) if rng.random() < 0.3 else "",
        }

    def individual(self) -> dict:
        rng = self.rng
        person = self.person()
        mail = f"{person.slug}{rng.randrange(1, 99)}@mail.example"
        city = rng.choice({"ru": CITIES_RU, "uk": CITIES_UK, "en": CITIES_EN}[person.country])
        return {
            "kind": "person",
            "country": person.country,
            "domain": "mail.example",
            "name": person.name,
            "legal_name": "",
            "tax_id": "",
            "industry": "",
            "website": "",
            "address": city if rng.random() < 0.4 else "",
            "phones": self.phone(person.country, mobile=True),
            "emails": mail if rng.random() < 0.6 else "",
            "employees": None,
            "product_range": "",
            "end_customers": "",
            "price_range": "",
            "notes": rng.choice(NOTES) if rng.random() < 0.2 else "",
        }

    def contact(self, party: dict) -> dict:
        rng = self.rng
        person = self.person(party["country"] if rng.random() < 0.85 else None)
        return {
            "name": person.name,
            "position": rng.choice(POSITIONS) if party["kind"] == "organisation" else "",
            "phones": "\n".join(
                self.phone(party["country"], mobile=True) for _ in range(rng.choice([0, 1, 1, 2]))
            ),
            "emails": f"{person.slug}@{party['domain']}" if rng.random() < 0.7 else "",
            "notes": "",
        }

    def contact_counts(self, kinds: list[str], total: int) -> list[int]:
        """Contacts per party: organisations have a few, people rarely any; sums to total."""
        rng = self.rng
        counts = [
            rng.choices([0, 1, 2, 3, 4, 6], [8, 20, 28, 24, 12, 8])[0]
            if kind == "organisation"
            else rng.choices([0, 1], [85, 15])[0]
            for kind in kinds
        ]
        orgs = [i for i, kind in enumerate(kinds) if kind == "organisation"] or list(
            range(len(kinds))
        )
        diff = total - sum(counts)
        while diff > 0:
            counts[rng.choice(orgs)] += 1
            diff -= 1
        while diff < 0:
            i = rng.randrange(len(counts))
            if counts[i]:
                counts[i] -= 1
                diff += 1
        return counts


def search_columns(party: dict, contacts: list[dict]) -> tuple[str, str]:
    """(search_text, name_key) exactly as parties.refresh_search_text computes them."""
    words = [party["name"], party["legal_name"], party["tax_id"], party["emails"]]
    phones = split_lines(party["phones"] or "")
    for contact in contacts:  # in id order, as the service reads them
        words += [contact["name"], contact["emails"]]
        phones += split_lines(contact["phones"] or "")
    search_text = " | ".join(
        [fold(w) for w in words if w] + [digits(p) for p in phones if digits(p)]
    )
    return search_text, fold(party["name"] or "")[:200]
