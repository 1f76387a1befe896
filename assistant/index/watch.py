"""Watch: re-index when files are added, changed or removed in the documents folders."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.errors import PrepError
from assistant.index.build import IndexReport, build_index
from assistant.ingest.library import folders
from assistant.settings import Settings


def _visible(change: Any, path: str) -> bool:
    """Hidden files (editor swap files, `prep add`'s temp copies) never trigger a build."""
    return not Path(path).name.startswith((".", "~")) and not path.endswith("~")


def _cited_name(settings: Settings, path: Path) -> str:
    """A changed path as the index names it (my/notes.md)."""
    for prefix, folder in folders(settings):
        if path.is_relative_to(folder):
            return prefix + path.relative_to(folder).as_posix()
    return path.name


def watch(
    settings: Settings,
    on_report: Callable[[IndexReport, list[str]], None],
    on_error: Callable[[str], None],
    stop: threading.Event | None = None,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Block, re-indexing after each burst of changes until `stop` is set (or Ctrl-C).

    `on_ready` runs once the folders exist, just before watching starts (to say so).

    Each build is incremental: only files whose content changed are embedded again.
    """
    from watchfiles import watch as watch_paths

    paths = []
    for _, folder in folders(settings):
        folder.mkdir(parents=True, exist_ok=True)
        paths.append(folder.resolve())
    if on_ready is not None:
        on_ready()
    for changes in watch_paths(
        *paths,
        watch_filter=_visible,
        debounce=settings.watch_debounce_ms,
        step=50,
        stop_event=stop,
        raise_interrupt=False,
    ):
        names = sorted({_cited_name(settings, Path(p)) for _, p in changes})
        report = build_once(settings, on_error)
        try:
            if report is not None:
                on_report(report, names)
        except Exception as exc:  # a failing report callback never stops the watcher either
            on_error(f"could not show the build report ({type(exc).__name__}: {exc})")


def build_once(settings: Settings, on_error: Callable[[str], None]) -> IndexReport | None:
    """One build for the watcher: any failure is reported (one line) and watching goes on."""
    try:
        return build_index(settings)
    except PrepError as exc:
        on_error(str(exc))
    except Exception as exc:  # never stop watching because one build failed
        on_error(f"this build failed ({type(exc).__name__}: {exc}); still watching")
    return None


def watch_in_background(
    settings: Settings,
    on_report: Callable[[IndexReport, list[str]], None],
    on_error: Callable[[str], None],
) -> threading.Event:
    """Run `watch` on a daemon thread (for `prep serve --watch`); set the event to stop it."""
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                watch(settings, on_report, on_error, stop)
            except Exception as exc:  # never kill the server; say why, and watch again
                on_error(f"watching the documents folders failed ({exc}); restarting in 5 s")
                stop.wait(4)
            stop.wait(1)

    threading.Thread(target=run, name="prep-watch", daemon=True).start()
    return stop
