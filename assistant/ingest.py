"""Ingest: find documents, read them safely, parse front matter, title and company."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.textnorm import normalize

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass
class Document:
    """One source file: original text, where the body starts, and its metadata."""

    name: str
    path: Path
    text: str
    sha256: str
    body_start: int = 0
    title: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def flat_meta(self) -> dict[str, str | int | float | bool]:
        """Scalar front-matter fields, as a vector store accepts them."""
        out: dict[str, str | int | float | bool] = {}
        for key, value in self.meta.items():
            if isinstance(value, bool | int | float | str):
                out[key] = value
            elif isinstance(value, dt.date):
                out[key] = value.isoformat()
        return out


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why (one line)."""

    name: str
    reason: str


def file_hash(data: bytes) -> str:
    """Content hash used to decide whether a file must be re-embedded."""
    return hashlib.sha256(data).hexdigest()


def list_files(folder: Path) -> list[Path]:
    """Every file directly in the folder or below it, sorted by relative name."""
    return sorted((p for p in folder.rglob("*") if not p.is_dir()), key=lambda p: str(p))


def _read(path: Path, root: Path, extensions: tuple[str, ...]) -> bytes | Skipped:
    name = path.relative_to(root).as_posix()
    if path.suffix.lower() not in extensions:
        return Skipped(name, f"unsupported file type '{path.suffix or '(none)'}'")
    try:
        real = path.resolve(strict=True)
        if path.is_symlink() and not real.is_relative_to(root.resolve()):
            return Skipped(name, "symlink pointing outside the documents folder")
        if real.stat().st_size > MAX_FILE_BYTES:
            return Skipped(name, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        data = real.read_bytes()
    except PermissionError:
        return Skipped(name, "cannot be read: permission denied (check the file's permissions)")
    except OSError as exc:
        return Skipped(name, f"cannot be read: {exc.strerror or exc}")
    return data


def parse_bytes(
    name: str, path: Path, data: bytes, companies: tuple[str, ...]
) -> Document | Skipped:
    """A file's bytes as a Document, by its extension (.pdf, else text), or why not."""
    if not data.strip():
        return Skipped(name, "empty file")
    if path.suffix.lower() == ".pdf":
        if data.lstrip()[:5] != b"%PDF-":
            return Skipped(name, "not a PDF file (no %PDF header)")
        return parse_pdf(name, path, data, companies)
    if b"\x00" in data:
        return Skipped(name, "binary file, not text")
    return parse(name, path, data, companies)


def parse(name: str, path: Path, data: bytes, companies: tuple[str, ...]) -> Document | Skipped:
    """Decode one file and parse its front matter, title and company."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Skipped(name, "not UTF-8 text (save it as UTF-8)")
    meta: dict[str, Any] = {}
    body_start = 0
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            where = f" (line {line + 2})" if line is not None else ""
            return Skipped(name, f"malformed YAML front matter{where}")
        if loaded is not None and not isinstance(loaded, dict):
            return Skipped(name, "front matter is not a key: value mapping")
        meta = loaded or {}
        body_start = match.end()
    body = text[body_start:]
    if not body.strip():
        return Skipped(name, "no text after the front matter")
    title = str(meta.get("title") or "") or guess_title(body) or Path(name).stem
    doc = Document(name, path, text, file_hash(data), body_start, title.strip(), meta)
    doc.meta["company"] = guess_company(doc, companies)
    return doc


def parse_pdf(name: str, path: Path, data: bytes, companies: tuple[str, ...]) -> Document | Skipped:
    """Extract a PDF's text layer (pypdf), page by page; the text is what gets cited."""
    import io
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-but-readable files warn a lot
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return Skipped(name, "password-protected PDF; save an unprotected copy and add that")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        info = reader.metadata
        title = str(info.title or "") if info else ""
    except Exception as exc:  # pypdf raises many types on broken files
        return Skipped(name, f"not a readable PDF ({type(exc).__name__}); re-export it as PDF")
    text = normalize_pdf("\n\n".join(p for p in pages if p))
    if not text.strip():
        return Skipped(name, "PDF has no text layer (a scan?); run OCR on it or add a .txt copy")
    title = title.strip() or guess_title(text) or Path(name).stem
    doc = Document(name, path, text, file_hash(data), 0, title, {})
    doc.meta["company"] = guess_company(doc, companies)
    return doc


def normalize_pdf(text: str) -> str:
    """Extracted PDF text with line-end hyphenation joined and stray spaces trimmed."""
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    return "\n".join(line.rstrip() for line in text.splitlines())


def guess_title(body: str) -> str:
    """The first markdown heading, else the first line that reads like a heading."""
    heading = _MD_HEADING.search(body)
    if heading:
        return heading.group(1).strip()
    for line in body.splitlines()[:12]:
        line = line.strip().strip("*").strip()
        if line and line[0].isalnum() and len(line) <= 150 and len(line.split()) >= 3:
            return line
    return ""


def guess_company(doc: Document, companies: tuple[str, ...]) -> str:
    """Front matter's company, else one named in the title, else the most mentioned."""
    given = str(doc.meta.get("company") or "").strip().lower()
    if given:
        return given
    title = normalize(doc.title).lower()
    for company in companies:
        if re.search(rf"\b{re.escape(company)}\b", title):
            return company
    body = normalize(doc.text[doc.body_start :]).lower()
    counts = Counter({c: len(re.findall(rf"\b{re.escape(c)}\b", body)) for c in companies})
    best, n = counts.most_common(1)[0] if counts else ("", 0)
    return best if n else ""


def load_file(
    path: Path, folder: Path, extensions: tuple[str, ...], companies: tuple[str, ...]
) -> Document | Skipped:
    """Read and parse one file of the documents folder."""
    name = path.relative_to(folder).as_posix()
    data = _read(path, folder, extensions)
    return data if isinstance(data, Skipped) else parse_bytes(name, path, data, companies)


def load_folder(
    folder: Path, extensions: tuple[str, ...], companies: tuple[str, ...]
) -> tuple[list[Document], list[Skipped]]:
    """Read every document in the folder; unreadable ones come back as Skipped."""
    docs: list[Document] = []
    skipped: list[Skipped] = []
    for path in list_files(folder):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        result = load_file(path, folder, extensions, companies)
        if isinstance(result, Skipped):
            skipped.append(result)
        else:
            docs.append(result)
    return docs, skipped
