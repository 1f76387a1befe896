"""Faults with real processes: SIGKILL mid-build, a corrupted folder, two builds, serve + index."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SEED_NAMES, SEEDS, copy_seeds
from tests.procs import free_port, http_get, running

pytestmark = pytest.mark.model

PREP = str(Path(sys.executable).with_name("prep"))
L5 = "What is the total comp for an L5 MLE at Netflix?"


def _env(seeds: Path, index: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PREP_SEEDS_DIR": str(seeds),
        "PREP_INDEX_DIR": str(index),
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }


def _prep(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PREP, *args], env=env, capture_output=True, text=True, timeout=600)


def _variants(seeds: Path, copies: int) -> None:
    """More documents: each seed again under a new name, with a line that makes it differ."""
    for i in range(copies):
        name = SEED_NAMES[i % len(SEED_NAMES)]
        text = (SEEDS / name).read_text(encoding="utf-8")
        (seeds / f"variant_{i:02d}.txt").write_text(f"{text}\n\nVariant {i}.\n", encoding="utf-8")


def _collections(index: Path) -> list[str]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(
        path=str(index / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    return sorted(str(getattr(c, "name", c)) for c in client.list_collections())


def _build(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    seeds, index = copy_seeds(tmp_path / "docs"), tmp_path / "index"
    env = _env(seeds, index)
    result = _prep(env, "index")
    assert result.returncode == 0, result.stderr
    return seeds, index, env


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A documents folder with the seeds and its index, built by `prep index` (to damage)."""
    return _build(tmp_path)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """The same, built once for tests that only read it."""
    return _build(tmp_path_factory.mktemp("shared"))


def test_sigkill_midway_keeps_the_old_index(built: tuple[Path, Path, dict[str, str]]) -> None:
    seeds, index, env = built
    manifest_before = (index / "manifest.json").read_text()
    _variants(seeds, 20)
    proc = subprocess.Popen([PREP, "index"], env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    killed_at = None
    for line in proc.stderr:  # "indexed N/20 documents": kill after the first batch is written
        if line.startswith("indexed ") and int(line.split()[1].split("/")[0]) >= 17:
            killed_at = line.strip()
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert killed_at and proc.returncode == -signal.SIGKILL, (killed_at, proc.returncode)
    assert (index / "manifest.json").read_text() == manifest_before  # never switched

    answer = _prep(env, "ask", "--json", L5)  # the previous index still answers
    assert answer.returncode == 0, answer.stderr
    assert "$520k–$780k" in json.loads(answer.stdout)["answer"]
    status = json.loads(_prep(env, "status", "--json").stdout)
    assert sum(f["state"] == "new" for f in status["files"]) == 20

    again = _prep(env, "index")  # the next build completes, and clears the half-built one
    assert again.returncode == 0, again.stderr
    assert "Indexed 25 files" in again.stdout
    assert len(_collections(index)) == 2
    assert json.loads(_prep(env, "status", "--json").stdout)["up_to_date"] is True


@pytest.mark.parametrize("damage", ["manifest", "store", "foreign"])
def test_corrupted_or_foreign_folder(built: tuple[Path, Path, dict[str, str]], damage: str) -> None:
    _seeds, index, env = built
    if damage == "manifest":
        (index / "manifest.json").write_text("{not json", encoding="utf-8")
    elif damage == "store":
        (index / "chroma" / "chroma.sqlite3").write_bytes(os.urandom(4096))
    else:  # a folder that is not ours at all
        for path in sorted(index.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        (index / "manifest.json").write_text('{"hello": "world"}', encoding="utf-8")
        (index / "notes.txt").write_text("someone else's files", encoding="utf-8")
    result = _prep(env, "ask", L5)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("error:") and "prep index --rebuild" in error, result.stderr
    fixed = _prep(env, "index", "--rebuild")
    assert fixed.returncode == 0, fixed.stderr
    answer = _prep(env, "ask", L5)
    assert answer.returncode == 0 and "$520k–$780k" in answer.stdout, answer.stderr


def test_two_builds_at_once(tmp_path: Path) -> None:
    seeds, index = copy_seeds(tmp_path / "docs"), tmp_path / "index"
    env = _env(seeds, index)
    procs = [
        subprocess.Popen([PREP, "index"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    text = [o.decode() + e.decode() for o, e in outs]
    assert sum("another `prep index` is updating" in t for t in text) == 1, text
    assert sum("nothing re-embedded" in t for t in text) == 1, text  # the second found it done
    status = json.loads(_prep(env, "status", "--json").stdout)
    assert status["up_to_date"] and sum(f["chunks"] for f in status["files"]) > 50
    assert len(_collections(index)) == 2


def test_serve_keeps_answering_while_index_changes(
    built: tuple[Path, Path, dict[str, str]],
) -> None:
    from gradio_client import Client

    seeds, _index, env = built
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def ask(client: Client, question: str) -> str:
        chat, _sources, _box = client.predict(question, "All", api_name="/ask")
        return str(chat[-1]["content"])

    with running([PREP, "serve", "--port", str(port)], f"{url}/healthz", env):
        client = Client(url, verbose=False)
        assert "$520k–$780k" in ask(client, L5)
        (seeds / "zebra_round.md").write_text(
            "---\ncompany: netflix\n---\n# Netflix zebra round\n\n"
            "The Netflix zebra round is a 45-minute pairing session on ranking metrics.\n",
            encoding="utf-8",
        )
        build = subprocess.Popen([PREP, "index"], env=env, stdout=subprocess.PIPE, text=True)
        during = []
        while build.poll() is None:  # the page answers from the old index while it builds
            during.append(ask(client, L5))
            time.sleep(0.2)
        assert build.returncode == 0
        assert during and all("$520k–$780k" in a for a in during), [
            a for a in during if "$520k–$780k" not in a
        ]
        after = ask(client, "How long is the Netflix zebra round?")
        assert "45-minute" in after, after  # the new generation is picked up without a restart
        assert "$520k–$780k" in ask(client, L5)
        status, body = http_get(f"{url}/healthz")
        assert status == 200 and json.loads(body)["documents"] == 6


def test_bad_files_are_skipped_with_reasons(tmp_path: Path) -> None:
    """Every kind of bad file gets a one-line reason in the summary; the rest is indexed."""
    seeds, index = copy_seeds(tmp_path / "docs"), tmp_path / "index"
    (seeds / "empty.md").write_bytes(b"")
    (seeds / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + os.urandom(2048))
    (seeds / "latin1.txt").write_bytes(
        "Salaire brut annuel : 120 000 €, très élevé".encode("cp1252")
    )
    with (seeds / "huge.txt").open("wb") as fh:  # 50 MB
        fh.write(b"Netflix pays in cash. " * (50 * 1024 * 1024 // 22 + 1))
    (seeds / "bad_front.md").write_text("---\ntitle: [unclosed\n---\n# Body\n\nText.\n")
    (seeds / "offer.docx").write_bytes(b"PK\x03\x04 not a text file")
    (seeds / "escape.md").symlink_to("/etc/hostname")
    env = _env(seeds, index)
    result = _prep(env, "index")
    assert result.returncode == 0, result.stderr
    assert "Indexed 5 files" in result.stdout and "skipped: 7 files" in result.stdout
    reasons = {
        line.split(":", 1)[0].strip(" !"): line.split(":", 1)[1].strip()
        for line in result.stdout.splitlines()
        if line.strip().startswith("! ")
    }
    assert set(reasons) == {
        "empty.md",
        "binary.txt",
        "latin1.txt",
        "huge.txt",
        "bad_front.md",
        "offer.docx",
        "escape.md",
    }, result.stdout
    assert all(reason and "\n" not in reason for reason in reasons.values())
    status = json.loads(_prep(env, "status", "--json").stdout)
    skipped = {f["name"]: f["note"] for f in status["files"] if f["state"] == "skipped"}
    assert skipped.keys() == reasons.keys() and status["up_to_date"]
    assert sum(f["state"] == "indexed" for f in status["files"]) == 5
    answer = _prep(env, "ask", L5)
    assert answer.returncode == 0 and "$520k–$780k" in answer.stdout


@pytest.mark.parametrize(
    ("question", "expect"),
    [
        ("   \t  ", "question is empty"),
        ("\x01\x07\x1b", "no readable characters"),  # argv cannot carry NUL
        ("x" * 100_000, "limit is 2,000"),
        ("Wie viele Interviewrunden hat Netflix für ML-Ingenieure?", None),
        ("What is the\x07 total comp for an L5\x01 MLE at Netflix?", "$520k–$780k"),
    ],
)
def test_questions_get_a_message_or_an_answer(
    shared: tuple[Path, Path, dict[str, str]], question: str, expect: str | None
) -> None:
    _seeds, _index, env = shared
    result = _prep(env, "ask", question)
    assert "Traceback" not in result.stderr
    if expect and expect.startswith("$"):
        assert result.returncode == 0 and expect in result.stdout
    elif expect:
        assert result.returncode == 2 and expect in result.stderr
        assert result.stderr.strip().count("\n") == 0
    else:  # another language: a normal answer or refusal, never an error
        assert result.returncode == 0 and result.stdout.strip(), result.stderr
