"""Issue #13, index half, without the model: parsing guards, names on the terminal, watcher."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from assistant.ingest.documents import Document, Limits, Skipped, load_folder
from assistant.settings import Settings
from assistant.study.studylog import StudyLog
from assistant.textnorm import printable
from tests.fault_corpus import BAD, UTF16_FACT, write_corpus

S = Settings()


def test_every_bad_file_becomes_a_reason(tmp_path: Path) -> None:
    docs, skipped = load_folder(write_corpus(tmp_path / "c"), S.extensions)
    reasons = {s.name: s.reason for s in skipped}
    assert set(reasons) == set(BAD)
    for name, words in BAD.items():
        assert words.lower() in reasons[name].lower() and "\n" not in reasons[name]
    utf16 = next(d for d in docs if d.name == "utf16.txt")
    assert UTF16_FACT in utf16.text


def test_pathological_headings_and_paragraphs_chunk(tmp_path: Path) -> None:
    from assistant.index.build import make_chunker

    docs, _ = load_folder(write_corpus(tmp_path / "c"), S.extensions)
    chunker = make_chunker(S)
    heading = next(d for d in docs if d.name == "long_heading.md")
    assert chunker.chunk(heading)
    note = next(d for d in docs if d.name == "long_note.md")
    started = time.perf_counter()
    chunks = chunker.chunk(note)
    assert time.perf_counter() - started < 30  # pysbd alone took 39 s on the whole paragraph
    assert "walrus calibration ritual" in chunks[-1].units[-1].text


def test_line_and_run_limits_are_settings(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("word " * 400 + "\n")
    (tmp_path / "b.md").write_text("x" * 300 + " tail\n")
    _, skipped = load_folder(tmp_path, S.extensions, Limits(1000, 200))
    reasons = {s.name: s.reason for s in skipped}
    assert "PREP_MAX_LINE_CHARS" in reasons["a.md"] and "PREP_MAX_RUN_CHARS" in reasons["b.md"]


def test_any_parse_failure_is_a_skip_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ok.md").write_text("# Fine\n\nA fine document about Netflix rounds.\n")
    (tmp_path / "boom.md").write_text("# Boom\n\nThis one breaks the title guesser.\n")
    import assistant.ingest.documents as ingest

    real = ingest.guess_company

    def explode(doc: Document) -> str:
        if doc.name == "boom.md":
            raise RecursionError("maximum recursion depth exceeded")
        return real(doc)

    monkeypatch.setattr(ingest, "guess_company", explode)
    docs, skipped = load_folder(tmp_path, S.extensions)
    assert [d.name for d in docs] == ["ok.md"]
    assert skipped == [Skipped("boom.md", skipped[0].reason)] and "deeply" in skipped[0].reason


def test_front_matter_types_are_stored_safely(tmp_path: Path) -> None:
    (tmp_path / "t.md").write_text(
        "---\n1: one\nbig: 123456789012345678901234567890\ntitle: [a, b]\ncompany: {x: 1}\n---\n"
        "# Real title\n\nBody text about offers.\n"
    )
    docs, skipped = load_folder(tmp_path, S.extensions)
    assert not skipped
    meta = docs[0].flat_meta()
    assert meta["1"] == "one" and meta["big"] == "123456789012345678901234567890"
    assert docs[0].title == "Real title"


def test_printable_escapes_control_characters() -> None:
    assert printable("evil\n\x1b[31mred.md") == "evil\\n\\x1b[31mred.md"
    assert printable("plain/notes é.md") == "plain/notes é.md"


def test_report_and_status_escape_file_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.app.cli.indexing import print_report
    from assistant.index.build import IndexReport

    report = IndexReport(
        files=1, embedded=["a\x1b[2Jb.md"], skipped=[Skipped("x\ny.md", "empty file")]
    )
    print_report(report, S)
    out = capsys.readouterr().out
    assert "\x1b" not in out and "a\\x1b[2Jb.md" in out and "x\\ny.md: empty file" in out


def test_study_log_errors_name_the_real_setting(tmp_path: Path) -> None:
    log = StudyLog(tmp_path / "quiz.sqlite3")
    read_only = str(log._error(sqlite3.OperationalError("attempt to write a readonly database")))
    assert "writable" in read_only and "PREP_STUDY_DB" in read_only and "delete" not in read_only
    damaged = str(log._error(sqlite3.DatabaseError("file is not a database")))
    assert "PREP_STUDY_DB" in damaged and "--study-db" not in damaged


def test_watcher_survives_a_failing_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.index.watch as watch_mod
    from assistant.index.build import IndexReport

    calls: list[int] = []

    def flaky(settings: Settings, **_: object) -> IndexReport:
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("Batch size 6601 exceeds maximum batch size 5461")
        return IndexReport(files=1)

    monkeypatch.setattr(watch_mod, "build_index", flaky)
    settings = Settings(seeds_dir=tmp_path / "s", docs_dir=tmp_path / "d", watch_debounce_ms=50)
    errors: list[str] = []
    reports: list[list[str]] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=watch_mod.watch,
        args=(settings, lambda r, names: reports.append(names), errors.append, stop),
    )
    thread.start()
    try:
        time.sleep(1.0)
        for n in range(2):
            (tmp_path / "s").mkdir(exist_ok=True)
            (tmp_path / "s" / f"f{n}.md").write_text("text")
            deadline = time.monotonic() + 20
            while len(calls) <= n and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(0.3)
    finally:
        stop.set()
        thread.join(timeout=20)
    assert len(calls) >= 2 and errors and "ValueError" in errors[0], (calls, errors)
    assert reports and reports[-1] == ["f1.md"], reports
