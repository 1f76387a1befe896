"""`prep ask` beside a real `prep serve`: handed over when it can be, silently in-process if not."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.app import handoff
from assistant.settings import Settings
from tests.conftest import copy_seeds
from tests.procs import free_port, running

pytestmark = pytest.mark.model

L5 = "What is the total comp for an L5 MLE at Netflix?"
PREP = [sys.executable, "-m", "assistant"]


def _env(index: Path, seeds: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    env.pop("PREP_DEBUG", None)
    env.update(PREP_INDEX_DIR=str(index), PREP_SEEDS_DIR=str(seeds), **extra)
    env.update(PREP_DOCS_DIR=str(index.parent / "documents"))
    env["GRADIO_ANALYTICS_ENABLED"] = "False"
    return env


def _ask(env: dict[str, str], *args: str, trace: bool = False) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, *(["-X", "importtime"] if trace else []), "-m", "assistant", "ask"]
    return subprocess.run(
        [*cmd, *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


@pytest.fixture(scope="module")
def index(seeded_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("handoff")
    shutil.copytree(seeded_index.index_dir, base / "index")
    return base / "index", seeded_index.seeds_dir


@pytest.fixture(scope="module")
def expected(index: tuple[Path, Path]) -> dict[str, str]:
    """What `prep ask` prints with no server up."""
    env = _env(*index)
    text, as_json = _ask(env, L5), _ask(env, L5, "--json")
    assert text.returncode == 0 and as_json.returncode == 0, text.stderr + as_json.stderr
    return {"text": text.stdout, "json": as_json.stdout}


@pytest.fixture(scope="module")
def server(index: tuple[Path, Path], expected: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    port = free_port()
    cmd = [*PREP, "serve", "--port", str(port)]
    with running(cmd, f"http://127.0.0.1:{port}/healthz", _env(*index)) as proc:
        yield proc


def _served(result: subprocess.CompletedProcess[str]) -> bool:
    """Whether the answer came from the server: the client never imported the retriever."""
    return "assistant.retrieve.hybrid" not in result.stderr


def test_ask_is_handed_to_the_running_server(
    index: tuple[Path, Path], expected: dict[str, str], server: subprocess.Popen[str]
) -> None:
    env = _env(*index)
    path = index[0] / handoff.FILE
    assert path.stat().st_mode & 0o777 == 0o600
    for args, want in (((L5,), expected["text"]), ((L5, "--json"), expected["json"])):
        got = _ask(env, *args, trace=True)
        assert got.returncode == 0 and got.stdout == want
        assert _served(got), "answered in-process although the server was up"
    many = subprocess.run(
        [*PREP, "ask", "-"], input=f"{L5}\n\n{L5}\n", env=env, capture_output=True, text=True
    )
    assert many.returncode == 0 and many.stdout == expected["json"] * 2


def test_problems_fall_back_silently(
    index: tuple[Path, Path], expected: dict[str, str], server: subprocess.Popen[str]
) -> None:
    env = _env(*index)
    path = index[0] / handoff.FILE
    good = path.read_text("utf-8")
    record = json.loads(good)

    def check(why: str) -> None:
        got = _ask(env, L5, trace=True)
        assert got.returncode == 0 and got.stdout == expected["text"], why
        assert not _served(got), why
        quiet = _ask(env, L5)
        assert quiet.returncode == 0 and quiet.stdout == expected["text"] and not quiet.stderr

    try:
        path.write_text(json.dumps({**record, "token": "f" * 64}), "utf-8")
        check("wrong token")
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], stdout=-1)
        path.write_text(json.dumps({**record, "pid": int(dead.stdout)}), "utf-8")
        check("stale file")
        path.write_text(json.dumps({**record, "port": free_port()}), "utf-8")
        check("nothing listens")
    finally:
        path.write_text(good, "utf-8")
    k3 = _ask({**env, "PREP_K": "3"}, L5, trace=True)
    assert k3.returncode == 0 and not _served(k3)  # other settings: answered in-process


def test_a_server_of_another_index_is_not_used(
    index: tuple[Path, Path], server: subprocess.Popen[str], tmp_path: Path
) -> None:
    """B's folder holds a handoff file pointing at the server of A: B answers from B."""
    from assistant.index.build import build_index

    other = Settings(
        seeds_dir=copy_seeds(tmp_path / "seeds", ["004_878f18a71d669f95.txt"]),
        index_dir=tmp_path / "index",
    )
    build_index(other)
    env = _env(other.index_dir, other.seeds_dir)
    alone = _ask(env, L5)
    record = json.loads((index[0] / handoff.FILE).read_text("utf-8"))
    for fake in (record, {**record, "index_dir": str(other.index_dir)}):
        if fake is not record:
            fake["settings"] = handoff.settings_key(other)
        target = other.index_dir / handoff.FILE
        target.write_text(json.dumps(fake), "utf-8")
        target.chmod(0o600)
        got = _ask(env, L5, trace=True)
        assert got.returncode == 0 and got.stdout == alone.stdout and not _served(got)


def test_route_refuses_strangers(index: tuple[Path, Path], server: subprocess.Popen[str]) -> None:
    record = json.loads((index[0] / handoff.FILE).read_text("utf-8"))
    url = f"http://127.0.0.1:{record['port']}{handoff.ROUTE}"
    body = json.dumps({"question": L5}).encode()
    plain = {"Content-Type": "application/json"}
    assert httpx.post(url, content=body, headers=plain).status_code == 403
    nonce = "a" * 32
    signed = {**plain, "X-Prep-Nonce": nonce, "X-Prep-Auth": "0" * 64}
    assert httpx.post(url, content=body, headers=signed).status_code == 403
    evil = {**plain, "Origin": "http://evil.example", "Host": "evil.example"}
    assert httpx.post(url, content=body, headers=evil).status_code == 403
    api = httpx.get(f"http://127.0.0.1:{record['port']}/gradio_api/info").text
    assert "ask-local" not in api


def test_killed_server_leaves_a_file_that_is_ignored(
    index: tuple[Path, Path], expected: dict[str, str], server: subprocess.Popen[str]
) -> None:
    server.send_signal(signal.SIGKILL)
    server.wait(20)
    assert (index[0] / handoff.FILE).exists()
    got = _ask(_env(*index), L5)
    assert got.returncode == 0 and got.stdout == expected["text"] and not got.stderr


def test_stopped_server_removes_its_file(index: tuple[Path, Path]) -> None:
    port = free_port()
    cmd = [*PREP, "serve", "--port", str(port)]
    with running(cmd, f"http://127.0.0.1:{port}/healthz", _env(*index)) as proc:
        assert json.loads((index[0] / handoff.FILE).read_text("utf-8"))["pid"] == proc.pid
    assert not (index[0] / handoff.FILE).exists()
