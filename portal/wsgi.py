"""WSGI entry point: `gunicorn portal.wsgi:app`."""
from . import create_app

app = create_app()
