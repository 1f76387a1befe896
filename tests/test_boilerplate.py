"""Boilerplate sections come from a data file: a passage under one is ranked below the same text."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FakeEmbeddings

from assistant.index.store import IndexReader
from assistant.paths import resource_dir
from assistant.retrieve.lc_retriever import HybridRetriever
from assistant.retrieve.scoring import boilerplate
from assistant.settings import Settings

SENTENCE = "Every engineer at Initech gets a base salary of $150K and a yearly bonus of 12%."
GUIDE = f"""# Initech pay guide

## Share this post

{SENTENCE}

## Details

{SENTENCE}
"""


@pytest.mark.parametrize(
    ("section", "low"),
    [
        ("You may also like", True),
        ("Further reading", True),
        ("Guide > Share this post", True),
        ("Leave a Comment", True),
        ("Base pay and bonus", False),
        ("Sharing equity", False),
        ("The onsite loop", False),
    ],
)
def test_boilerplate_headings(section: str, low: bool) -> None:
    """Headings of the data file match as whole words, in any case; others do not."""
    assert bool(boilerplate().search(section.rsplit(" > ", 1)[-1])) is low


def test_boilerplate_section_ranks_below_the_same_text(tmp_path: Path) -> None:
    """The same sentence scores lower under 'Share this post' (a heading no seed has)."""
    from assistant.index.build import build_index

    heads = (resource_dir("domain") / "boilerplate.txt").read_text("utf-8").lower().splitlines()
    assert "share this post" in heads
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "initech.md").write_text(GUIDE, encoding="utf-8")
    settings = Settings(
        seeds_dir=docs, index_dir=tmp_path / "index", query_encoder="sentence-transformers"
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("assistant.index.build.MiniLMEmbeddings", FakeEmbeddings)
        build_index(settings)
    retriever = HybridRetriever.from_settings(settings, IndexReader(settings), FakeEmbeddings())
    found = retriever.invoke("What base salary does Initech pay?")
    score = {str(d.metadata["section"]).rsplit(" > ", 1)[-1]: d.metadata["rerank"] for d in found}
    assert score["Details"] > score["Share this post"]
