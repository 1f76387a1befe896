"""The `prep` CLI: root.py holds the app and shared options; each module adds its commands."""

from assistant.app.cli import docs, evaluate, mock, serve, study  # noqa: F401  (registers commands)
from assistant.app.cli.root import app, main

__all__ = ["app", "main"]
