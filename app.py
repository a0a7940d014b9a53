"""WSGI entry point: `flask run`, `gunicorn app:app`."""

from crm import create_app

app = create_app()
