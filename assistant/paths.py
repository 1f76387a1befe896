"""Where things live: package data (prompts, the default corpus) and the per-user data folder."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

APP = "prep-assistant"


def resource_dir(name: str) -> Path:
    """A folder shipped inside the package (prompts, seeds), read-only."""
    return Path(str(files("assistant") / "resources" / name))


def user_home() -> Path:
    """The per-user data folder: PREP_HOME, else the platform's (~/.local/share/prep-assistant)."""
    home = os.environ.get("PREP_HOME")
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP, appauthor=False))
