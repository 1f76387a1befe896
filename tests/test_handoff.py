"""The warm helper's protocol without the model: the handoff file, the client and the route."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.app import handoff
from assistant.app.handoff import Handoff, ask_server, mac, publish, read_handoff, withdraw
from assistant.errors import BadQuestion
from assistant.settings import Settings
from tests.procs import free_port


def _settings(tmp_path: Path, **extra: Any) -> Settings:
    index = tmp_path / "index"
    index.mkdir(exist_ok=True)
    (index / "manifest.json").write_text(json.dumps({"collection": "chunks-A"}), "utf-8")
    return Settings(home=tmp_path, index_dir=index, **extra)


def test_publish_writes_a_private_file_and_withdraw_removes_only_its_own(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    record = publish(s, "127.0.0.1", 7860)
    path = handoff.handoff_path(s)
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_handoff(path) == record and len(record.token) == 64
    other = publish(s, "127.0.0.1", 7861)  # a second server took over the file
    withdraw(s, record)
    assert read_handoff(path) == other
    withdraw(s, other)
    assert not path.exists()


def test_reader_refuses_unsafe_or_malformed_files(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    record = publish(s, "127.0.0.1", 7860)
    path = handoff.handoff_path(s)
    assert read_handoff(tmp_path / "missing.json") is None
    os.chmod(path, 0o644)  # readable by others: the token may have leaked
    assert read_handoff(path) is None
    os.chmod(path, 0o600)
    link = tmp_path / "link.json"
    link.symlink_to(path)
    assert read_handoff(link) is None
    for bad in ("{", "[]", json.dumps({"pid": 1}), json.dumps({**record.__dict__, "x": 1})):
        path.write_text(bad, "utf-8")
        assert read_handoff(path) is None, bad
    bad_fields = (("host", "10.0.0.5"), ("port", 0), ("token", "short"), ("pid", "1"), ("pid", 0))
    for field, value in bad_fields:
        path.write_text(json.dumps({**record.__dict__, field: value}), "utf-8")
        assert read_handoff(path) is None, field


def test_settings_key_follows_answer_settings_only(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    key = handoff.settings_key(s)
    assert handoff.settings_key(s.with_overrides(page_concurrency=9)) == key
    assert handoff.settings_key(s.with_overrides(handoff_answer_timeout=9)) == key
    assert handoff.settings_key(s.with_overrides(k=3)) != key
    assert handoff.settings_key(s.with_overrides(min_answer_score=0.5)) != key
    assert handoff.settings_key(s.with_overrides(index_dir=tmp_path / "other")) != key


def test_no_file_dead_pid_or_llm_means_no_handoff(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    assert ask_server(s, "q") is None
    record = publish(s, "127.0.0.1", free_port())
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], stdout=-1)
    path = handoff.handoff_path(s)
    path.write_text(json.dumps({**record.__dict__, "pid": int(dead.stdout)}), "utf-8")
    assert ask_server(s, "q") is None
    publish(s, "127.0.0.1", free_port())  # alive (this process) but nothing listens
    started = time.monotonic()
    assert ask_server(s, "q") is None
    assert time.monotonic() - started < 1
    assert ask_server(s.with_overrides(llm="ollama"), "q") is None


@dataclass
class _Answer:
    question: str

    def to_json(self) -> dict[str, Any]:
        return {"question": self.question, "answer": "Über 42 [1]"}

    def to_text(self) -> str:
        return f"answer to {self.question}"


class _Assistant:
    """Answers instantly and counts; 'bad' is a BadQuestion, as an empty question is."""

    def __init__(self, settings: Settings) -> None:
        from types import SimpleNamespace

        self.settings = settings
        self.reader = SimpleNamespace(manifest=SimpleNamespace(collection="chunks-A"))
        self.asked: list[tuple[str, int | None, str | None]] = []

    def ask(self, question: str, k: int | None = None, company: str | None = None) -> _Answer:
        if question == "bad":
            raise BadQuestion("bad question")
        self.asked.append((question, k, company))
        return _Answer(question)


@dataclass
class _Server:
    settings: Settings
    record: Handoff
    assistant: _Assistant
    url: str


@pytest.fixture
def server(tmp_path: Path) -> Iterator[_Server]:
    """The route behind the page's guard on a real 127.0.0.1 port, with a stand-in assistant."""
    import uvicorn
    from fastapi import FastAPI

    from assistant.app.web.guard import Guard, GuardConfig, allowed_hosts
    from assistant.app.web.handoff_route import add_handoff_route

    s = _settings(tmp_path)
    port = free_port()
    record = publish(s, "127.0.0.1", port)
    assistant = _Assistant(s)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    add_handoff_route(app, assistant, record)  # type: ignore[arg-type]
    guarded = Guard(app, GuardConfig(hosts=allowed_hosts("127.0.0.1")))
    srv = uvicorn.Server(uvicorn.Config(guarded, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.02)
    try:
        yield _Server(s, record, assistant, f"http://127.0.0.1:{port}")
    finally:
        srv.should_exit = True
        thread.join(10)


def test_a_running_server_answers(server: _Server) -> None:
    got = ask_server(server.settings, "hello", k=3, company="acme")
    assert got == {
        "text": "answer to hello",
        "json": json.dumps(_Answer("hello").to_json(), ensure_ascii=False),
    }
    assert server.assistant.asked == [("hello", 3, "acme")]


def test_client_falls_back_on_anything_wrong(server: _Server) -> None:
    s, path = server.settings, handoff.handoff_path(server.settings)
    assert ask_server(s, "bad") is None  # a PrepError: the CLI shows it in-process
    assert ask_server(s.with_overrides(k=2), "q") is None  # other settings
    (s.index_dir / "manifest.json").write_text(json.dumps({"collection": "B"}), "utf-8")
    assert ask_server(s, "q") is None  # the client sees another generation than the server
    (s.index_dir / "manifest.json").write_text(json.dumps({"collection": "chunks-A"}), "utf-8")
    wrong = replace(server.record, token="0" * 64)
    path.write_text(json.dumps(wrong.__dict__), "utf-8")
    assert ask_server(s, "q") is None  # the server refuses a request made with another token
    assert server.assistant.asked == []


def _post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{url}{handoff.ROUTE}", content=body, headers=headers, timeout=5)


def test_route_refuses_requests_without_the_token_or_from_elsewhere(server: _Server) -> None:
    body = json.dumps({"question": "q", "generation": "chunks-A"}).encode()
    nonce = "n" * 32
    good = {
        "Content-Type": "application/json",
        "X-Prep-Nonce": nonce,
        "X-Prep-Auth": mac(server.record.token, "ask", nonce, body),
    }
    url = server.url
    assert _post(url, body, {"Content-Type": "application/json"}).status_code == 403
    bad_mac = {**good, "X-Prep-Auth": mac("x" * 64, "ask", nonce, body)}
    assert _post(url, body, bad_mac).status_code == 403
    assert _post(url, body, {**good, "Origin": "http://evil.example"}).status_code == 403
    assert _post(url, body, {**good, "Origin": url}).status_code == 403  # browsers: never
    assert _post(url, body, {**good, "Host": "evil.example"}).status_code == 403
    assert _post(url, body, {**good, "Host": "localhost"}).status_code == 403
    ok = _post(url, body, good)
    assert ok.status_code == 200
    assert ok.headers["x-prep-proof"] == mac(server.record.token, "answer", nonce, ok.content)
    assert _post(url, body, good).status_code == 403  # a replayed request
    assert httpx.get(f"{url}{handoff.ROUTE}", timeout=5).status_code in (403, 405)
    assert server.assistant.asked == [("q", None, None)]
