"""Issue #14: a document's company comes from the document, on small invented documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.answer.followup import rewrite
from assistant.domain.companies import OVERRIDES, company_of, host_name, organisations
from assistant.errors import BadDocument
from assistant.index.build import same
from assistant.ingest.documents import load_folder
from assistant.ingest.library import add_files, load_all, remove_file
from assistant.paths import resource_dir
from assistant.settings import Settings

EXT = (".md", ".txt")


def _company(tmp_path: Path, text: str, name: str = "doc.md") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    docs, skipped = load_folder(tmp_path, EXT)
    assert not skipped
    return str(next(d for d in docs if d.name == name).meta["company"])


def test_front_matter_wins(tmp_path: Path) -> None:
    text = "---\ncompany: Brindle Labs\n---\n# Corvane interview notes\n\nCorvane, Corvane.\n"
    assert _company(tmp_path, text) == "brindle labs"


def test_the_title_names_it_even_if_a_peer_is_mentioned_more(tmp_path: Path) -> None:
    text = (
        "Corvane ML Engineer Interview Notes\n\n"
        "I interviewed at Corvane in March. The loop at Corvane had four rounds.\n"
        "Friends at Google said the Google loop is longer; Google asks more puzzles.\n"
    )
    assert _company(tmp_path, text, "notes.txt") == "corvane"


def test_a_title_saying_where_you_work(tmp_path: Path) -> None:
    text = "# Working at Quillmark: levels and pay\n\nLevel 4 pays well. Ask about equity.\n"
    assert _company(tmp_path, text) == "quillmark"


def test_a_team_in_the_title_loses_to_the_company_the_text_is_about(tmp_path: Path) -> None:
    text = (
        "# ML Engineer - Orbit Platform\n\n## About Brindle\n\n"
        "Brindle makes maps. The Orbit Platform team at Brindle ships routing models.\n"
        "Everyone at Brindle is on call once a quarter.\n"
    )
    assert _company(tmp_path, text) == "brindle"


def test_the_source_host(tmp_path: Path) -> None:
    text = (
        "---\nsource: https://jobs.brindle.io/postings/123\n---\n# Senior ML Engineer\n\n"
        "You will work with Kestrel data and Kestrel pipelines at Brindle.\n"
    )
    assert _company(tmp_path, text) == "brindle"


def test_a_source_host_the_text_never_names_is_not_the_company(tmp_path: Path) -> None:
    text = (
        "---\nsource: https://medium.com/@someone/post\n---\n# Notes on my offer\n\n"
        "The offer from Corvane came fast. I said yes to Corvane after Corvane matched it.\n"
    )
    assert _company(tmp_path, text) == "corvane"


def test_the_name_mentioned_most(tmp_path: Path) -> None:
    text = (
        "# Notes on my loop\n\nOn Monday I met the recruiter in London. "
        "The recruiter from Corvane was kind.\nOn Monday again, the Corvane hiring manager "
        "asked about ranking. In London, Corvane pays in pounds. Monday was long.\n"
    )
    assert _company(tmp_path, text) == "corvane"


@pytest.mark.parametrize(
    "body",
    [
        "It was at Corvane. Corvane was nice.\n",  # twice: below the evidence threshold
        "I met Corvane, Corvane and Corvane staff; and Brindle, Brindle and Brindle too.\n",
        "Bring notes. Bring water. Bring a pen.\n",  # only ever starts a sentence
        "## Process\n\nThe process is long. Process notes: the process has a process.\n"
        "Our Process owner said Process matters.\n",  # also written in lower case
        "In Zurich and in Zurich and in Zurich, on Friday and Friday and Friday.\n",
    ],
)
def test_no_clear_name_gives_no_company(tmp_path: Path, body: str) -> None:
    assert _company(tmp_path, "# my notes\n\n" + body) == ""


def test_company_of_needs_no_file() -> None:
    assert company_of("Acme onsite notes", "Four rounds.") == "acme"
    assert company_of("", "Nothing named here.") == ""


@pytest.mark.parametrize(
    "url, name",
    [
        ("https://jobs.netflix.com/jobs/1", "netflix"),
        ("careers.example.co.uk/x", "example"),
        ("http://www.brindle.io", "brindle"),
        ("not a url", ""),
        ("http://localhost:8000", ""),
    ],
)
def test_host_name(url: str, name: str) -> None:
    assert host_name(url) == name


def test_organisations_are_employers_the_text_names() -> None:
    texts = [
        "A Brindle ML Engineer equals a Kestrel Senior Engineer; I was at Corvane before.",
        "The Keeper Test and Demo Fridays are practices. London pays more.",
    ]
    assert organisations(texts, ["acme"]) == ("acme", "brindle", "corvane", "kestrel")


@pytest.mark.parametrize("level", ["MTS4", "Band 6", "SDE II", "E5", "Level 3"])
def test_a_level_of_any_ladder_marks_an_employer(level: str) -> None:
    """'Hooli MTS4': any ladder of resources/domain/levels.txt, not only L/E/IC ones."""
    ladders = (resource_dir("domain") / "levels.txt").read_text("utf-8").split()
    assert level.split()[0].rstrip("0123456789") in ladders
    assert organisations([f"Before this she was a Hooli {level} for two years."]) == ("hooli",)
    assert organisations(["Before this she was a Hooli for two years."]) == ()


def _settings(tmp_path: Path) -> Settings:
    (tmp_path / "seeds").mkdir()
    return Settings(
        seeds_dir=tmp_path / "seeds",
        docs_dir=tmp_path / "docs",
        index_dir=tmp_path / "index",
        study_db=tmp_path / "s.sqlite3",
    )


def test_prep_add_company_is_recorded_without_touching_the_file(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    src = tmp_path / "offer.md"
    src.write_text("# My offer\n\nThe package came to 180K.\n", encoding="utf-8")
    add_files(settings, [src], company="Quillmark")
    assert (settings.docs_dir / "offer.md").read_bytes() == src.read_bytes()
    recorded = json.loads((settings.docs_dir / OVERRIDES).read_text(encoding="utf-8"))
    assert recorded == {"offer.md": "quillmark"}
    docs, _ = load_all(settings)
    assert [(d.name, d.meta["company"]) for d in docs] == [("my/offer.md", "quillmark")]
    add_files(settings, [src])  # unchanged, no --company: the recorded company stays
    assert load_all(settings)[0][0].meta["company"] == "quillmark"
    remove_file(settings, "my/offer.md")
    assert json.loads((settings.docs_dir / OVERRIDES).read_text(encoding="utf-8")) == {}


def test_prep_add_company_must_be_a_name(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    src = tmp_path / "offer.md"
    src.write_text("# My offer\n\nThe package came to 180K.\n", encoding="utf-8")
    with pytest.raises(BadDocument, match="company name needs 1 to 80"):
        add_files(settings, [src], company="  ")


def test_a_changed_company_re_embeds_the_file(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Acme notes\n\nFour rounds.\n", encoding="utf-8")
    doc = load_folder(tmp_path, EXT)[0][0]
    assert same(doc, {"sha256": doc.sha256, "company": "acme"})
    assert not same(doc, {"sha256": doc.sha256, "company": "other"})


@pytest.mark.parametrize(
    "follow_up, expected",
    [
        ("and at Quillmark?", "What does Quillmark pay an SDE II in Berlin?"),
        ("what about Quillmark?", "What does Quillmark pay an SDE II in Berlin?"),
        ("and at quillmark in Zurich?", "What does Quillmark pay an SDE II in Zurich?"),
        ("and in Amsterdam?", "What does Vantafel pay an SDE II in Amsterdam?"),
        ("and at Stanford?", "What does Vantafel pay an SDE II at Stanford?"),
    ],
)
def test_follow_up_swaps_the_company(follow_up: str, expected: str) -> None:
    previous = ["What does Vantafel pay an SDE II in Berlin?"]
    assert rewrite(follow_up, previous, ("quillmark", "vantafel")) == expected
