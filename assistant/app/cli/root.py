"""The `prep` command line: index, ask, chat, eval. Calls the chain, never the stages."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.app.cli.indexing import print_report, say_printer, watch_folders
from assistant.errors import PrepError
from assistant.textnorm import printable

if TYPE_CHECKING:
    from assistant.app.service import Assistant
    from assistant.settings import Settings

app = typer.Typer(
    help="Interview prep assistant: cited answers about ML engineer interviews, culture and comp.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

SeedsOpt = Annotated[
    Path | None,
    typer.Option("--seeds", help="documents folder [env PREP_SEEDS_DIR]", show_default=False),
]
IndexOpt = Annotated[
    Path | None,
    typer.Option("--index", help="index folder [env PREP_INDEX_DIR]", show_default=False),
]
KOpt = Annotated[int | None, typer.Option("--k", min=1, max=50, help="passages to retrieve")]
CompanyOpt = Annotated[
    str | None, typer.Option("--company", help="only documents about this company, e.g. acme")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable output")]
LlmOpt = Annotated[
    str | None,
    typer.Option(
        "--llm",
        help="answer engine: extractive (default, no LLM), openai or ollama [env PREP_LLM]",
        show_default=False,
    ),
]


WatchOpt = Annotated[
    bool,
    typer.Option(
        "--watch", help="keep running: re-index files added, changed or removed in the folders"
    ),
]

_GLOBAL: dict[str, Any] = {}


@app.callback()
def _options(
    chroma_url: Annotated[
        str | None,
        typer.Option(
            "--chroma-url",
            help="use a Chroma server, e.g. http://127.0.0.1:8000 [env PREP_CHROMA_URL]",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Interview prep assistant: cited answers about ML engineer interviews, culture and comp."""
    _GLOBAL["chroma_url"] = chroma_url


def _settings(seeds: Path | None, index: Path | None, llm: str | None = None) -> Settings:
    from pydantic import ValidationError

    from assistant.settings import Settings

    try:
        return Settings().with_overrides(
            seeds_dir=seeds, index_dir=index, llm=llm, chroma_url=_GLOBAL.get("chroma_url")
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        name = "PREP_" + "_".join(str(p) for p in err["loc"]).upper()
        raise PrepError(f"setting {name} is invalid: {err['msg']}; fix or unset it") from exc


def _assistant(seeds: Path | None, index: Path | None, llm: str | None = None) -> Assistant:
    from assistant.app.service import Assistant

    return Assistant(_settings(seeds, index, llm), notify=lambda m: typer.echo(m, err=True))


@app.command()
def index(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="re-embed everything")] = False,
    watch: WatchOpt = False,
    seeds: SeedsOpt = None,
    index_dir: IndexOpt = None,
) -> None:
    """Build or update the index (only changed files are re-embedded)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from assistant.index.build import build_index

    settings = _settings(seeds, index_dir)
    console = Console(stderr=True)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("Indexing documents", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            if not console.is_terminal and (done == total or done % max(1, total // 20) == 0):
                typer.echo(f"indexed {done}/{total} documents", err=True)  # logs see progress

        report = build_index(
            settings, rebuild=rebuild, progress=progress, notify=lambda m: console.print(m)
        )
    print_report(report, settings)
    if watch:
        watch_folders(settings)


@app.command()
def status(
    as_json: JsonOpt = False,
    seeds: SeedsOpt = None,
    index_dir: IndexOpt = None,
) -> None:
    """Coverage: each document's state (indexed, changed, new, removed, skipped) and settings."""
    from assistant.index.status import index_status

    report = index_status(_settings(seeds, index_dir))
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=1))
        return
    from rich.table import Table
    from rich.text import Text

    say = say_printer()
    if not report.built:
        say(f"No index in {report.index_dir} yet: run `prep index`.")
    else:
        say(f"Index {report.index_dir}, built {report.built_at}")
        shown = ", ".join(f"{k} {v}" for k, v in report.settings.items())
        say(f"  settings: {shown}; query encoder {report.query_encoder}")
        if report.needs_rebuild:
            changed = ", ".join(report.needs_rebuild)
            say(f"  settings changed since the build ({changed}): run `prep index`")
    table = Table(title=printable(f"Documents in {report.seeds_dir} and (my/) {report.docs_dir}"))
    for col in ("state", "chunks", "file", "note"):
        table.add_column(col, justify="right" if col == "chunks" else "left")
    for f in report.files:
        cells = (f.state, str(f.chunks) if f.chunks else "", f.name, f.note)
        table.add_row(*(Text(printable(c)) for c in cells))
    say(table)
    counts = ", ".join(
        f"{report.count(s)} {s}"
        for s in ("indexed", "changed", "new", "removed", "skipped")
        if report.count(s)
    )
    if report.store_error:
        say(f"error: {report.store_error}")
        verdict = "cannot be used (see the error above)"
    else:
        verdict = "up to date" if report.up_to_date else "out of date: run `prep index`"
    say(f"{counts or 'no documents'}; index {verdict}")


def _show(events: Any, original: str = "") -> str | None:
    """Print an answer as it is produced: LLM text streams, then warnings and sources.

    Returns the standalone question of a chat turn (None outside chat).
    """
    streamed, standalone = False, None
    for event in events:
        if event.kind == "question":
            standalone = event.text
            if event.text != original.strip():
                typer.echo(f"(understood as: {event.text})")
        elif event.kind == "delta":
            sys.stdout.write(event.text)
            sys.stdout.flush()
            streamed = True
        elif event.answer is not None:
            if not streamed:
                typer.echo(event.answer.to_text())
            elif event.answer.notice or event.answer.refused:
                typer.echo(f"\n\n{event.answer.to_text()}")
            else:
                typer.echo(f"\n\n{event.answer.footer()}")
    return standalone


@app.command()
def ask(
    question: Annotated[
        str, typer.Argument(help="the question, or - to read one per line from stdin")
    ],
    k: KOpt = None,
    company: CompanyOpt = None,
    as_json: JsonOpt = False,
    llm: LlmOpt = None,
    seeds: SeedsOpt = None,
    index_dir: IndexOpt = None,
) -> None:
    """Answer a question with cited sentences."""
    from assistant.app.handoff import ask_server

    settings = _settings(seeds, index_dir, llm)
    local: list[Assistant] = []

    def here() -> Assistant:  # the in-process assistant, made only when no server answers
        if not local:
            local.append(_assistant(seeds, index_dir, llm))
            local[0].warm_up()
        return local[0]

    if question != "-":
        served = ask_server(settings, question, k, company)
        if served is not None:
            typer.echo(served["json" if as_json else "text"])
        elif as_json or settings.llm == "extractive":  # nothing streams: the answer, whole
            answer = here().ask(question, k=k, company=company)
            typer.echo(_line(answer) if as_json else answer.to_text())
        else:
            _show(here().events(question, k=k, company=company))
        return
    for line in sys.stdin:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        served = None if local else ask_server(settings, text, k, company)  # one server or none
        try:
            row = served["json"] if served else _line(here().ask(text, k=k, company=company))
        except PrepError as exc:
            err = {"question": text[:200], "error": str(exc), "refused": True}
            row = json.dumps(err, ensure_ascii=False)
        typer.echo(row)
        sys.stdout.flush()


def _line(answer: Any) -> str:
    """An answer as one line of JSON, as `prep ask --json` prints it."""
    return json.dumps(answer.to_json(), ensure_ascii=False)


@app.command()
def chat(
    company: CompanyOpt = None,
    llm: LlmOpt = None,
    seeds: SeedsOpt = None,
    index_dir: IndexOpt = None,
) -> None:
    """Talk to the assistant in the terminal (/company NAME, /all, /clear, /quit)."""
    assistant = _assistant(seeds, index_dir, llm)
    asked: list[str] = []
    assistant.reader  # noqa: B018  (build the index before the first prompt)
    typer.echo("Ask about interview rounds, culture or comp. /company NAME filters, /quit leaves.")
    while True:
        try:
            line = input(f"\n{company or 'all'}> ")
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        text = line.strip()
        if not text:
            continue
        if text in ("/quit", "/exit", "/q"):
            return
        if text == "/all":
            company = None
            continue
        if text == "/clear":
            asked = []
            typer.echo("(conversation cleared)")
            continue
        if text.startswith("/company"):
            try:
                company = assistant.check_company(text.removeprefix("/company").strip() or None)
            except PrepError as exc:
                typer.echo(f"error: {exc}")
            continue
        try:
            standalone = _show(assistant.converse_events(text, asked, company), text)
            if standalone:
                asked.append(standalone)
        except PrepError as exc:
            typer.echo(f"error: {exc}")


def main() -> None:
    """Entry point: user errors become one line on stderr, never a traceback."""
    try:
        app()
    except PrepError as exc:
        typer.echo(f"error: {printable(str(exc))}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("PREP_DEBUG"):
            raise
        known = _known_problem(exc)
        if known is not None:
            typer.echo(f"error: {printable(str(known))}", err=True)
            sys.exit(2)
        typer.echo(
            f"error: unexpected {type(exc).__name__}: {printable(str(exc))} "
            "(PREP_DEBUG=1 shows the traceback)",
            err=True,
        )
        sys.exit(1)


def _known_problem(exc: BaseException) -> PrepError | None:
    """An error a user can cause or meet (permissions, disk full, store down) as a PrepError."""
    from assistant.errors import os_problem

    if isinstance(exc, OSError) and exc.errno is not None:
        where = exc.filename or "a file or folder the command needs"
        return os_problem(exc, where, "PREP_INDEX_DIR / PREP_SEEDS_DIR / PREP_DOCS_DIR")
    from assistant.index.store import from_store, store_problem

    return store_problem(exc) if from_store(exc) else None
