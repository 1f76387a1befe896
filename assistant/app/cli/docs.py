"""`prep add` and `prep remove`: your own documents, indexed next to the seeds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.app.cli.indexing import print_report
from assistant.app.cli.root import IndexOpt, SeedsOpt, _assistant, app
from assistant.textnorm import printable


@app.command()
def add(
    files: Annotated[
        list[Path], typer.Argument(help=".md, .txt or .pdf files", show_default=False)
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="update a document of yours with the same name")
    ] = False,
    company: Annotated[
        str | None,
        typer.Option(
            "--company",
            help="the company these files are about (default: what each says: front matter, "
            "title, source, the name it mentions most)",
        ),
    ] = None,
    seeds: SeedsOpt = None,
    index_dir: IndexOpt = None,
) -> None:
    """Add your own documents (copied to the documents folder) and index them."""
    assistant = _assistant(seeds, index_dir)
    added, report = assistant.add_documents(files, replace=replace, company=company)
    for item in added:
        typer.echo(f"{item.status}: {printable(item.name)}")
    print_report(report, assistant.settings)


@app.command()
def remove(
    name: Annotated[str, typer.Argument(help="a document of yours, e.g. my/notes.md")],
    seeds: SeedsOpt = None,
    index_dir: IndexOpt = None,
) -> None:
    """Remove one of your documents from the documents folder and the index."""
    assistant = _assistant(seeds, index_dir)
    removed, report = assistant.remove_document(name)
    typer.echo(f"removed: {printable(removed)}")
    print_report(report, assistant.settings)
