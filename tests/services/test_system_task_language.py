"""Tasks the system writes for someone are in that person's language, not the clicker's."""

from flask_babel import force_locale
from sqlalchemy import select

from crm.extensions import db
from crm.models import Stage, Task
from crm.services import ladder
from crm.services.cadence import plan_next_contact
from crm.services.handover import hand_over
from tests.factories import make_party, make_user


def speaking(email: str, locale: str | None, name: str):  # noqa: ANN201
    user = make_user(email, name=name)
    user.locale = locale
    db.session.commit()
    return user


def test_an_introduction_task_is_written_in_the_receivers_language(app, admin):
    leaving = speaking("leaving@example.com", "en", "Leaving Manager")
    taking = speaking("taras@example.com", "uk", "Тарас")
    key = make_party(leaving, "ТОВ «Ключовий»")
    advocate = db.session.scalar(select(Stage).where(Stage.key == "advocate"))
    ladder.move_party(leaving, key, advocate, key.stage_id)

    with app.test_request_context(), force_locale("en"):  # the admin works in English
        hand_over(admin, leaving, taking)

    task = db.session.scalar(select(Task).where(Task.assignee_id == taking.id))
    assert task.title == "Представитися клієнту ТОВ «Ключовий»"
    assert task.description == "Клієнта передано вам; попередній відповідальний — Leaving Manager."


def test_a_planned_contact_is_written_in_the_owners_language(app, admin):
    owner = speaking("olga@example.com", "ru", "Ольга")
    party = make_party(owner, "ООО «Ромашка»")

    with app.test_request_context(), force_locale("en"):
        task, created = plan_next_contact(admin, party)

    assert created and task.assignee_id == owner.id
    assert task.title == "Связаться с клиентом ООО «Ромашка»"


def test_without_a_chosen_language_the_current_one_is_used(app, admin):
    owner = speaking("nolang@example.com", None, "No Language")
    party = make_party(owner, "Acme")

    with app.test_request_context(), force_locale("en"):
        task, _ = plan_next_contact(admin, party)

    assert task.title == "Contact Acme"
