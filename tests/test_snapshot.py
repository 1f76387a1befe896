"""The index snapshot: a question reads the live generation without Chroma, and only that one."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.app.service import Assistant
from assistant.index.build import build_index
from assistant.index.snapshot import ARRAYS, JSON, Row, Snapshot
from assistant.index.store import IndexReader, Manifest
from assistant.settings import Settings

DOCS = {
    "zephyr-pay.md": "# Zephyr pay\n\nA Zephyr ML engineer in Oslo earns NOK 900 000 a year.\n"
    "The Zephyr bonus is 12% of base.\n",
    "kestrel-rounds.md": "# Kestrel interviews\n\nThe Kestrel loop has five rounds of 45 minutes.\n"
    "Kestrel asks one system design question about ranking.\n",
}
QUESTION = "How many rounds are in the Kestrel loop?"


def _settings(base: Path, **kw: object) -> Settings:
    docs = base / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    return Settings(
        seeds_dir=docs,
        docs_dir=base / "mine",
        index_dir=base / "index",
        **kw,  # type: ignore[arg-type]
    )


def _snapshot(vectors: list[list[float]], companies: list[str]) -> Snapshot:
    rows = [Row(f"c{i}", f"text {i}", {"company": c}) for i, c in enumerate(companies)]
    arr = np.asarray(vectors, dtype=np.float32)
    arr /= np.linalg.norm(arr, axis=1, keepdims=True)
    return Snapshot(rows, arr, {"u0": 0}, np.asarray([[1.0, 0.0]], dtype=np.float32))


def test_dense_ranks_by_cosine_and_filters_by_metadata() -> None:
    snap = _snapshot([[1, 0], [0.6, 0.8], [0, 1]], ["a", "b", "a"])
    assert [i for i, _ in snap.dense([1.0, 0.0], 3)] == ["c0", "c1", "c2"]
    assert [i for i, _ in snap.dense([0.0, 2.0], 2)] == ["c2", "c1"]
    assert [i for i, _ in snap.dense([1.0, 0.0], 5, {"company": "a"})] == ["c0", "c2"]
    assert snap.dense([1.0, 0.0], 5, {"company": "z"}) == []
    assert snap.unit_vectors(["u0", "missing"]) == {"u0": [1.0, 0.0]}


@pytest.mark.model
def test_a_question_reads_the_snapshot_and_answers_as_chroma_does(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    build_index(settings)
    assert (settings.index_dir / JSON).is_file() and (settings.index_dir / ARRAYS).is_file()
    reader = IndexReader(settings)
    assert reader.snapshot is not None
    chroma = IndexReader(settings.model_copy(update={"read_snapshot": False}))
    assert chroma.snapshot is None
    assert [c.id for c in reader.all_chunks()] == [c.id for c in chroma.all_chunks()]
    vector = Assistant(settings).embedder.embed_query(QUESTION)
    fast, slow = reader.dense(vector, 10), chroma.dense(vector, 10)
    assert [i for i, _ in fast] == [i for i, _ in slow]
    assert all(abs(a - b) < 1e-4 for (_, a), (_, b) in zip(fast, slow, strict=True))
    units = [f"{c.id}#u0" for c in chroma.all_chunks()]
    got, want = reader.unit_vectors(units), chroma.unit_vectors(units)
    assert got.keys() == want.keys()
    assert all(np.allclose(got[u], want[u], atol=1e-6) for u in got)
    with_snapshot = Assistant(settings).ask(QUESTION)
    without = Assistant(settings.model_copy(update={"read_snapshot": False})).ask(QUESTION)
    assert with_snapshot.answer == without.answer and "five rounds" in with_snapshot.answer


@pytest.mark.model
def test_prep_ask_does_not_import_chromadb_or_langsmith(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    build_index(settings)
    code = (
        "import sys; from assistant.app.cli.root import main\n"
        f"sys.argv = ['prep', 'ask', {QUESTION!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('chromadb', 'langsmith') if m in sys.modules))"
    )
    env = {
        "PREP_SEEDS_DIR": str(settings.seeds_dir),
        "PREP_DOCS_DIR": str(settings.docs_dir),
        "PREP_INDEX_DIR": str(settings.index_dir),
        "HF_HUB_OFFLINE": "1",
        "PATH": "/usr/bin:/bin",
    }

    def loaded(**extra: str) -> str:
        run = subprocess.run(
            [sys.executable, "-c", code], env={**env, **extra}, capture_output=True, text=True
        )
        assert run.returncode == 0 and "five rounds" in run.stdout, run.stderr
        return run.stdout.strip().splitlines()[-1]

    assert loaded() == "[]"
    assert loaded(PREP_READ_SNAPSHOT="false") == "['chromadb']"  # the check can fail


@pytest.mark.model
def test_only_the_live_generation_is_read(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    build_index(settings)
    old = json.loads((settings.index_dir / JSON).read_text(encoding="utf-8"))
    saved = tmp_path / "old-snapshot.json"
    shutil.copy2(settings.index_dir / JSON, saved)
    (settings.seeds_dir / "kestrel-rounds.md").write_text(
        "# Kestrel interviews\n\nThe Kestrel loop now has six rounds of 45 minutes.\n",
        encoding="utf-8",
    )
    build_index(settings)  # a new generation, and a new copy of it
    manifest = Manifest.load(settings.index_dir)
    assert manifest is not None
    new = json.loads((settings.index_dir / JSON).read_text(encoding="utf-8"))
    assert new["collection"] == manifest.collection != old["collection"]
    assert "six rounds" in Assistant(settings).ask(QUESTION).answer
    shutil.copy2(saved, settings.index_dir / JSON)  # a copy of an older generation: not used
    assert IndexReader(settings).snapshot is None
    assert "six rounds" in Assistant(settings).ask(QUESTION).answer  # read from Chroma
    build_index(settings)  # an up-to-date build writes the copy again
    assert IndexReader(settings).snapshot is not None
    store = settings.index_dir / "chroma" / "chroma.sqlite3"
    store.write_bytes(b"not a database" + store.read_bytes()[14:])
    assert Snapshot.load(settings, manifest) is None  # a damaged store is not hidden by the copy
