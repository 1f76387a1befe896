"""Ingest: find documents, read them safely, parse front matter, title and company."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from assistant.domain.companies import clean, company_of, read_overrides

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)
MAX_FILE_BYTES = 20 * 1024 * 1024
_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """Per-file limits that keep one pathological file from stalling a build."""

    max_line_chars: int = 1_000_000
    max_run_chars: int = 10_000


class _Unparsable(Exception):
    """A known reason a file cannot be parsed (becomes its Skipped reason)."""


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
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
                out[str(key)] = str(value)  # the store keeps 64-bit integers only
            elif isinstance(value, bool | int | float | str):
                out[str(key)] = value
            elif isinstance(value, dt.date):
                out[str(key)] = value.isoformat()
        return out


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why (one line)."""

    name: str
    reason: str
    sha256: str = ""  # set when the file read fine but failed later (chunking): not retried


def file_hash(data: bytes) -> str:
    """Content hash used to decide whether a file must be re-embedded."""
    return hashlib.sha256(data).hexdigest()


def list_files(folder: Path) -> list[Path]:
    """Every file directly in the folder or below it, sorted by relative name."""
    return sorted((p for p in folder.rglob("*") if not p.is_dir()), key=lambda p: str(p))


def failure_reason(exc: BaseException) -> str:
    """One line saying why parsing a file failed, with the fix where we know it."""
    if isinstance(exc, _Unparsable):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "too deeply nested to parse (a very long heading or line?); shorten or split it"
    if isinstance(exc, MemoryError):
        return "too large to parse in memory; split it into smaller files"
    if isinstance(exc, PermissionError):
        return "cannot be read: permission denied (check the file's permissions)"
    if (isinstance(exc, OSError) and exc.errno == errno.ELOOP) or "Symlink loop" in str(exc):
        return "symlink loop (the link points back at itself); remove or fix the link"
    if isinstance(exc, OSError):
        return f"cannot be read: {exc.strerror or exc}"
    if isinstance(exc, UnicodeError):
        return "not valid text in its encoding (save it as UTF-8)"
    detail = " ".join(str(exc).split())[:120]
    return f"cannot be parsed ({type(exc).__name__}{': ' + detail if detail else ''})"


def guarded(name: str, work: Callable[[], T | Skipped]) -> T | Skipped:
    """Run one file's parsing step: any failure skips that file with a reason, never the build."""
    try:
        return work()
    except Exception as exc:  # RecursionError, MemoryError, OSError...: all one file can cause
        return Skipped(name, failure_reason(exc))


def _read(path: Path, root: Path, extensions: tuple[str, ...]) -> bytes | Skipped:
    name = path.relative_to(root).as_posix()
    if path.suffix.lower() not in extensions:
        return Skipped(name, f"unsupported file type '{path.suffix or '(none)'}'")
    real = path.resolve(strict=True)
    if path.is_symlink() and not real.is_relative_to(root.resolve()):
        return Skipped(name, "symlink pointing outside the documents folder")
    if not real.is_file():
        return Skipped(name, "not a regular file (a device, pipe or socket)")
    if real.stat().st_size > MAX_FILE_BYTES:
        return Skipped(name, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    return real.read_bytes()


def decode(data: bytes) -> str | None:
    """Text of a file: by its byte-order mark (UTF-8/16/32), else UTF-8; None if binary."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise _Unparsable(f"not valid {codec.upper()} text after its BOM") from exc
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Unparsable("not UTF-8 text (save it as UTF-8)") from exc


def check_lines(text: str, limits: Limits) -> None:
    """Raise if a line, or a run of characters without a space, is over the limit."""
    run = re.search(rf"(?<!\S)\S{{{limits.max_run_chars + 1}}}", text)  # linear: runs from start
    if run:
        raise _Unparsable(
            f"has over {limits.max_run_chars:,} characters without a space (limit "
            "PREP_MAX_RUN_CHARS; encoded data?); remove it or add a text copy"
        )
    longest = max((len(line) for line in text.splitlines()), default=0)
    if longest > limits.max_line_chars:
        raise _Unparsable(
            f"has a line of {longest:,} characters (limit {limits.max_line_chars:,}, "
            "PREP_MAX_LINE_CHARS); break it into lines or paragraphs"
        )


def parse_bytes(
    name: str, path: Path, data: bytes, limits: Limits | None = None, company: str = ""
) -> Document | Skipped:
    """A file's bytes as a Document (.pdf, else text), or why not; `company` overrides its own."""
    return guarded(name, lambda: _parse_bytes(name, path, data, limits or Limits(), company))


def _parse_bytes(
    name: str, path: Path, data: bytes, limits: Limits, company: str
) -> Document | Skipped:
    if not data.strip():
        return Skipped(name, "empty file")
    if path.suffix.lower() == ".pdf":
        if data.lstrip()[:5] != b"%PDF-":
            return Skipped(name, "not a PDF file (no %PDF header)")
        doc = parse_pdf(name, path, data, company)
        if isinstance(doc, Document):
            check_lines(doc.text, limits)
        return doc
    text = decode(data)
    if text is None:
        return Skipped(name, "binary file, not text")
    check_lines(text, limits)
    return parse(name, path, data, text, company)


class _Loader(yaml.SafeLoader):
    """YAML SafeLoader whose impossible dates say which value is wrong."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)  # type: ignore[arg-type]
        except (ValueError, OverflowError) as exc:
            line = node.start_mark.line + 2
            raise _Unparsable(
                f"impossible date '{node.value}' in front matter (line {line}); use YYYY-MM-DD"
            ) from exc


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def parse(
    name: str, path: Path, data: bytes, text: str | None = None, company: str = ""
) -> Document | Skipped:
    """Decode one file and parse its front matter, title and company."""
    if text is None:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return Skipped(name, "not UTF-8 text (save it as UTF-8)")
    meta: dict[str, Any] = {}
    body_start = 0
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml.load(match.group(1), Loader=_Loader)  # a SafeLoader
        except yaml.YAMLError as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            where = f" (line {line + 2})" if line is not None else ""
            return Skipped(name, f"malformed YAML front matter{where}")
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            return Skipped(name, f"front matter has a value that cannot be read ({exc})"[:200])
        if loaded is not None and not isinstance(loaded, dict):
            return Skipped(name, "front matter is not a key: value mapping")
        meta = {str(k): v for k, v in (loaded or {}).items()}
        body_start = match.end()
    body = text[body_start:]
    if not body.strip():
        return Skipped(name, "no text after the front matter")
    title = _text(meta.get("title")) or guess_title(body) or Path(name).stem
    doc = Document(name, path, text, file_hash(data), body_start, title.strip(), meta)
    doc.meta["company"] = clean(company) or guess_company(doc)
    return doc


def _text(value: Any) -> str:
    """A front-matter value as one line of text ('' for lists and mappings)."""
    return " ".join(str(value).split()) if isinstance(value, str | int | float) else ""


def parse_pdf(name: str, path: Path, data: bytes, company: str = "") -> Document | Skipped:
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
    doc.meta["company"] = clean(company) or guess_company(doc)
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


def guess_company(doc: Document) -> str:
    """Front matter's company, else the one the document itself is about (companies.py)."""
    return company_of(doc.title, doc.text[doc.body_start :], doc.meta)


def load_file(
    path: Path,
    folder: Path,
    extensions: tuple[str, ...],
    limits: Limits | None = None,
    company: str | None = None,
) -> Document | Skipped:
    """Read and parse one file (company: given, else .companies.json's); Skipped if unusable."""
    name = path.relative_to(folder).as_posix()
    data = guarded(name, lambda: _read(path, folder, extensions))
    if isinstance(data, Skipped):
        return data
    if company is None:
        company = read_overrides(folder).get(name, "")
    return parse_bytes(name, path, data, limits, company)


def load_folder(
    folder: Path, extensions: tuple[str, ...], limits: Limits | None = None
) -> tuple[list[Document], list[Skipped]]:
    """Read every document in the folder; unreadable ones come back as Skipped."""
    docs: list[Document] = []
    skipped: list[Skipped] = []
    overrides = read_overrides(folder)
    for path in list_files(folder):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        result = load_file(path, folder, extensions, limits, overrides.get(rel.as_posix(), ""))
        if isinstance(result, Skipped):
            skipped.append(result)
        else:
            docs.append(result)
    return docs, skipped
