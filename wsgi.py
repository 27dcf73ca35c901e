"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""
from reportsvc.web.app import create_app

app = create_app()
