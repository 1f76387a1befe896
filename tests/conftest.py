"""Shared fixtures: every test gets its own index folder; model tests share one real index."""

from __future__ import annotations

import hashlib
import math
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from assistant.paths import resource_dir
from assistant.settings import Settings
from tests.llm_servers import ScriptedLLM

ROOT = Path(__file__).resolve().parent.parent  # the repository checkout

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SEEDS = resource_dir("seeds")  # the default corpus, as the package ships it
GOLDEN = ROOT / "tests" / "golden" / "golden.jsonl"
SEED_NAMES = sorted(p.name for p in SEEDS.iterdir() if p.is_file())


class FakeEmbeddings(Embeddings):
    """Deterministic stand-in for MiniLM: tokens hashed into a fixed-size unit vector.

    Texts sharing words get similar vectors, so retrieval tests behave sensibly, and nothing
    loads a model. Accepts MiniLMEmbeddings' constructor arguments so it can replace it.
    """

    def __init__(self, model_path: str = "", batch_size: int = 64, dim: int = 64):
        self.model_path, self.batch_size, self.dim = model_path, batch_size, dim
        self.calls = 0

    def _vector(self, text: str) -> list[float]:
        from assistant.textnorm import tokens

        vec = [0.0] * self.dim
        for tok in tokens(text) or ["\u2205"]:
            digest = hashlib.sha256(tok.encode("utf-8")).digest()
            slot = int.from_bytes(digest[:4], "big") % self.dim
            vec[slot] += 1.0 if digest[4] % 2 else -1.0
        if not any(vec):  # hashed signs cancelled out
            vec[0] = 1.0
        norm = math.sqrt(sum(x * x for x in vec))
        return [x / norm for x in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


@pytest.fixture(scope="session", autouse=True)
def _no_user_documents(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Session and module fixtures never see the developer's own documents/ or study log."""
    base = tmp_path_factory.mktemp("user")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PREP_DOCS_DIR", str(base / "documents"))
        mp.setenv("PREP_STUDY_DB", str(base / "study" / "quiz.sqlite3"))
        yield


@pytest.fixture(autouse=True)
def _isolated_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test may touch the repository's index/, documents/ or study log: all point at tmp."""
    index = tmp_path / "index"
    monkeypatch.setenv("PREP_INDEX_DIR", str(index))
    monkeypatch.setenv("PREP_DOCS_DIR", str(tmp_path / "documents"))
    monkeypatch.setenv("PREP_STUDY_DB", str(tmp_path / "study" / "quiz.sqlite3"))
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return index


def copy_seeds(dest: Path, names: list[str] | None = None) -> Path:
    """A writable copy of (some of) the seed files; the seeds themselves are never touched."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names or SEED_NAMES:
        shutil.copy2(SEEDS / name, dest / name)
    return dest


@pytest.fixture(scope="session")
def seeded_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """ONE real index (MiniLM + Chroma) of a copy of the seeds, shared by read-only tests."""
    from assistant.index.build import build_index

    base = tmp_path_factory.mktemp("seeded")
    settings = Settings(
        seeds_dir=copy_seeds(base / "seeds"),
        docs_dir=base / "documents",
        study_db=base / "study.sqlite3",
        index_dir=base / "index",
    )
    report = build_index(settings)
    assert report.files == len(SEED_NAMES) and not report.skipped, report
    yield settings


@pytest.fixture
def fake_embeddings() -> FakeEmbeddings:
    """A fresh deterministic embedder."""
    return FakeEmbeddings()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's chromium driven by Playwright (`playwright install` cannot run here)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium: apt-get install -y chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedLLM]:
    """A scripted OpenAI-compatible server on 127.0.0.1 (one per test module)."""
    server = ScriptedLLM().start()
    yield server
    server.stop()
