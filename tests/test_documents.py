"""Your own documents: PDF text, `prep add` checks, and re-indexing on --watch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import copy_seeds
from test_cli import PREP, assert_user_error, prep

from assistant.errors import BadDocument
from assistant.ingest.documents import Document, parse_pdf
from assistant.ingest.library import add_files, load_all, load_named
from assistant.settings import Settings

ACME = (
    "Acme Robotics ML interview notes",
    "The Acme Robotics onsite has seven rounds, ending with a Zebra review of your past "
    "projects. The Zebra review is run by two principal engineers and lasts ninety minutes.",
)


def make_pdf(path: Path, title: str, *paragraphs: str, password: str | None = None) -> Path:
    """A real PDF with a text layer, written by fpdf2."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for text in paragraphs:
        pdf.multi_cell(0, 8, text)
        pdf.ln(4)
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    path.write_bytes(bytes(pdf.output()))
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        seeds_dir=copy_seeds(tmp_path / "seeds", ["003_f548cca58db76166.txt"]),
        docs_dir=tmp_path / "documents",
        index_dir=tmp_path / "index",
    )


def test_pdf_text_is_extracted_with_title_and_company(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "n.pdf", "Netflix onsite notes", *ACME, "Netflix asks about A/B tests."
    )
    doc = parse_pdf("n.pdf", path, path.read_bytes())
    assert isinstance(doc, Document)
    assert doc.title == "Netflix onsite notes" and doc.meta["company"] == "netflix"
    assert "seven rounds, ending with a Zebra review" in " ".join(doc.text.split())


@pytest.mark.parametrize(
    ("password", "pages", "reason"),
    [("secret", True, "password-protected PDF"), (None, False, "no text layer")],
)
def test_unusable_pdf_gets_a_reason(
    tmp_path: Path, password: str | None, pages: bool, reason: str
) -> None:
    path = make_pdf(tmp_path / "x.pdf", "t", *(ACME if pages else ()), password=password)
    result = parse_pdf("x.pdf", path, path.read_bytes())
    assert not isinstance(result, Document) and reason in result.reason


def test_added_files_are_named_my_and_never_clash_with_seeds(
    settings: Settings, tmp_path: Path
) -> None:
    clash = tmp_path / "003_f548cca58db76166.txt"  # same name as a seed, different content
    clash.write_text("My own notes: Netflix pays in cash.\n", encoding="utf-8")
    pdf = make_pdf(tmp_path / "acme.pdf", *ACME)
    added = add_files(settings, [clash, pdf])
    assert [(a.name, a.status) for a in added] == [
        ("my/003_f548cca58db76166.txt", "added"),
        ("my/acme.pdf", "added"),
    ]
    docs, skipped = load_all(settings)
    assert sorted(d.name for d in docs) == [
        "003_f548cca58db76166.txt",
        "my/003_f548cca58db76166.txt",
        "my/acme.pdf",
    ]
    assert not skipped
    mine = load_named(settings, "my/003_f548cca58db76166.txt")
    assert mine is not None and "pays in cash" in mine.text
    seed = load_named(settings, "003_f548cca58db76166.txt")
    assert seed is not None and "pays in cash" not in seed.text
    assert load_named(settings, "my/../seeds/003_f548cca58db76166.txt") is None


def test_add_checks_every_file_before_copying_any(settings: Settings, tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text("# Notes\n\nSpotify has a values interview.\n", encoding="utf-8")
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"this is not a pdf")
    with pytest.raises(BadDocument, match=r"fake\.pdf cannot be indexed: not a PDF file"):
        add_files(settings, [good, fake])
    assert not settings.docs_dir.exists() or not any(settings.docs_dir.iterdir())


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.docx", b"PK\x03\x04", "only .md, .txt and .pdf"),
        ("latin1.txt", "Café".encode("cp1252"), "not UTF-8"),
        (".hidden.md", b"# x\n\nSome text here.\n", "hidden or empty file names"),
        ("big.txt", b"Netflix " * 20_000, "the limit is 0.1 MB"),
    ],
)
def test_add_rejects_with_a_fix(
    settings: Settings, tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(BadDocument, match=message.replace(".", r"\.")):
        add_files(settings.with_overrides(max_upload_mb=0.1), [path])


def test_same_name_needs_replace(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Notes\n\nFirst version of my notes.\n", encoding="utf-8")
    assert add_files(settings, [path])[0].status == "added"
    assert add_files(settings, [path])[0].status == "unchanged"
    path.write_text("# Notes\n\nSecond version of my notes.\n", encoding="utf-8")
    with pytest.raises(BadDocument, match="already exists with different content; pass --replace"):
        add_files(settings, [path])
    assert add_files(settings, [path], replace=True)[0].status == "updated"
    assert "Second version" in (settings.docs_dir / "notes.md").read_text(encoding="utf-8")


@pytest.mark.model
def test_added_pdf_is_cited_in_an_answer(tmp_path: Path) -> None:
    """`prep add` a PDF made here, then `prep ask` cites it like a seed."""
    env = {
        "PREP_SEEDS_DIR": str(copy_seeds(tmp_path / "seeds")),
        "PREP_DOCS_DIR": str(tmp_path / "documents"),
        "PREP_INDEX_DIR": str(tmp_path / "index"),
    }
    pdf = make_pdf(tmp_path / "acme-notes.pdf", *ACME)
    added = prep("add", str(pdf), env=env)
    assert added.returncode == 0, added.stderr
    assert "added: my/acme-notes.pdf" in added.stdout
    again = prep("add", str(pdf), env=env)
    assert "unchanged: my/acme-notes.pdf" in again.stdout and "nothing re-embedded" in again.stdout
    wrong = tmp_path / "notes.docx"
    wrong.write_bytes(b"PK\x03\x04")
    assert_user_error(prep("add", str(wrong), env=env), "only .md, .txt and .pdf")
    answer = prep("ask", "How many rounds does the Acme Robotics onsite have?", "--json", env=env)
    assert answer.returncode == 0, answer.stderr
    out = json.loads(answer.stdout)
    assert "seven rounds" in out["answer"]
    files = {c["file"] for c in out["citations"]}
    assert "my/acme-notes.pdf" in files
    cite = next(c for c in out["citations"] if c["file"] == "my/acme-notes.pdf")
    doc = next(s for s in out["sources"] if s["file"] == "my/acme-notes.pdf")
    assert doc["title"] == ACME[0], doc
    assert cite["end"] > cite["start"] >= 0
    removed = prep("remove", "my/acme-notes.pdf", env=env)
    assert removed.returncode == 0 and "- my/acme-notes.pdf" in removed.stdout, removed.stderr
    gone = json.loads(
        prep("ask", "How many rounds does the Acme Robotics onsite have?", "--json", env=env).stdout
    )
    assert "my/acme-notes.pdf" not in {c["file"] for c in gone["citations"]}
    assert_user_error(prep("remove", "my/acme-notes.pdf", env=env), "is not in")
    # the seeds still answer as before: nothing already indexed was lost
    l5 = json.loads(
        prep("ask", "What is the total comp for an L5 MLE at Netflix?", "--json", env=env).stdout
    )
    assert "$520k–$780k" in l5["answer"]


def _ctrl_c_as_in_a_terminal() -> None:
    """Give the child the default SIGINT a foreground terminal gives it.

    A test run started in the background (`make test &`) inherits an ignored SIGINT, and
    Python keeps it ignored, so Ctrl+C could never reach the watcher.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for(path: Path, text: str, proc: subprocess.Popen[str], timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = path.read_text(encoding="utf-8") if path.exists() else ""
        if text in seen:
            return seen
        assert proc.poll() is None, f"watcher exited: {seen}"
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not seen in {path.read_text(encoding='utf-8')!r}")


@pytest.mark.model
def _start_watch(tmp_path: Path, debounce_ms: int) -> tuple[subprocess.Popen[str], Path, Path]:
    """`prep index --watch` on one seed and an empty documents folder: (process, docs, log)."""
    docs = tmp_path / "documents"
    env = {
        **os.environ,
        "PREP_SEEDS_DIR": str(copy_seeds(tmp_path / "seeds", ["003_f548cca58db76166.txt"])),
        "PREP_DOCS_DIR": str(docs),
        "PREP_INDEX_DIR": str(tmp_path / "index"),
        "PREP_WATCH_DEBOUNCE_MS": str(debounce_ms),
    }
    log = tmp_path / "watch.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*PREP, "index", "--watch"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            text=True,
            preexec_fn=_ctrl_c_as_in_a_terminal,
        )
    return proc, docs, log


def test_index_watch_reindexes_added_changed_and_removed_files(tmp_path: Path) -> None:
    proc, docs, log = _start_watch(tmp_path, 300)
    try:
        _wait_for(log, "Watching", proc)
        (docs / "beta.md").write_text("# Beta\n\nBeta Corp runs the Lantern exercise.\n")
        _wait_for(log, "+ my/beta.md", proc)
        manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
        first = manifest["files"]["my/beta.md"]["sha256"]
        (docs / "beta.md").write_text("# Beta\n\nBeta Corp now runs the Torch exercise.\n")
        _wait_for(log, "Changed: my/beta.md", proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
            if manifest["files"]["my/beta.md"]["sha256"] != first:
                break
            time.sleep(0.2)
        assert manifest["files"]["my/beta.md"]["sha256"] != first
        (docs / "beta.md").unlink()
        _wait_for(log, "- my/beta.md", proc)
        manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
        assert "my/beta.md" not in manifest["files"]
        assert "003_f548cca58db76166.txt" in manifest["files"]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()  # Ctrl+C did not stop it: fail, but leave no process
            proc.wait()
            raise
    assert "Traceback" not in log.read_text(encoding="utf-8")


@pytest.mark.model
def test_index_watch_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """A service manager's SIGTERM ends watching with exit 0 and leaves the index whole."""
    proc, docs, log = _start_watch(tmp_path, 50)
    try:
        _wait_for(log, "Watching", proc)
        (docs / "gamma.md").write_text("# Gamma\n\nGamma Works pays in tokens.\n")
        time.sleep(0.3)  # the change is seen; its build may be under way when SIGTERM lands
        proc.terminate()
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log.read_text(encoding="utf-8")
    assert "stopped watching" in text
    assert "Traceback" not in text
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert "003_f548cca58db76166.txt" in manifest["files"]
