"""`flask crm …` commands: users, demo data, benchmark data."""

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from crm.extensions import db
from crm.models import Role, User
from crm.services import users
from crm.services.errors import DomainError

crm_cli = AppGroup("crm", help="CRM administration.")


@crm_cli.command("create-user")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="Give the user the admin role.")
@click.option("--viewer", is_flag=True, help="Give the user the read-only role.")
def create_user(email: str, name: str, password: str, admin: bool, viewer: bool) -> None:
    """Create a user (the first admin: --admin)."""
    role = Role.ADMIN if admin else Role.VIEWER if viewer else Role.MANAGER
    if len(password) < users.MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"The password needs at least {users.MIN_PASSWORD_LENGTH} characters."
        )
    try:
        user = users.create_user(email, name, password, role)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")


@crm_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
def demo(if_empty: bool) -> None:
    """Load the demo company (idempotent)."""
    from crm.cli.demo import load_demo

    if if_empty and db.session.scalar(select(User.id).limit(1)):
        click.echo("The database has users already: demo data not loaded.")
        return
    if load_demo():
        db.session.commit()
        click.echo("Demo data loaded. Log in as admin@example.com / demo.")
    else:
        click.echo("Demo data is there already.")


@crm_cli.command("expire-offers")
def expire_offers() -> None:
    """Mark sent offers past their validity as expired (run daily from cron; pages show
    them as expired anyway)."""
    from crm.services.clock import local_today
    from crm.services.offer_flow import expire_due

    count = expire_due(local_today())
    db.session.commit()
    click.echo(f"{count} offer(s) expired.")


@crm_cli.command("bench-data")
@click.option("--clients", default=100_000, show_default=True)
@click.option("--seed", default=1, show_default=True)
def bench_data(clients: int, seed: int) -> None:
    """Fill the database with a realistic client base for benchmarks."""
    from crm.cli.bench_data import fill

    fill(clients, seed)


def register_cli(app: Flask) -> None:
    app.cli.add_command(crm_cli)
