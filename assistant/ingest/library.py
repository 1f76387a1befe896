"""Library: the documents folders (the seeds and your own), and adding files to yours."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from assistant.domain.companies import clean, write_overrides
from assistant.errors import BadDocument, os_problem
from assistant.ingest.documents import (
    Document,
    Limits,
    Skipped,
    failure_reason,
    load_file,
    load_folder,
    parse_bytes,
)
from assistant.settings import Settings

USER_PREFIX = "my/"  # your documents are cited as my/<file name>, so they never clash with seeds
ADDABLE = (".md", ".txt", ".pdf")


def folders(settings: Settings) -> list[tuple[str, Path]]:
    """(name prefix, folder) of every documents folder: the seeds first, then yours."""
    out = [("", settings.seeds_dir)]
    if settings.docs_dir.resolve() != settings.seeds_dir.resolve():
        out.append((USER_PREFIX, settings.docs_dir))
    return out


def limits(settings: Settings) -> Limits:
    """The per-file parsing limits the settings give."""
    return Limits(settings.max_line_chars, settings.max_run_chars)


def load_all(settings: Settings) -> tuple[list[Document], list[Skipped]]:
    """Every document of every folder, named by folder prefix and relative path."""
    docs: list[Document] = []
    skipped: list[Skipped] = []
    for prefix, folder in folders(settings):
        if not folder.is_dir():
            continue
        found, bad = load_folder(folder, settings.extensions, limits(settings))
        for doc in found:
            doc.name = prefix + doc.name
        docs.extend(found)
        skipped.extend(Skipped(prefix + s.name, s.reason) for s in bad)
    return docs, skipped


def locate(settings: Settings, name: str) -> tuple[Path, Path] | None:
    """(folder, path) of an indexed document name; None if it is in no documents folder."""
    for prefix, folder in reversed(folders(settings)):
        if prefix and not name.startswith(prefix):
            continue
        path = (folder / name[len(prefix) :]).resolve()
        if path.is_relative_to(folder.resolve()) and path.is_file():
            return folder, path
    return None


def load_named(settings: Settings, name: str) -> Document | None:
    """A document by its indexed name, read again from disk."""
    found = locate(settings, name)
    if found is None:
        return None
    folder, path = found
    doc = load_file(path, folder, settings.extensions, limits(settings))
    if isinstance(doc, Skipped):
        return None
    doc.name = name
    return doc


@dataclass(frozen=True)
class Added:
    """One file `prep add` placed in your documents folder."""

    name: str  # as cited: my/<file>
    status: str  # "added" | "updated" | "unchanged"


def _check(settings: Settings, path: Path, display: str) -> bytes:
    """The file's bytes, if it is a readable document within the size limit."""
    if path.suffix.lower() not in ADDABLE:
        raise BadDocument(
            f"{display}: only .md, .txt and .pdf files can be added (got "
            f"'{path.suffix or 'no extension'}'); convert it to one of those"
        )
    if not path.is_file():
        raise BadDocument(f"{display}: no such file; check the path")
    limit = int(settings.max_upload_mb * 1024 * 1024)
    try:
        size = path.stat().st_size
        data = b"" if size > limit else path.read_bytes()
    except OSError as exc:
        raise BadDocument(f"{display} cannot be read: {failure_reason(exc)}") from exc
    if size > limit:
        raise BadDocument(
            f"{display} is {size / 1048576:.1f} MB; the limit is "
            f"{settings.max_upload_mb:g} MB (PREP_MAX_UPLOAD_MB): split it or add a text copy"
        )
    doc = parse_bytes(display, path, data, limits(settings))  # as indexed
    if isinstance(doc, Skipped):
        raise BadDocument(f"{display} cannot be indexed: {doc.reason}")
    return data


def add_files(
    settings: Settings,
    paths: list[Path],
    names: list[str] | None = None,
    replace: bool = False,
    company: str | None = None,
) -> list[Added]:
    """Copy documents into your folder after checking them all; nothing is copied if one fails.

    `names` gives the file names to use (an upload's original name); default: each path's name.
    `company` is recorded as their company in the folder's .companies.json (the files are
    copied as they are); without it a file's company is what it says (front matter, title...).
    """
    if company is not None and (not clean(company) or len(clean(company)) > 80):
        raise BadDocument("a company name needs 1 to 80 printable characters, e.g. acme")
    names = names or [p.name for p in paths]
    plan: list[tuple[str, bytes, str]] = []
    target = settings.docs_dir
    for path, raw_name in zip(paths, names, strict=True):
        name = Path(raw_name).name.strip()
        if not name or name.startswith("."):
            raise BadDocument(
                f"'{raw_name}': hidden or empty file names are not indexed; rename it"
            )
        if any(name == n for n, _, _ in plan):
            raise BadDocument(f"two files are named {name}; rename one of them")
        data = _check(settings, Path(path), name)
        existing = target / name
        status = "added"
        if existing.is_file():
            if existing.read_bytes() == data:
                status = "unchanged"
            elif not replace:
                raise BadDocument(
                    f"{USER_PREFIX}{name} already exists with different content; pass "
                    "--replace to update it, or rename the new file"
                )
            else:
                status = "updated"
        plan.append((name, data, status))
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name, data, status in plan:
            if status == "unchanged":
                continue
            fd, tmp = tempfile.mkstemp(dir=target, prefix=".adding-")  # hidden: never half-indexed
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, target / name)
        if company is not None:
            write_overrides(target, {name: company for name, _, _ in plan})
    except OSError as exc:
        raise os_problem(exc, target, "PREP_DOCS_DIR") from exc
    return [Added(USER_PREFIX + name, status) for name, _, status in plan]


def remove_file(settings: Settings, name: str) -> str:
    """Delete one of your documents (by its cited name); returns the name removed."""
    cited = USER_PREFIX + name.removeprefix(USER_PREFIX)
    found = locate(settings, cited)
    if found is None or found[0] != settings.docs_dir:
        raise BadDocument(f"{cited} is not in {settings.docs_dir}; see `prep status`")
    try:
        found[1].unlink()
        write_overrides(settings.docs_dir, {cited.removeprefix(USER_PREFIX): None})
    except OSError as exc:
        raise os_problem(exc, settings.docs_dir, "PREP_DOCS_DIR") from exc
    return cited
