"""The demo company's daily work: tasks due today and overdue, a repeating one, new leads."""

from datetime import time, timedelta

from sqlalchemy import select

from crm.extensions import db
from crm.models import Party, Priority, User
from crm.models.base import utcnow
from crm.services import parties, tasks
from crm.services.tasks import TaskData

# (assignee e-mail, title, party name or None, days from today, time, priority, repeat)
TASKS = [
    (
        "olena@example.com",
        "Отправить КП на кухни",
        "ООО «Домашний уют»",
        -3,
        None,
        Priority.HIGH,
        None,
    ),
    (
        "olena@example.com",
        "Перезвонить по образцам тканей",
        "Дизайн-студия «Интерьер+»",
        0,
        time(11, 30),
        Priority.NORMAL,
        None,
    ),
    (
        "olena@example.com",
        "Зателефонувати щодо кухні",
        "Олександр Шевчук",
        1,
        None,
        Priority.NORMAL,
        None,
    ),
    (
        "olena@example.com",
        "Еженедельный отчёт директору",
        None,
        0,
        time(17, 0),
        Priority.LOW,
        (1, "weeks"),
    ),
    (
        "dmitry@example.com",
        "Встреча с завхозом гостиницы",
        "Гостиница «Волга»",
        -10,
        None,
        Priority.HIGH,
        None,
    ),
    (
        "dmitry@example.com",
        "Согласовать график поставок",
        "Фабрика «Русский диван»",
        2,
        time(10, 0),
        Priority.NORMAL,
        None,
    ),
    (
        "dmitry@example.com",
        "Предложить кухню со скидкой",
        "Иван Петров",
        5,
        None,
        Priority.LOW,
        None,
    ),
    (
        "james@example.com",
        "Apologise for the late deliveries",
        "Northwind Office Supply",
        -1,
        None,
        Priority.HIGH,
        None,
    ),
    (
        "james@example.com",
        "Send the August catalogue",
        "Bright Kids School",
        3,
        None,
        Priority.NORMAL,
        None,
    ),
]
LEADS = [
    "Кофейня «Зерно»",
    "Салон красоты «Лилия»",
    "ТОВ «Будінвест»",
    "Green Office LLC",
    "Детский сад «Солнышко»",
]


def plan_the_work(by_email: dict[str, User]) -> None:
    """Open tasks for the managers and a few unassigned leads for the admin to distribute."""
    admin = by_email["admin@example.com"]
    today = utcnow().date()
    for email, title, party_name, days, at, priority, repeat in TASKS:
        assignee = by_email[email]
        party = (
            db.session.scalar(select(Party).where(Party.name == party_name)) if party_name else None
        )
        every, unit = repeat or (None, None)
        task = tasks.create_task(
            admin,
            TaskData(
                title=title,
                assignee=assignee,
                due_date=today + timedelta(days=days),
                due_time=at,
                party=party,
                priority=priority,
                repeat_every=every,
                repeat_unit=unit,
            ),
        )
        task.created_by_id = assignee.id
    for name in LEADS:
        parties.create_party(
            admin, {"name": name, "roles": ["client"], "owner_id": None, "tags": ["лид"]}
        )
