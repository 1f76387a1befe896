"""Reading resources/domain/ data files: comments and blanks skipped, tables by key."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.domain import data


def test_lines_and_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "t.txt").write_text(
        "# a comment\n\n  alpha beta  \nx: one, two,\n# x: skipped\nx: three\ny:\nno colon\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(data, "resource_dir", lambda name: tmp_path / name)
    data.lines.cache_clear()
    try:
        assert data.lines("t.txt") == ("alpha beta", "x: one, two,", "x: three", "y:", "no colon")
        assert data.table("t.txt") == {"x": ["one", "two", "three"], "y": []}
    finally:
        data.lines.cache_clear()


def test_the_shipped_files_read_as_before() -> None:
    assert "$" in data.table("currencies.txt")["USD"]
    assert "L" in data.lines("levels.txt")
    assert {"rounds", "culture", "comp", "system-design"} <= set(data.table("topics.txt"))
