"""The web app: a REST API over the store and the dashboard (`wirewatch serve`)."""
from .app import create_app

__all__ = ["create_app"]
