"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi …``."""

from cardops import create_app

app = create_app()
