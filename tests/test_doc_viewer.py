"""The document viewer marks the cited span only while the file is as it was indexed."""

from __future__ import annotations

from pathlib import Path

from assistant.app.web.page import document_page
from assistant.ingest.documents import Document


class _Docs:
    """Stands in for the assistant: one document, found by its index id."""

    def __init__(self, doc: Document, doc_id: str) -> None:
        self.doc, self.doc_id = doc, doc_id

    def document(self, doc_id: str) -> Document | None:
        return self.doc if doc_id == self.doc_id else None


def _doc(text: str, sha: str) -> Document:
    return Document(name="my/n.md", path=Path("n.md"), text=text, sha256=sha, title="N")


def test_unchanged_file_marks_the_span() -> None:
    """Same content as indexed: the span is marked and nothing warns."""
    page = document_page(_Docs(_doc("abc <b>def</b> ghi", "a" * 64), "a" * 16), "a" * 16, 4, 14)  # type: ignore[arg-type]
    assert page is not None
    assert '<mark id="hl">&lt;b&gt;def&lt;/b&gt;</mark>' in page
    assert "changed after it was indexed" not in page


def test_edited_file_is_shown_without_a_stale_mark() -> None:
    """Edited since indexing: the new text, no mark at old offsets, and how to fix it."""
    page = document_page(_Docs(_doc("new text here", "b" * 64), "a" * 16), "a" * 16, 0, 3)  # type: ignore[arg-type]
    assert page is not None
    assert "<mark" not in page and "new text here" in page
    assert "changed after it was indexed" in page and "prep index" in page
