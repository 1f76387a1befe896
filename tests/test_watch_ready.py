"""The watcher says it is watching only once the folders it watches exist."""

from __future__ import annotations

import threading
from pathlib import Path

from assistant.index.watch import watch
from assistant.settings import Settings


def test_ready_comes_after_the_folders_exist(tmp_path: Path) -> None:
    settings = Settings(
        seeds_dir=tmp_path / "seeds", docs_dir=tmp_path / "documents", index_dir=tmp_path / "ix"
    )
    seen: list[bool] = []
    stop = threading.Event()

    def ready() -> None:
        seen.append(settings.seeds_dir.is_dir() and settings.docs_dir.is_dir())
        stop.set()  # watching then ends at once

    watch(settings, lambda r, n: None, lambda m: None, stop, on_ready=ready)
    assert seen == [True]
