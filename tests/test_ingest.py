"""Ingest: front matter, titles, companies, and every way a file can be unreadable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import SEEDS

from assistant.ingest.documents import Document, Skipped, load_folder, parse
from assistant.settings import Settings

S = Settings()


def _load(folder: Path) -> tuple[list[Document], list[Skipped]]:
    return load_folder(folder, S.extensions)


def _seeds() -> dict[str, Document]:
    docs, skipped = _load(SEEDS)
    assert skipped == []
    return {d.name[:3]: d for d in docs}


def test_front_matter_of_000() -> None:
    doc = _seeds()["000"]
    assert doc.meta["company"] == "netflix"
    assert doc.meta["last_updated"] == dt.date(2026, 2, 23)
    assert doc.flat_meta()["last_updated"] == "2026-02-23"
    assert doc.meta["role"] == "ml-ai-engineer"
    assert doc.text[doc.body_start :].startswith("### ML/AI Engineer | Netflix")
    assert "compensation" not in doc.flat_meta()  # a list: not a scalar field


def test_titles_of_every_seed() -> None:
    titles = {k: d.title for k, d in _seeds().items()}
    assert titles == {
        "000": "ML/AI Engineer | Netflix Global Negotiation Guide",
        "001": "Data Scientist / ML Engineer Hub",
        "002": "Netflix ML Engineer Interview: Complete Prep Guide 2026",
        "003": "ML Software Engineer (L4/L5) - Media Algorithms",
        "004": "ML/AI Engineer | Spotify Global Negotiation Guide",
    }


def test_companies_of_every_seed() -> None:
    companies = {k: d.meta["company"] for k, d in _seeds().items()}
    assert companies == {
        "000": "netflix",
        "001": "netflix",
        "002": "netflix",
        "003": "netflix",
        "004": "spotify",
    }


def test_hash_changes_with_content(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Netflix pays all cash.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Netflix pays all cash!\n", encoding="utf-8")
    docs, _ = _load(tmp_path)
    assert len({d.sha256 for d in docs}) == 2


def test_utf8_bom_and_crlf_front_matter(tmp_path: Path) -> None:
    data = "\ufeff---\r\ncompany: Spotify\r\ntitle: Guide\r\n---\r\nBody text about pay.\r\n"
    (tmp_path / "bom.md").write_bytes(data.encode("utf-8"))
    docs, skipped = _load(tmp_path)
    assert skipped == []
    assert docs[0].title == "Guide" and docs[0].meta["company"] == "spotify"
    assert docs[0].text[docs[0].body_start :].startswith("Body text")


def test_markdown_heading_is_the_title(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text("Intro\n\n## Meta MLE loop\n\nText.\n", encoding="utf-8")
    docs, _ = _load(tmp_path)
    assert docs[0].title == "Meta MLE loop" and docs[0].meta["company"] == "meta"


def _skipped_reason(folder: Path, name: str) -> str:
    docs, skipped = _load(folder)
    assert name not in {d.name for d in docs}
    reasons = {s.name: s.reason for s in skipped}
    assert name in reasons, reasons
    return reasons[name]


UNREADABLE = [
    ("latin1.txt", "Café salary: 100 €\n".encode("cp1252"), "not UTF-8"),
    ("binary.txt", b"Netflix\x00\x01\x02 pays", "binary"),
    ("empty.txt", b"", "empty"),
    ("blank.md", b"  \n\n\t\n", "empty"),
    ("notes.pdf", b"%PDF-1.4 Netflix", "not a readable PDF"),
    ("renamed.pdf", b"Netflix interview notes", "not a PDF file"),
    ("notes.docx", b"PK\x03\x04 Netflix", "unsupported file type '.docx'"),
    ("README", b"Netflix interview notes", "unsupported file type '(none)'"),
    ("broken.md", b"---\ncompany: [netflix\ntitle: x\n---\nBody\n", "malformed YAML front matter"),
    ("list.md", b"---\n- a\n- b\n---\nBody text here\n", "not a key: value mapping"),
    ("only-meta.md", b"---\ncompany: netflix\n---\n\n", "no text after the front matter"),
]


@pytest.mark.parametrize(("name", "data", "reason"), UNREADABLE, ids=[u[0] for u in UNREADABLE])
def test_unreadable_file_is_skipped_with_reason(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    (tmp_path / "good.txt").write_text("Netflix pays all cash.\n", encoding="utf-8")
    (tmp_path / name).write_bytes(data)
    assert reason in _skipped_reason(tmp_path, name)
    docs, _ = _load(tmp_path)
    assert [d.name for d in docs] == ["good.txt"]


def test_malformed_yaml_reason_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "broken.md").write_bytes(b"---\ntitle: ok\ncompany: [netflix\n---\nBody\n")
    assert "(line " in _skipped_reason(tmp_path, "broken.md")


def test_dangling_symlink_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing-target.txt")
    assert _skipped_reason(tmp_path, "gone.txt").startswith("cannot be read")


def test_symlink_outside_the_folder_is_skipped(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("Secret notes about Netflix.\n", encoding="utf-8")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "link.txt").symlink_to(outside)
    assert "outside the documents folder" in _skipped_reason(folder, "link.txt")


def test_permission_denied_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod 000 does not stop root, so the read itself is made to fail.
    target = tmp_path / "locked.txt"
    target.write_text("Netflix pays all cash.\n", encoding="utf-8")
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert "permission denied" in _skipped_reason(tmp_path, "locked.txt")


def test_hidden_files_and_folders_are_ignored(tmp_path: Path) -> None:
    (tmp_path / ".draft.txt").write_text("Netflix draft.\n", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("Netflix.\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "kept.txt").write_text("Netflix pays all cash.\n", encoding="utf-8")
    docs, skipped = _load(tmp_path)
    assert [d.name for d in docs] == ["sub/kept.txt"] and skipped == []


def test_parse_rejects_non_utf8_directly() -> None:
    got = parse("x.txt", Path("x.txt"), b"\xff\xfe\xfa")
    assert isinstance(got, Skipped) and "UTF-8" in got.reason
