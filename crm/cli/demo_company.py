"""The demo company's own details, as its commercial proposals print them."""

from crm.models import User
from crm.services.company import save_company_profile

PROFILE = {
    "company_name": "ТОВ «Меблевий дім «Затишок»»",
    "company_legal_details": (
        "Товариство з обмеженою відповідальністю «Меблевий дім «Затишок»»\n"
        "Дата державної реєстрації 12.03.2019, номер запису в ЄДР 1 070 102 0000 081456"
    ),
    "company_tax_ids": "Код ЄДРПОУ 43125670\nІПН 431256726502\nПлатник ПДВ",
    "company_address": "01032, м. Київ, вул. Саксаганського, 121, офіс 14",
    "company_bank_details": ("IBAN UA743052990000026007233566001\nАТ КБ «ПриватБанк», МФО 305299"),
    "company_phone": "+380 44 390 12 34",
    "company_email": "sales@zatyshok.example",
    "base_currency": "UAH",
    "default_vat_rate": "20",
    "prices_include_vat": "no",
    "offer_prefix": "КП-",
    "offer_validity_days": "14",
    "default_document_language": "uk",
}


def describe_the_company(admin: User) -> None:
    """Fill in the company profile (an admin's change, audited like one)."""
    save_company_profile(admin, PROFILE)
