"""Fixtures the offer tests share: a client, and an empty draft offer to it."""

import pytest

from crm.extensions import db
from crm.services import offers
from tests.factories import make_party


@pytest.fixture
def party(manager):  # noqa: ANN001, ANN201
    return make_party(manager, "ТОВ «Ґудзик і Єнот»")


@pytest.fixture
def offer(manager, party):  # noqa: ANN001, ANN201
    created = offers.create_offer(manager, party.id)
    db.session.commit()
    return created
