"""The company profile page: an admin fills in the details and the images; nobody else may."""

import html
import io
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry, CompanyImage, Setting
from crm.services import company, company_images
from tests.blueprints.test_statement_budget import counted_get, explain, within_budget
from tests.services.test_company import VALID
from tests.services.test_company_images import GIF, HTML, jpeg, png

PAGE = "/admin/company"


def state() -> dict:
    """Everything the page could change."""
    return {
        "settings": sorted(db.session.execute(select(Setting.key, Setting.value)).all()),
        "images": sorted(db.session.execute(select(CompanyImage.kind, CompanyImage.content)).all()),
        "audit": db.session.scalar(select(db.func.count()).select_from(AuditEntry)),
    }


def text(response) -> str:
    """The page as text, entities decoded and whitespace squeezed."""
    without_tags = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(without_tags).split())


def field_block(response, field_id: str) -> str:
    """The HTML of the form field (label, input, hint and error) around one input."""
    page = response.get_data(as_text=True)
    blocks = re.findall(r'<div class="field[^"]*">.*?</div>', page, re.S)
    found = [b for b in blocks if f'id="{field_id}"' in b]
    assert found, f"no field {field_id}"
    return html.unescape(found[0])


class Fields(HTMLParser):
    """The visible form fields of a page, and the ids that a <label for> names."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.fields: list[dict] = []
        self.labelled: set[str] = set()
        self.in_label = 0
        self.feed(page)

    def handle_starttag(self, tag, attrs) -> None:  # noqa: ANN001
        attrs = dict(attrs)
        if tag == "label":
            self.in_label += 1
            if attrs.get("for"):
                self.labelled.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.fields.append(attrs | {"wrapped": bool(self.in_label)})

    def handle_endtag(self, tag) -> None:  # noqa: ANN001
        if tag == "label":
            self.in_label -= 1

    def unlabelled(self) -> list[str]:
        return [
            f.get("name", "?")
            for f in self.fields
            if not f["wrapped"] and f.get("id") not in self.labelled
        ]


def upload(client, kind: str, data: bytes, filename: str, token: bool = True):
    payload = {f"{kind}-file": (io.BytesIO(data), filename)}
    if token:
        payload["csrf_token"] = client.csrf_token()
    return client.post(
        f"/admin/company/images/{kind}", data=payload, content_type="multipart/form-data"
    )


@pytest.fixture
def as_admin(client, admin):
    client.login(admin.email)
    return client


# --- the page ------------------------------------------------------------------------------


def test_the_admin_index_links_to_the_company_profile(as_admin):
    assert f'href="{PAGE}"' in as_admin.get("/admin").get_data(as_text=True)


def test_the_page_shows_every_field_with_a_label_and_the_stored_values(as_admin, admin):
    company.save_company_profile(admin, VALID)
    db.session.commit()

    response = as_admin.get(PAGE)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    fields = Fields(page)
    names = {f.get("name") for f in fields.fields}
    assert set(company.PROFILE_KEYS) <= names
    assert {"logo-file", "signature-file"} <= names
    assert fields.unlabelled() == []
    assert "ТОВ «Вектор Софт»" in html.unescape(page)
    assert 'value="7.5"' in page and 'value="ВС/"' in page
    assert '<option selected value="EUR">' in page
    assert '<option lang="uk" value="uk">Українська</option>' in page


def test_with_nothing_stored_the_form_offers_the_defaults(as_admin):
    page = as_admin.get(PAGE).get_data(as_text=True)

    assert 'value="КП-"' in page and 'value="20"' in page and 'value="14"' in page
    assert '<option selected value="UAH">' in page
    assert '<option lang="uk" selected value="uk">' in page
    assert "Not uploaded yet." in page


def test_saving_valid_details_stores_them_and_comes_back_to_the_page(as_admin):
    response = as_admin.send(PAGE, VALID)

    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    profile = company.company_profile()
    assert profile.company_email == "sales@vector-soft.example"
    assert profile.offer_validity_days == 30 and profile.prices_include_vat is True
    assert "The company profile was saved." in text(as_admin.get(PAGE))


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("offer_prefix", "КП №", "Only letters, digits, “-”, “_” and “/” are allowed."),
        ("offer_prefix", "ДУЖЕДОВГИЙПРЕФІКС", "At most 12 characters."),
        ("default_vat_rate", "двадцять", "Enter a number, such as 20 or 7.5."),
        ("default_vat_rate", "120", "The VAT rate must be between 0 and 100 %."),
        ("offer_validity_days", "0", "Enter a whole number of days from 1 to 365."),
        ("company_email", "sales@", "is not an e-mail address."),
        ("company_bank_details", "IBAN " * 101, "At most 500 characters."),
        ("base_currency", "GBP", "Not a valid choice"),
        ("default_document_language", "de", "Not a valid choice"),
    ],
)
def test_an_invalid_value_shows_its_message_next_to_the_field_and_saves_nothing(
    as_admin, key, value, message
):
    before = state()

    response = as_admin.send(PAGE, {**VALID, key: value})

    assert response.status_code == 422
    block = field_block(response, key)
    assert "has-error" in block and message in block
    assert 'aria-invalid="true"' in block
    assert state() == before
    # What the admin typed stays in the form, to be corrected.
    assert html.unescape(f'value="{VALID["company_phone"]}"') in html.unescape(
        response.get_data(as_text=True)
    )


def test_the_page_stays_within_the_statement_budget(as_admin, admin):
    company_images.save_company_image(admin, "logo", "logo.png", png())
    db.session.commit()
    _, statements = counted_get(as_admin, PAGE)
    assert within_budget(statements), explain(statements)


# --- who may, and CSRF ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_managers_and_viewers_get_403_on_the_page_and_every_change(client, request, admin, who):
    company_images.save_company_image(admin, "logo", "logo.png", png())
    db.session.commit()
    client.login(request.getfixturevalue(who).email)
    before = state()

    assert client.get(PAGE).status_code == 403
    assert client.send(PAGE, VALID).status_code == 403
    assert upload(client, "signature", png(), "s.png").status_code == 403
    assert client.send("/admin/company/images/logo/remove").status_code == 403
    assert state() == before


def test_anonymous_users_are_sent_to_log_in(client):
    for response in (client.get(PAGE), client.get("/admin/company/images/logo")):
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_every_change_needs_the_csrf_token(as_admin, admin):
    company_images.save_company_image(admin, "logo", "logo.png", png())
    db.session.commit()
    before = state()

    assert as_admin.post(PAGE, data=VALID).status_code == 400
    assert upload(as_admin, "signature", png(), "s.png", token=False).status_code == 400
    assert as_admin.post("/admin/company/images/logo/remove").status_code == 400
    assert state() == before


# --- images --------------------------------------------------------------------------------


def test_an_uploaded_png_named_jpg_is_served_back_as_png_with_nosniff(as_admin):
    data = png(120, 40)

    response = upload(as_admin, "logo", data, "logo.jpg")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{PAGE}#images")
    image = as_admin.get("/admin/company/images/logo")
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Content-Disposition"] == 'inline; filename="logo.png"'
    assert image.data == data
    page = as_admin.get(PAGE).get_data(as_text=True)
    assert '<img src="/admin/company/images/logo"' in page


def test_any_logged_in_user_may_see_the_images_offers_print(client, admin, manager):
    company_images.save_company_image(admin, "signature", "sign.png", jpeg(300, 100))
    db.session.commit()
    client.login(manager.email)

    image = client.get("/admin/company/images/signature")

    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        pytest.param(GIF, "logo.png", "Only PNG and JPEG images can be used.", id="gif"),
        pytest.param(HTML, "logo.png", "Only PNG and JPEG images can be used.", id="html"),
        pytest.param(
            png() + b"\x00" * company_images.MAX_IMAGE_BYTES,
            "big.png",
            "larger than 1 MB",
            id="big",
        ),
    ],
)
def test_a_refused_upload_shows_why_next_to_its_field_and_stores_nothing(
    as_admin, data, filename, message
):
    before = state()

    response = upload(as_admin, "logo", data, filename)

    assert response.status_code == 422
    block = field_block(response, "logo-file")
    assert message in block and "has-error" in block
    assert "has-error" not in field_block(response, "signature-file")
    assert state() == before
    assert as_admin.get("/admin/company/images/logo").status_code == 404


def test_an_upload_without_a_file_asks_for_one(as_admin):
    response = as_admin.send("/admin/company/images/logo", {})
    assert response.status_code == 422
    assert "Choose a PNG or JPEG file." in field_block(response, "logo-file")


def test_removing_an_image_takes_it_off_the_page(as_admin, admin):
    company_images.save_company_image(admin, "logo", "logo.png", png())
    db.session.commit()

    response = as_admin.send("/admin/company/images/logo/remove")

    assert response.status_code == 302
    assert as_admin.get("/admin/company/images/logo").status_code == 404
    assert '<img src="/admin/company/images/logo"' not in as_admin.get(PAGE).get_data(as_text=True)


def test_an_unknown_kind_of_image_is_not_found(as_admin):
    assert as_admin.get("/admin/company/images/favicon").status_code == 404
    assert upload(as_admin, "favicon", png(), "f.png").status_code == 404
    assert as_admin.send("/admin/company/images/favicon/remove").status_code == 404
