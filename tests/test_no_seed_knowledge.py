"""The package's code knows no seed: no seed file name, company or phrase outside data files (#14).

The seeds are the default corpus and the test data, never the design: what the code knows of a
domain lives in resources/domain/, and the examples the code shows come from the index. This test
reads the seeds, derives what would betray them, and greps every module of the package for it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.domain.companies import clean, not_companies, organisations
from assistant.ingest.documents import Document, parse
from assistant.paths import resource_dir

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
PHRASE_WORDS = 4  # a seed phrase: this many consecutive words, two or more of them not stopwords
# Words that alone make no phrase: articles, prepositions, pronouns, auxiliaries (and numbers).
_STOP_TEXT = (
    "a an the and or nor of to in on at by for with from as into onto than then so but if not no "
    "is are was were be been being am do does did has have had can could will would shall should "
    "may might must it its this that these those there here i you he she we they me him her us "
    "them my your his our their what which who whom whose when where why how all any each every "
    "some such other more most very just also only s t"
)
STOPWORDS = frozenset(_STOP_TEXT.split())
# Employers the seeds mention in passing, beyond those the company rules find (checked below).
# Not OpenAI: the package names it as an LLM API it speaks (llm.py), not as an employer.
ALSO_EMPLOYERS = ("anthropic", "bytedance", "deepmind", "disney", "hulu", "linkedin", "youtube")
_WORD = re.compile(r"[a-z0-9]+")
_CAPS = re.compile(r"(?<![\w-])[A-Z][a-zA-Z]+(?:[ \t]+[A-Z][a-zA-Z]+)+(?![\w-])")


@dataclass(frozen=True)
class SeedKnowledge:
    """What the seeds would leave in code: file names, companies and word runs."""

    files: frozenset[str]
    companies: frozenset[str]  # the documents' companies: matched in any case
    employers: frozenset[str]  # other names: matched as the seeds write them, or in capitals
    phrases: frozenset[tuple[str, ...]]
    terms: frozenset[tuple[str, ...]]  # named terms ("Keeper Test"): matched in any case


def words(text: str) -> list[str]:
    """Lower-case words, punctuation and symbols dropped ("Spotify's" -> spotify, s)."""
    return _WORD.findall(text.lower())


def _plain(word: str) -> bool:
    return word in STOPWORDS or word.isdigit()


def phrases(text: str, n: int = PHRASE_WORDS) -> set[tuple[str, ...]]:
    """Every run of n consecutive words with two or more that are not stopwords or numbers
    ('at the top of' is English, not a seed's phrase)."""
    w = words(text)
    runs = (tuple(w[i : i + n]) for i in range(len(w) - n + 1))
    return {run for run in runs if sum(not _plain(x) for x in run) >= 2}


def named_terms(text: str) -> set[tuple[str, ...]]:
    """Runs of capitalised words with a name in them: a word the text capitalises far more often
    than it writes in lower case, not in the company rules' stoplist ('Keeper Test', not 'Base
    Salary')."""
    upper = Counter(w.lower() for w in re.findall(r"(?<![\w-])[A-Z][a-zA-Z]+(?![\w-])", text))
    lower = Counter(re.findall(r"(?<![\w-])[a-z]+(?![\w-])", text))

    def is_name(w: str) -> bool:
        return len(w) > 2 and upper[w] > 2 * lower[w] and w not in not_companies()

    runs = (tuple(m.group().lower().split()) for m in _CAPS.finditer(text))
    return {run for run in runs if any(map(is_name, run))}


def seed_documents() -> list[Document]:
    """The seed documents, parsed as the indexer parses them."""
    docs = []
    for path in sorted(p for p in resource_dir("seeds").iterdir() if p.is_file()):
        doc = parse(path.name, path, path.read_bytes())
        assert isinstance(doc, Document), doc
        docs.append(doc)
    return docs


def seed_knowledge() -> SeedKnowledge:
    """File names and stems, companies and employers named, and every seed phrase."""
    docs = seed_documents()
    files = {d.name.lower() for d in docs} | {Path(d.name).stem.lower() for d in docs}
    files |= {part for d in docs for part in Path(d.name).stem.lower().split("_") if len(part) >= 8}
    given = {clean(d.meta.get(k)) for d in docs for k in ("company", "company_display")} - {""}
    text = "\n".join(d.text for d in docs)
    others = (set(organisations([text], given)) | set(ALSO_EMPLOYERS)) - given
    # A lower-case 'meta' in code is metadata; the seeds write the employer 'Meta'.
    written = {m.group() for n in others for m in _whole(n).finditer(text)}
    found: set[tuple[str, ...]] = set()
    for doc in docs:
        found |= phrases(doc.text)
    employers = frozenset(written | {w.upper() for w in written})
    terms = frozenset(named_terms(text))
    return SeedKnowledge(frozenset(files), frozenset(given), employers, frozenset(found), terms)


def _whole(name: str, flags: int = re.I) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", flags)


def hits(source: str, known: SeedKnowledge) -> list[tuple[int, str]]:
    """(line, what) for each seed file name, company or phrase in a source text."""
    low = source.lower()

    def line(at: int) -> int:
        return low.count("\n", 0, at) + 1

    out = [(line(low.find(f)), f"seed file {f!r}") for f in sorted(known.files) if f in low]
    names = [(n, re.I) for n in known.companies] + [(n, 0) for n in known.employers]
    for name, flags in sorted(names):
        for m in _whole(name, flags).finditer(source):
            out.append((line(m.start()), f"company {name.lower()!r}"))
    found = [(m.group(), m.start()) for m in _WORD.finditer(low)]
    n = PHRASE_WORDS
    lengths = sorted({len(t) for t in known.terms})
    for i, (_, at) in enumerate(found):
        run = tuple(w for w, _ in found[i : i + n])
        if len(run) == n and run in known.phrases:
            out.append((line(at), f"seed phrase {' '.join(run)!r}"))
        for k in lengths:
            term = tuple(w for w, _ in found[i : i + k])
            if term in known.terms:
                out.append((line(at), f"seed term {' '.join(term)!r}"))
    return sorted(out)


@pytest.fixture(scope="module")
def known() -> SeedKnowledge:
    return seed_knowledge()


def test_the_knowledge_is_derived_from_the_seeds(known: SeedKnowledge) -> None:
    """The lists are not empty, and every extra employer is really named by a seed."""
    text = "\n".join(d.text for d in seed_documents()).lower()
    assert len(known.files) >= 10 and len(known.phrases) > 1000 and len(known.terms) > 20
    assert {clean(d.meta["company"]) for d in seed_documents()} <= known.companies
    employers = {e.lower() for e in known.employers}
    assert len(employers - set(ALSO_EMPLOYERS)) >= 3  # the company rules found some too
    missing = [e for e in ALSO_EMPLOYERS if not _whole(e).search(text)]
    assert not missing, f"not named by any seed, drop from ALSO_EMPLOYERS: {missing}"


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "resources" not in p.parts)
_ELSEWHERE: dict[str, str] = {}  # module name -> why it is a known exception (none today)


def test_every_module_is_scanned() -> None:
    """The scan below covers the package: more than a handful of modules, no resources."""
    assert len(SOURCES) > 20 and PACKAGE / "app" / "web" / "page.py" in SOURCES


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=_ELSEWHERE[p.name]))
        if p.name in _ELSEWHERE
        else p
        for p in SOURCES
    ],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_package_code_names_no_seed_knowledge(known: SeedKnowledge, path: Path) -> None:
    """No module of the package (resources excluded) has a seed file name, company or phrase."""
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{n}: {what}"
        for n, what in hits(path.read_text(encoding="utf-8"), known)
    ]
    assert not found, "seed knowledge in package code:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ("x = 1  # as the guide says, top of market base\n", "seed phrase"),
        ('HINT = "Ask about Spotify\'s levels"\n', "company 'spotify'"),
        ("PATH = 'seeds/003_f548cca58db76166.txt'\n", "seed file"),
        ("# like a Meta E5\n", "company 'meta'"),
        ('TERMS = "discover|weekly|discover weekly"\n', "seed term"),
        ("NAMES = {'DEEPMIND': 1}\n", "company 'deepmind'"),
        ("def f():\n    '''one of the\n    highest-impact ML roles in'''\n", "seed phrase"),
    ],
)
def test_checker_finds_seed_knowledge(known: SeedKnowledge, line: str, what: str) -> None:
    """The checker fails on a planted seed phrase, company or file name, across line breaks too."""
    found = hits(line, known)
    assert found and found[0][1].startswith(what), found


@pytest.mark.parametrize(
    "line",
    [
        "for i in range(len(items)):  # each of the items, in order\n",
        'raise PrepError("the document has no text after the front matter")\n',
        "x = an_other(value)  # it is what it is\n",
        "meta = doc.meta  # the front matter\n",
    ],
)
def test_checker_passes_generic_code(known: SeedKnowledge, line: str) -> None:
    """Ordinary code and English are not seed knowledge."""
    assert hits(line, known) == []
