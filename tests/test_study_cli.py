"""Study mode through the real CLI over the real index: a quiz round on stdin, compare, progress."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from study_helpers import lenient_variant
from test_cli import assert_user_error, prep

from assistant.app.service import Assistant
from assistant.domain.figures import find_figures
from assistant.settings import Settings
from assistant.study.studylog import StudyLog
from tests.conftest import ROOT

GOLDEN_COMPARE = ROOT / "tests" / "golden" / "compare.jsonl"


@pytest.fixture
def study_env(seeded_index: Settings, tmp_path: Path) -> tuple[dict[str, str], Settings]:
    """PREP_* variables for a copy of the session's index and an empty study log."""
    shutil.copytree(seeded_index.index_dir, tmp_path / "index")
    settings = seeded_index.with_overrides(
        index_dir=tmp_path / "index",
        study_db=tmp_path / "study" / "quiz.sqlite3",
        docs_dir=tmp_path / "documents",
    )
    env = {
        "PREP_SEEDS_DIR": str(settings.seeds_dir),
        "PREP_INDEX_DIR": str(settings.index_dir),
        "PREP_STUDY_DB": str(settings.study_db),
        "PREP_DOCS_DIR": str(settings.docs_dir),
    }
    return env, settings


@pytest.mark.model
def test_quiz_round_on_stdin(study_env: tuple[dict[str, str], Settings]) -> None:
    """Right (typed another way), wrong and skipped answers; the misses come first next time."""
    env, settings = study_env
    expected = Assistant(settings).quiz(n=3, topic="comp", seed=7)  # same history: same draw
    assert len(expected) == 3
    typed = [lenient_variant(expected[0].answer), "definitely not this", ""]
    assert typed[0].strip() != expected[0].answer  # really another spelling
    run = prep(
        "quiz", "--topic", "comp", "--n", "3", "--seed", "7", env=env, stdin="\n".join(typed) + "\n"
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    for i, fact in enumerate(expected, 1):
        assert f"Q{i}/3 [comp · {fact.source}]" in out
        assert fact.prompt in out and fact.citation in out and fact.passage.text in out
    assert out.count("✓ correct") == 1 and out.count("✗ not quite") == 1
    assert out.count("– skipped") == 1
    assert "Score: 1/3." in out and "the next quiz starts with them" in out

    stats = StudyLog(settings.study_db).stats()
    assert (stats.attempts, stats.correct) == (3, 1)
    assert {r.fact_id for r in stats.to_review} == {expected[1].id, expected[2].id}

    again = prep("quiz", "--topic", "comp", "--n", "3", "--seed", "99", env=env, stdin="\n\n\n")
    assert again.returncode == 0, again.stderr
    shown = [again.stdout.index(f.prompt) for f in expected[1:]]
    first_new = again.stdout.index("Q3/3")
    assert all(at < first_new for at in shown), "missed facts were not asked first"

    progress = prep("progress", env=env)
    assert "1/6 answers right" in progress.stdout and expected[1].answer in progress.stdout


@pytest.mark.model
def test_quiz_bad_input_and_end_of_input(study_env: tuple[dict[str, str], Settings]) -> None:
    env, _ = study_env
    assert_user_error(prep("quiz", "--topic", "cooking", env=env), "unknown quiz topic 'cooking'")
    stopped = prep("quiz", "--n", "2", env=env, stdin="")
    assert stopped.returncode == 0 and "(stopped)" in stopped.stdout
    assert "Score: 0/0." in stopped.stdout


@pytest.mark.model
def test_compare_cells_match_figures_in_cited_files(
    study_env: tuple[dict[str, str], Settings],
) -> None:
    """`prep compare --json` on the real index: each cell is a figure of its cited passage."""
    env, settings = study_env
    run = prep("compare", "netflix", "spotify", "--json", env=env)
    assert run.returncode == 0, run.stderr
    table = json.loads(run.stdout)
    cells = [(r, c) for r in table["rows"] for c in r["cells"].values()]
    assert len(cells) >= 30
    for row, cell in cells:
        text = (settings.seeds_dir / cell["source"]).read_text(encoding="utf-8")
        raw = text[cell["start"] : cell["end"]]
        assert cell["value"] in raw, (cell, raw)
        value = find_figures(cell["value"])[0]
        in_raw = [f for f in find_figures(raw) if f.matches(value, 0.001)]
        glued = "," in cell["value"] and cell["value"] in raw  # 002's '160,000120,000280,000'
        assert in_raw or glued, (cell, raw)
        assert row["currency"] in ("USD", "GBP", "SEK")
    golden = [json.loads(line) for line in GOLDEN_COMPARE.read_text().splitlines() if line.strip()]
    found = {
        (r["company"], r["group"], col, c["low"], c["high"], c["source"])
        for r in table["rows"]
        for col, c in r["cells"].items()
    }
    missing = [
        g
        for g in golden
        if (g["company"], g["group"], g["column"], g["low"], g["high"], g["source"]) not in found
    ]
    assert not missing, missing
    senior = [r for r in table["rows"] if r["company"] == "netflix" and r["group"] == "senior"]
    assert {r["source"][:3] for r in senior} == {"001", "002"}
    assert all(r["disagrees"] for r in senior)

    text = prep("compare", "netflix", "spotify", env=env).stdout
    assert "£207K–£284K [" in text and "sources disagree" in text
    assert_user_error(prep("compare", "acme", env=env), "no documents for company 'acme'")
