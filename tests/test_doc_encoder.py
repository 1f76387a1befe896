"""Index-time embedding: distinct texts once, length buckets, the fast path checked against fp32."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import FakeEmbeddings

from assistant.index.doc_encoder import (
    DocumentEmbedder,
    length_batches,
    sample,
    supported,
    unique_texts,
)
from assistant.index.embeddings import MiniLMEmbeddings
from assistant.settings import Settings

TEXTS = [
    "What does a principal data analyst earn in total?",
    "Compensation: Base salary is $180K–$240K with RSUs vesting over four years.",
    "How many onsite interview rounds are there?",
    "Onsite > Coding: two rounds of coding, one of system design and a behavioural round.",
    "London — Base Salary: £150K–£200K; Stock (RSU/4yr): £180K–£320K",
    "culture " * 200,  # over the 256-token window: truncated the same way on every path
    "Short.",
]


class Counting(FakeEmbeddings):
    """The fake embedder, remembering every text it was asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.seen.extend(texts)
        return super().embed_documents(texts)


def test_unique_texts_keeps_first_seen_order_and_rows() -> None:
    distinct, where = unique_texts(["b", "a", "b", "c", "a"])
    assert distinct == ["b", "a", "c"]
    assert where == [0, 1, 0, 2, 1]


def test_length_batches_group_similar_lengths_and_cover_every_row() -> None:
    lengths = [30, 5, 200, 7, 31, 6, 199]
    batches = length_batches(lengths, 3)
    assert [len(b) for b in batches] == [3, 3, 1]
    assert sorted(r for b in batches for r in b) == list(range(len(lengths)))
    widths = [[lengths[r] for r in b] for b in batches]
    assert widths == [[5, 6, 7], [30, 31, 199], [200]]  # shortest first: little padding


def test_sample_spreads_over_lengths() -> None:
    texts = [f"{'x' * n}" for n in range(1, 101)]
    picked = sample(texts, 5)
    assert picked[0] == "x" and picked[-1] == "x" * 100 and len(picked) == 5
    assert sample(["a", "a", "b"], 10) == ["a", "b"]


def test_identical_texts_are_embedded_once(tmp_path: Path) -> None:
    fake = Counting()
    embedder = DocumentEmbedder(Settings(index_dir=tmp_path / "index"), fake)
    texts = ["alpha beta", "gamma", "alpha beta", "delta gamma", "gamma"]
    vectors = embedder.embed(texts)
    assert sorted(fake.seen) == sorted(set(texts))  # a stand-in embedder is used as it is
    assert vectors.shape == (5, fake.dim)
    assert np.allclose(vectors[0], vectors[2]) and np.allclose(vectors[1], vectors[4])
    expected = np.array(FakeEmbeddings().embed_documents(texts), dtype=np.float32)
    assert np.allclose(vectors, expected, atol=1e-6)  # rows in the input's order
    assert embedder.path == "reference embedder"


def test_cpu_support_decides_the_fast_paths() -> None:
    assert supported("bf16", {"avx512_bf16"}) and not supported("bf16", {"avx2"})
    assert supported("int8", {"avx512_vnni"}) and not supported("int8", set())
    assert supported("fp32", set())


def _embedder(tmp_path: Path, **overrides: object) -> DocumentEmbedder:
    settings = Settings(index_dir=tmp_path / "index").with_overrides(**overrides)
    reference = MiniLMEmbeddings(model_path=str(settings.resolved_model_path()))
    return DocumentEmbedder(settings, reference)


@pytest.mark.model
@pytest.mark.parametrize("path", ["auto", "bf16", "int8", "fp32"])
def test_fast_path_matches_sentence_transformers_fp32(tmp_path: Path, path: str) -> None:
    embedder = _embedder(tmp_path, embed_path=path)
    ours = embedder.embed(TEXTS)
    theirs = np.array(embedder.reference.embed_documents(TEXTS), dtype=np.float32)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.99, cosines
    check = [c for c in embedder.checks if c.passed][-1]
    assert check.min_cosine >= 0.99 and check.texts == len(set(TEXTS))
    if path in ("bf16", "fp32"):  # int8 may fail its check on these texts: then fp32
        assert embedder.path == path, embedder.describe()
    assert embedder.path in {path, "fp32", "bf16"}


@pytest.mark.model
def test_failed_check_falls_back_to_fp32(tmp_path: Path) -> None:
    # int8 cannot reach 0.9999 on every text; the fp32 ONNX export can (it differs by ~1e-8)
    embedder = _embedder(tmp_path, embed_path="int8", embed_check_cosine=0.9999)
    embedder.embed(TEXTS)
    assert [c.path for c in embedder.checks] == ["int8", "fp32"]
    assert not embedder.checks[0].passed and embedder.path == "fp32"
    assert "failed, not used" in embedder.checks[0].describe()


@pytest.mark.model
def test_impossible_bar_falls_back_to_sentence_transformers(tmp_path: Path) -> None:
    embedder = _embedder(tmp_path, embed_check_cosine=1.5)
    ours = embedder.embed(TEXTS)
    assert embedder.path == "sentence-transformers fp32"
    assert not any(c.passed for c in embedder.checks[:-1])
    theirs = np.array(embedder.reference.embed_documents(TEXTS), dtype=np.float32)
    assert np.allclose(ours, theirs, atol=1e-6)
