"""CLI output for index builds: the build report, and re-indexing while watching the folders."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

from assistant.textnorm import printable

if TYPE_CHECKING:
    from assistant.settings import Settings


def say_printer() -> Callable[[Any], None]:
    """A printer for the terminal: text as written (no markup), control characters escaped."""
    from rich.console import Console

    console = Console(highlight=False)

    def say(item: Any) -> None:
        if isinstance(item, str):
            console.print(printable(item), markup=False, soft_wrap=True)
        else:  # a rich renderable (the status table), its cells already escaped
            console.print(item)

    return say


def print_report(report: Any, settings: Settings, changed: list[str] | None = None) -> None:
    """What one index build did, for the terminal (file names with control characters escaped)."""
    say = say_printer()
    if changed:
        say(f"Changed: {', '.join(changed)}")
    if report.up_to_date:
        say(
            f"Index is up to date: {report.files} files, {report.chunks} chunks; "
            "nothing re-embedded."
        )
    else:
        say(
            f"Indexed {report.files} files, {report.chunks} chunks in {report.seconds:.1f}s "
            f"({report.reason or 'incremental update'})."
        )
        say(
            f"  re-embedded: {len(report.embedded)} files ({report.embedded_chunks} chunks); "
            f"unchanged: {len(report.reused)}; removed: {len(report.removed)}"
        )
        for name in report.embedded:
            say(f"    + {name}")
        for name in report.removed:
            say(f"    - {name}")
    if report.skipped:
        say(f"  skipped: {len(report.skipped)} files")
        for s in report.skipped:
            say(f"    ! {s.name}: {s.reason}")
    if report.query_encoder and report.query_encoder != "onnx":
        say(f"  questions are embedded with {report.query_encoder}")
    say(f"  index: {settings.index_dir}")


def watch_folders(settings: Settings) -> None:
    """Re-index whenever a documents folder changes, until Ctrl+C."""
    import signal
    import threading

    from assistant.index.watch import watch

    stop = threading.Event()  # SIGTERM (a service manager) stops after the build under way
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    folders = f"{settings.seeds_dir} and {settings.docs_dir}"
    watch(
        settings,
        lambda report, names: print_report(report, settings, names),
        lambda msg: typer.echo(f"error: {msg}", err=True),
        stop,
        on_ready=lambda: typer.echo(f"Watching {folders} for changes (Ctrl+C stops)...", err=True),
    )
    typer.echo("stopped watching", err=True)
