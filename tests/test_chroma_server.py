"""Scale-out: the same index and evals against a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.app.service import Assistant
from assistant.evaluation.golden import evaluate, load_golden
from assistant.settings import Settings
from tests.conftest import GOLDEN, copy_seeds
from tests.procs import free_port, running

pytestmark = [pytest.mark.model, pytest.mark.chroma_server]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    chroma = str(Path(sys.executable).with_name("chroma"))
    data = tmp_path_factory.mktemp("chroma-server")
    cmd = [chroma, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with running(cmd, f"{url}/api/v2/heartbeat", timeout=60):
        yield url


def test_eval_against_chroma_server(chroma_url: str, tmp_path: Path) -> None:
    from assistant.index.build import build_index

    settings = Settings(
        seeds_dir=copy_seeds(tmp_path / "seeds"),
        index_dir=tmp_path / "index",
        chroma_url=chroma_url,
    )
    report = build_index(settings)
    assert report.chunks > 50 and not (settings.index_dir / "chroma").exists()  # all on the server
    metrics = evaluate(Assistant(settings).run, load_golden(GOLDEN))
    assert metrics.hit_at_1 >= 0.90, metrics.failures
    assert metrics.answer_recall >= 0.90, metrics.failures
    assert metrics.citation_precision >= 0.90
    assert metrics.refusal_accuracy == 1.0
    again = build_index(settings)
    assert again.up_to_date  # incremental works the same way on the server


def test_two_index_folders_share_one_server(chroma_url: str, tmp_path: Path) -> None:
    """Each folder's collections are its own: building one never collects the other's."""
    from assistant.index.build import build_index

    names = ["001_1a1fcd35119ebbf9.txt"]
    a = Settings(
        seeds_dir=copy_seeds(tmp_path / "a", names),
        index_dir=tmp_path / "ia",
        chroma_url=chroma_url,
    )
    b = Settings(
        seeds_dir=copy_seeds(tmp_path / "b", names),
        index_dir=tmp_path / "ib",
        chroma_url=chroma_url,
    )
    build_index(a)
    build_index(b)
    build_index(a, rebuild=True)  # a new generation for a; b's collections must survive
    assert (
        "$520k–$780k" in Assistant(b).ask("What is the total comp for an L5 MLE at Netflix?").answer
    )


def test_builds_leave_one_generation_on_the_server(chroma_url: str, tmp_path: Path) -> None:
    """Rebuilds and a half-built generation (as a killed build leaves it) are cleared."""
    import chromadb

    from assistant.index.build import build_index

    names = ["004_878f18a71d669f95.txt"]
    mine = Settings(
        seeds_dir=copy_seeds(tmp_path / "m", names),
        index_dir=tmp_path / "im",
        chroma_url=chroma_url,
    )
    other = Settings(
        seeds_dir=copy_seeds(tmp_path / "o", names),
        index_dir=tmp_path / "io",
        chroma_url=chroma_url,
    )
    build_index(other)
    for _ in range(3):
        build_index(mine, rebuild=True)
    host, port = chroma_url.rsplit("//", 1)[1].split(":")
    client = chromadb.HttpClient(host=host, port=int(port))
    prefix = mine.collection_prefix()
    client.create_collection(f"{prefix}chunks-halfbuilt")  # what a kill -9 mid-build leaves
    client.create_collection(f"{prefix}units-halfbuilt")

    def names_of(settings: Settings) -> list[str]:
        p = settings.collection_prefix()
        return sorted(n for c in client.list_collections() if (n := str(c.name)).startswith(p))

    assert len(names_of(mine)) == 4
    assert build_index(mine).up_to_date  # nothing to embed, but the leftovers go
    assert len(names_of(mine)) == 2 and not [n for n in names_of(mine) if "halfbuilt" in n]
    assert len(names_of(other)) == 2  # another folder's generation is never collected
    assert "Keeper" in Assistant(mine).ask("What is the Keeper Test?").answer


def test_unreachable_server_is_one_line(tmp_path: Path) -> None:
    prep = str(Path(sys.executable).with_name("prep"))
    url = f"http://127.0.0.1:{free_port()}"
    result = subprocess.run(
        [
            prep,
            "--chroma-url",
            url,
            "ask",
            "--index",
            str(tmp_path / "i"),
            "What is the Keeper Test?",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0] == result.stderr.strip().splitlines()[-1]
    assert (
        f"cannot reach the Chroma server at {url}" in result.stderr
        and "PREP_CHROMA_URL" in result.stderr
    )
