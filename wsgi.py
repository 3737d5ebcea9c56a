"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from civic import create_app

app = create_app()
