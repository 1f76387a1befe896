"""Issue #14, "Must show": the seeds with their companies renamed score and compare as before."""

# The seeds' companies (as ingest reads them: front matter `company:`, else the document's own
# name for itself) are replaced by invented names in every case form, inside URLs and compound
# words; the golden files are renamed by the same function. Both corpora are indexed (MiniLM +
# Chroma), scored by `prep eval --json` and compared through the facade: the renamed run must be
# the original run with the names changed.

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.app.cli.root import app
from assistant.app.service import Assistant
from assistant.ingest.documents import load_folder
from assistant.settings import Settings
from assistant.study.compare import Table
from tests.conftest import GOLDEN, SEEDS

TOLERANCE = 0.02
# Invented, given to the seeds' companies in sorted order so that any ordering by name stays
# the same; neither contains a seed company nor another replacement.
INVENTED = ("Quorvane", "Tessaloom", "Brindlecap", "Ostravel")
GOLDEN_FILES = ("golden.jsonl", "followups.jsonl", "compare.jsonl")


def rename(text: str, old: str, new: str) -> str:
    """Every `old` (any case, also inside words and URLs) as `new` in the same case form."""

    def swap(m: re.Match[str]) -> str:
        found = m.group(0)
        if found.isupper():
            return new.upper()
        if found.islower():
            return new.lower()
        return new[:1].upper() + new[1:]

    return re.sub(re.escape(old), swap, text, flags=re.IGNORECASE)


def rename_all(value: Any, names: dict[str, str]) -> Any:
    """Every string in a JSON value (or a string itself) renamed; keys are left alone."""
    if isinstance(value, str):
        for old, new in names.items():
            value = rename(value, old, new)
        return value
    if isinstance(value, list | tuple):
        return type(value)(rename_all(v, names) for v in value)
    if isinstance(value, dict):
        return {k: rename_all(v, names) for k, v in value.items()}
    return value


def test_rename_keeps_every_case_form() -> None:
    text = (
        "Netflix pays; NETFLIX SAYS; netflix. Netflix's bar, Netflix’s loop, a Netflix-level "
        "offer, NetflixTechBlog, netflixtechblog.com, jobs.netflix.com/culture, "
        "levels.fyi/companies/netflix, Spotify and Netflix."
    )
    assert rename(text, "netflix", "Quorvane") == (
        "Quorvane pays; QUORVANE SAYS; quorvane. Quorvane's bar, Quorvane’s loop, a "
        "Quorvane-level offer, QuorvaneTechBlog, quorvanetechblog.com, "
        "jobs.quorvane.com/culture, levels.fyi/companies/quorvane, Spotify and Quorvane."
    )
    assert rename("Netflix", "NETFLIX", "tessaloom") == "Tessaloom"  # case of `old` is moot
    assert rename("no match here", "netflix", "Quorvane") == "no match here"


def test_rename_all_renames_values_not_keys() -> None:
    row = {"company": "netflix", "facts": [["Netflix", "x"], "SPOTIFY"], "low": 5, "ok": True}
    names = {"netflix": "Quorvane", "spotify": "Tessaloom"}
    assert rename_all(row, names) == {
        "company": "quorvane",
        "facts": [["Quorvane", "x"], "TESSALOOM"],
        "low": 5,
        "ok": True,
    }


# ---- the two corpora ------------------------------------------------------------------------


def _seed_companies() -> list[str]:
    """The seeds' companies as ingest reads them (front matter, else the document's own name)."""
    settings = Settings()
    docs, skipped = load_folder(SEEDS, settings.extensions)
    assert docs and not skipped
    front = {str(d.meta["company"]) for d in docs if re.search(r"(?m)^company:", d.text)}
    found = {str(d.meta.get("company") or "") for d in docs} - {""}
    assert front and front <= found, (front, found)
    return sorted(found)


@pytest.fixture(scope="module")
def names() -> dict[str, str]:
    """Seed company -> invented name."""
    companies = _seed_companies()
    assert len(companies) <= len(INVENTED)
    mapping = dict(zip(companies, INVENTED, strict=False))
    for new in mapping.values():
        assert not any(old in new.lower() for old in mapping), mapping
    return mapping


@pytest.fixture(scope="module")
def timings() -> Iterator[dict[str, float]]:
    """Seconds spent per stage of the round trip (printed at the end of the module)."""
    spent: dict[str, float] = {}
    yield spent
    print("\nround trip seconds:", {k: round(v, 1) for k, v in spent.items()})


@pytest.fixture(scope="module")
def renamed(
    names: dict[str, str], tmp_path_factory: pytest.TempPathFactory, timings: dict[str, float]
) -> Iterator[tuple[Settings, Path]]:
    """ONE real index of the renamed seeds, and the renamed golden files beside each other."""
    from assistant.index.build import build_index

    started = time.perf_counter()
    base = tmp_path_factory.mktemp("renamed")
    (base / "seeds").mkdir()
    for path in sorted(SEEDS.iterdir()):
        if path.is_file():
            text = rename_all(path.read_text(encoding="utf-8"), names)
            (base / "seeds" / rename_all(path.name, names)).write_text(text, encoding="utf-8")
    golden_dir = base / "golden"
    golden_dir.mkdir()
    for name in GOLDEN_FILES:
        lines = GOLDEN.with_name(name).read_text(encoding="utf-8").splitlines()
        out = [json.dumps(rename_all(json.loads(ln), names), ensure_ascii=False) for ln in lines]
        (golden_dir / name).write_text("\n".join(out) + "\n", encoding="utf-8")
    settings = Settings(
        seeds_dir=base / "seeds",
        docs_dir=base / "documents",
        study_db=base / "study.sqlite3",
        index_dir=base / "index",
    )
    report = build_index(settings)
    assert report.files == len(list(SEEDS.iterdir())) and not report.skipped, report
    timings["index renamed seeds"] = time.perf_counter() - started
    yield settings, golden_dir / "golden.jsonl"
    shutil.rmtree(base, ignore_errors=True)


@pytest.mark.model
def test_no_seed_company_is_left(names: dict[str, str], renamed: tuple[Settings, Path]) -> None:
    settings, golden = renamed
    files = [*settings.seeds_dir.iterdir(), *golden.parent.iterdir()]
    left = {
        (f.name, old)
        for f in files
        for old in names
        if old in f.name.lower() or old in f.read_text(encoding="utf-8").lower()
    }
    assert left == set()
    docs, _ = load_folder(settings.seeds_dir, settings.extensions)
    assert {str(d.meta.get("company") or "") for d in docs} == {n.lower() for n in names.values()}


# ---- the golden metrics, original and renamed -----------------------------------------------


def _prep_eval(settings: Settings, golden: Path) -> dict[str, Any]:
    """`prep eval GOLDEN --json` on this index, in process (follow-ups and compare beside it)."""
    args = ["eval", str(golden), "--json", "--llm", "extractive"]
    args += ["--seeds", str(settings.seeds_dir), "--index", str(settings.index_dir)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, (result.output, result.exception)
    out: dict[str, Any] = json.loads(result.stdout)
    return out


# What `prep eval --json` reports: metric name -> (part of the output, key).
METRICS = {
    "hit@1": ("assistant", "hit_at_1"),
    "MRR": ("assistant", "mrr"),
    "context recall": ("assistant", "context_recall"),
    "answer recall": ("assistant", "answer_recall"),
    "citation precision": ("assistant", "citation_precision"),
    "refusal accuracy": ("assistant", "refusal_accuracy"),
    "false refusals": ("assistant", "false_refusals"),
    "follow-up rewrites": ("followups", "rewrite_accuracy"),
    "follow-up answer recall": ("followups", "answer_recall"),
    "compare recall": ("compare", "recall"),
    "compare precision": ("compare", "precision"),
}
# hit@1 was 0.909 original vs 0.948 renamed: the dense term of the rerank favoured the hub
# that repeats a well-known name ('Netflix' 49 times), while an invented name is sub-word pieces
# with no such pull. The rerank now reads every company name as one neutral word
# (retrieve/hybrid.py, PREP_RERANK_COMPANY_WORD), which brought the original run to 0.935.


def headline(out: dict[str, Any]) -> dict[str, float]:
    """The numbers `prep eval` prints, by name."""
    return {name: float(out[part][key]) for name, (part, key) in METRICS.items()}


def far_apart(
    a: dict[str, float], b: dict[str, float], tol: float
) -> dict[str, tuple[float | None, float | None]]:
    """The metrics that differ by more than `tol` (or are missing on one side)."""
    return {
        k: (a.get(k), b.get(k))
        for k in sorted(a.keys() | b.keys())
        if k not in a or k not in b or abs(a[k] - b[k]) > tol + 1e-9
    }


def test_far_apart_detects_a_change() -> None:
    a = {"hit@1": 0.95, "MRR": 0.97}
    assert far_apart(a, {"hit@1": 0.93, "MRR": 0.97}, 0.02) == {}
    assert far_apart(a, {"hit@1": 0.92, "MRR": 0.97}, 0.02) == {"hit@1": (0.95, 0.92)}
    assert far_apart(a, {"hit@1": 0.95}, 0.02) == {"MRR": (0.97, None)}


@pytest.fixture(scope="module")
def runs(
    seeded_index: Settings,
    renamed: tuple[Settings, Path],
    names: dict[str, str],
    timings: dict[str, float],
) -> dict[str, dict[str, Any]]:
    """`prep eval --json` of the original seeds and golden files, and of the renamed ones."""
    started = time.perf_counter()
    original = _prep_eval(seeded_index, GOLDEN)
    timings["eval original"] = time.perf_counter() - started
    started = time.perf_counter()
    after = _prep_eval(*renamed)
    timings["eval renamed"] = time.perf_counter() - started
    a, b = headline(original), headline(after)
    print(f"\nrenamed {names}\n{'metric':<26}{'original':>10}{'renamed':>10}")
    for key in a:
        print(f"{key:<26}{a[key]:>10.4f}{b[key]:>10.4f}")
    return {"original": original, "renamed": after}


@pytest.mark.model
def test_renamed_golden_set_has_the_same_cases(runs: dict[str, dict[str, Any]]) -> None:
    original, after = runs["original"], runs["renamed"]
    for key in ("answerable", "unanswerable"):
        assert original["assistant"][key] == after["assistant"][key]
    assert original["followups"]["cases"] == after["followups"]["cases"]
    assert original["compare"]["golden"] == after["compare"]["golden"]
    assert original["compare"]["cells"] == after["compare"]["cells"]


@pytest.mark.model
@pytest.mark.parametrize(
    "metric",
    list(METRICS),
)
def test_renamed_metric_within_tolerance(runs: dict[str, dict[str, Any]], metric: str) -> None:
    before, after = headline(runs["original"]), headline(runs["renamed"])
    apart = far_apart({metric: before[metric]}, {metric: after[metric]}, TOLERANCE)
    assert apart == {}, {"original": before, "renamed": after}


@pytest.mark.model
@pytest.mark.parametrize("metric", list(METRICS))
def test_renaming_loses_nothing(runs: dict[str, dict[str, Any]], metric: str) -> None:
    """Code keyed on the seeds' names would score the renamed seeds worse: none is worse."""
    before, after = headline(runs["original"]), headline(runs["renamed"])
    sign = -1 if metric == "false refusals" else 1  # fewer false refusals is better
    worse_by = sign * (before[metric] - after[metric])
    assert worse_by <= TOLERANCE, {"original": before, "renamed": after}


# ---- the compare table, original and renamed -------------------------------------------------


def table_view(table: Table, folder: Path) -> dict[str, Any]:
    """Everything a reader sees of a table, with each cited span read from its file."""
    texts: dict[str, str] = {}

    def span(source: str, start: int, end: int) -> str:
        if source not in texts:
            texts[source] = (folder / source).read_text(encoding="utf-8")
        return texts[source][start:end]

    rows = [
        {
            "company": r.company,
            "group": r.group,
            "label": r.label,
            "currency": r.currency,
            "source": r.source,
            "cited": span(r.source, r.start, r.end),
            "cells": [
                {
                    "column": c.column,
                    "value": c.value,
                    "low": c.low,
                    "high": c.high,
                    "currency": c.currency,
                    "period": c.period,
                    "percent": c.percent,
                    "source": c.source,
                    "cited": span(c.source, c.start, c.end),
                    "passage": c.passage,
                }
                for c in r.cells.values()
            ],
        }
        for r in table.rows
    ]
    disagreements = [
        {
            "company": d.company,
            "group": d.group,
            "columns": list(d.columns),
            "rows": [table.rows.index(r) for r in d.rows],
        }
        for d in table.disagreements
    ]
    return {
        "companies": list(table.companies),
        "rows": rows,
        "disagreements": disagreements,
        "missing": list(table.missing),
    }


def first_difference(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Where two table views first differ ('' if they are equal)."""
    if a == b:
        return ""
    for key in ("companies", "missing", "disagreements"):
        if a[key] != b[key]:
            return f"{key}: {a[key]} != {b[key]}"
    if len(a["rows"]) != len(b["rows"]):
        labels = [[(r["company"], r["label"]) for r in t["rows"]] for t in (a, b)]
        return f"rows: {labels[0]} != {labels[1]}"
    for n, (x, y) in enumerate(zip(a["rows"], b["rows"], strict=True)):
        if x != y:
            return f"row {n}: {x} != {y}"
    return "differ"


@pytest.fixture(scope="module")
def tables(
    seeded_index: Settings,
    renamed: tuple[Settings, Path],
    names: dict[str, str],
    timings: dict[str, float],
) -> dict[str, Any]:
    """The compare table of the seed companies, and of their new names, as viewed."""
    started = time.perf_counter()
    settings = renamed[0]
    old = Assistant(seeded_index).compare(list(names))
    new = Assistant(settings).compare([names[c] for c in names])
    timings["compare both"] = time.perf_counter() - started
    assert old.rows, "the seeds give no compare rows: nothing to compare"
    return {
        "original": table_view(old, seeded_index.seeds_dir),
        "renamed": table_view(new, settings.seeds_dir),
        "original table": old,
    }


@pytest.mark.model
def test_first_difference_detects_a_changed_cell(tables: dict[str, Any]) -> None:
    """The comparison below can fail: one cell's value changed is reported."""
    table: Table = tables["original table"]
    n, row = next((n, r) for n, r in enumerate(table.rows) if not table.disagreement(r))
    column, cell = next(iter(row.cells.items()))
    changed_row = dataclasses.replace(
        row, cells={**row.cells, column: dataclasses.replace(cell, value=cell.value + "0")}
    )
    rows = [changed_row if r is row else r for r in table.rows]
    changed = Table(table.companies, rows, table.disagreements)
    found = first_difference(tables["original"], table_view(changed, SEEDS))
    assert found.startswith(f"row {n}:") and f"'{cell.value}0'" in found


@pytest.mark.model
def test_compare_of_new_names_is_the_same_table_renamed(
    tables: dict[str, Any], names: dict[str, str]
) -> None:
    expected = rename_all(tables["original"], names)
    assert first_difference(expected, tables["renamed"]) == ""
