"""`prep serve`: the page on 127.0.0.1, or elsewhere behind a password."""

from __future__ import annotations

import signal
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.app.cli.indexing import print_report
from assistant.app.cli.root import (
    IndexOpt,
    LlmOpt,
    SeedsOpt,
    WatchOpt,
    _assistant,
    _settings,
    app,
)
from assistant.errors import PrepError

if TYPE_CHECKING:
    from assistant.app.handoff import Handoff
    from assistant.app.service import Assistant


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="port")] = 7860,
    no_auth: Annotated[
        bool,
        typer.Option(
            "--no-auth",
            help="serve off loopback without a password: anyone who reaches it can use the page",
        ),
    ] = False,
    llm: LlmOpt = None,
    watch: WatchOpt = False,
    seeds: SeedsOpt = None,
    index_dir: IndexOpt = None,
) -> None:
    """Serve the chat page in the browser (127.0.0.1 unless --host says otherwise)."""
    from assistant.app.web.guard import guard_config, is_loopback
    from assistant.app.web.page import serve as run

    guard = guard_config(_settings(seeds, index_dir, llm), host, open_page=no_auth)
    assistant = _assistant(seeds, index_dir, llm)
    assistant.reader  # noqa: B018  (build the index before serving)
    if watch:
        assistant.watch_in_background(
            lambda report, names: print_report(report, assistant.settings, names),
            lambda msg: typer.echo(f"error: {msg}", err=True),
        )
        typer.echo(f"Watching {assistant.settings.docs_dir} and the seeds for changes", err=True)
    if not is_loopback(host):
        typer.echo(
            f"warning: serving on {host}: "
            + (
                "password required (user `prep`); use HTTPS in front of it on a shared network"
                if guard.password
                else "NO password (--no-auth): anyone who can reach this address can use the page"
            ),
            err=True,
        )
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    record = _offer_handoff(assistant, host, port, guard.password is not None)
    typer.echo(f"Serving on http://{shown}:{port}  (Ctrl+C stops)")
    if record is not None:  # uvicorn re-raises SIGTERM after shutting down: exit via finally
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        run(assistant, host, port, guard, record)
    finally:
        if record is not None:
            from assistant.app.handoff import withdraw

            withdraw(assistant.settings, record)


def _offer_handoff(assistant: Assistant, host: str, port: int, password: bool) -> Handoff | None:
    """Answer one question to warm up, and let `prep ask` hand questions over (loopback only)."""
    from assistant.app.handoff import publish

    settings = assistant.settings
    if password or settings.llm != "extractive" or not host.startswith("127."):
        return None
    try:
        assistant.warm_up()
        assistant.ask(settings.handoff_warm_question)  # BM25, speller, encoder: loaded now
    except PrepError:
        pass
    try:
        return publish(settings, host, port)
    except OSError:
        return None  # a read-only index folder: `prep ask` answers in-process
