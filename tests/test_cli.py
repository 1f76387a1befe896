"""The `prep` command as a user runs it: exit codes, one-line errors, JSON output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GOLDEN, copy_seeds

from assistant.settings import Settings

L5 = "What is the total comp for an L5 MLE at Netflix?"
_PREP = Path(sys.executable).with_name("prep")
PREP = [str(_PREP)] if _PREP.exists() else [sys.executable, "-m", "assistant"]


def prep(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None, timeout: int = 180
) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    full.pop("PREP_DEBUG", None)
    full.update(env or {})
    return subprocess.run(
        [*PREP, *args],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=full,
        timeout=timeout,
        check=False,
    )


def assert_user_error(result: subprocess.CompletedProcess[str], *phrases: str) -> str:
    """Non-zero exit, exactly one 'error:' line on stderr, no traceback."""
    assert result.returncode != 0, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for phrase in phrases:
        assert phrase in lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def cli_env(seeded_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """PREP_* variables for a copy of the session's seeds and index."""
    base = tmp_path_factory.mktemp("cli")
    shutil.copytree(seeded_index.seeds_dir, base / "seeds")
    shutil.copytree(seeded_index.index_dir, base / "index")
    return {"PREP_SEEDS_DIR": str(base / "seeds"), "PREP_INDEX_DIR": str(base / "index")}


def test_help() -> None:
    result = prep("--help")
    assert result.returncode == 0, result.stderr
    for command in ("index", "ask", "chat", "eval", "quiz", "progress", "compare", "add", "remove"):
        assert command in result.stdout
    ask = prep("ask", "--help")
    assert ask.returncode == 0 and "--company" in ask.stdout and "--json" in ask.stdout


def test_empty_question() -> None:
    assert_user_error(prep("ask", ""), "empty")


def test_very_long_question() -> None:
    assert_user_error(prep("ask", "why " * 25_000), "characters long", "limit")


def test_invalid_setting_is_named() -> None:
    assert_user_error(prep("ask", L5, env={"PREP_K": "0"}), "PREP_K")


def test_missing_seeds_folder(tmp_path: Path) -> None:
    result = prep("index", "--seeds", str(tmp_path / "nope"), "--index", str(tmp_path / "i"))
    assert_user_error(result, "does not exist", "--seeds")


@pytest.mark.model
def test_ask_json(cli_env: dict[str, str]) -> None:
    result = prep("ask", L5, "--json", env=cli_env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["refused"] is False
    assert "$520k–$780k" in data["answer"]
    files = [c["file"] for c in data["citations"]]
    assert "001_1a1fcd35119ebbf9.txt" in files
    for cit in data["citations"]:
        assert {"file", "section", "start", "end", "score"} <= set(cit)
        assert cit["start"] < cit["end"]


@pytest.mark.model
def test_ask_unknown_company(cli_env: dict[str, str]) -> None:
    result = prep("ask", "What is the bonus?", "--company", "nosuch", env=cli_env)
    assert_user_error(result, "nosuch", "netflix", "spotify")


@pytest.mark.model
def test_ask_batch_from_stdin(cli_env: dict[str, str]) -> None:
    stdin = f"{L5}\n\nWhat is the bonus for ML engineers at Spotify?\n\x00\x01\n"
    result = prep("ask", "-", "--json", env=cli_env, stdin=stdin)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3  # the blank line is skipped
    assert "$520k–$780k" in rows[0]["answer"]
    assert rows[1]["question"].startswith("What is the bonus") and "answer" in rows[1]
    assert rows[2]["refused"] is True and "no readable characters" in rows[2]["error"]


@pytest.mark.model
def test_index_twice(tmp_path: Path) -> None:
    env = {
        "PREP_SEEDS_DIR": str(copy_seeds(tmp_path / "seeds", ["003_f548cca58db76166.txt"])),
        "PREP_INDEX_DIR": str(tmp_path / "index"),
    }
    first = prep("index", env=env)
    assert first.returncode == 0, first.stderr
    assert "Indexed 1 files" in first.stdout and "new index" in first.stdout
    second = prep("index", env=env)
    assert second.returncode == 0, second.stderr
    assert "nothing re-embedded" in second.stdout


@pytest.mark.model
def test_eval_json_with_baseline(cli_env: dict[str, str], tmp_path: Path) -> None:
    # Three golden cases keep this a CLI test; the full set is scored in test_eval_thresholds.
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    answerable = [ln for ln in lines if '"answerable": true' in ln][:2]
    unanswerable = [ln for ln in lines if '"answerable": false' in ln][:1]
    golden = tmp_path / "small.jsonl"
    golden.write_text("\n".join(answerable + unanswerable) + "\n", encoding="utf-8")
    result = prep("eval", str(golden), "--json", "--baseline", env=cli_env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"assistant", "baseline", "sets"}
    assert set(data["sets"]) <= {"all", "dev", "test", "typos"}  # no candidate file beside it
    assert {"all", "typos"} <= set(data["sets"])
    assert data["sets"]["all"] == data["assistant"]
    for metrics in (data["assistant"], data["baseline"], data["sets"]["typos"]):
        assert metrics["answerable"] == 2 and metrics["unanswerable"] == 1
        for key in ("hit_at_1", "answer_recall", "citation_precision", "refusal_accuracy"):
            assert 0.0 <= metrics[key] <= 1.0


@pytest.mark.model
def test_eval_bad_golden_file(cli_env: dict[str, str], tmp_path: Path) -> None:
    golden = tmp_path / "bad.jsonl"
    golden.write_text('{"id": "x"}\n', encoding="utf-8")
    assert_user_error(prep("eval", str(golden), env=cli_env), f"{golden}:1:")


def test_quiz_help_states_the_settings_default() -> None:
    """`prep quiz --n`'s help writes the default out (no settings import for --help); it matches."""
    from assistant.app.cli.study import _N_HELP
    from assistant.settings import knob_default

    assert f"PREP_QUIZ_QUESTIONS, {knob_default('quiz_questions')})" in _N_HELP


def test_help_does_not_import_the_settings_or_the_stages() -> None:
    """`prep --help` stays instant: pydantic-settings, chromadb and langchain are not imported."""
    code = (
        "import sys; from assistant.app.cli.root import main; sys.argv=['prep','--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pydantic_settings', 'chromadb', 'langchain_core', 'yaml')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout
