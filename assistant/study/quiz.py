"""Quiz: cloze questions drawn from passages (no LLM), a lenient answer checker, quiz picking."""

from __future__ import annotations

import difflib
import hashlib
import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from assistant.domain import data
from assistant.domain.figures import Figure, find_figures, header_currency, parse_answer
from assistant.ingest.safety import looks_like_injection
from assistant.retrieve.scoring import boilerplate
from assistant.settings import knob_default
from assistant.study.passages import Passage, organisations_of
from assistant.textnorm import match_key, normalize

if TYPE_CHECKING:
    from assistant.study.studylog import State

TOPICS = ("rounds", "culture", "comp", "system-design")
BLANK = "_____"

# Topic keywords, matched as word prefixes in the passage (2 points each) and its section (1).
# The kind of fact weighs most (a money amount is comp, a count of rounds is rounds: 3 points),
# the passage's own words next; the section alone never decides, as sections are broad
# ("Overview", "Pay and Perks"), so a fact with no other evidence gets no topic.


@lru_cache(maxsize=1)
def _topic_res() -> dict[str, re.Pattern[str]]:
    """Per topic, the words that tell it (resources/domain/topics.txt), as one pattern."""
    return {
        topic: re.compile(r"\b(?:" + "|".join(map(_word_re, words)) + ")", re.I)
        for topic, words in data.table("topics.txt").items()
    }


def _word_re(word: str) -> str:
    """'cultur*' matches a word's start; 'round' the whole word, with or without a plural 's'."""
    if word.endswith("*"):
        return re.escape(word[:-1])
    return re.escape(word) + r"s?\b"


_GAP = r"[\s,‑-]{1,3}"  # spaces, hyphens (also U+2011) or a comma between a term's words


@lru_cache(maxsize=1)
def _terms() -> list[tuple[str, re.Pattern[str]]]:
    """The glossary (resources/domain/glossary.txt): per topic, its terms longest first."""
    return [
        (topic, re.compile(r"(?<![\w/])" + _GAP.join(map(re.escape, t.split())) + r"s?\b", re.I))
        for topic, terms in data.table("glossary.txt").items()
        for t in sorted(terms, key=len, reverse=True)
    ]


_NUMBER_WORDS = "zero one two three four five six seven eight nine ten eleven twelve"
_NUMWORDS = {w: i for i, w in enumerate(_NUMBER_WORDS.split())}
_NUMWORDS.update({"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100})
_N = r"(?:\d+(?:\.\d+)?|" + "|".join(_NUMWORDS) + r")"
_ROUND_UNITS = r"rounds?|stages?|interviews?|screens?"
_UNITS = rf"{_ROUND_UNITS}|minutes?|min|hours?|days?|weeks?|months?|years?|languages?|markets?|"
_UNITS += r"countries|candidates|subscribers|users|members|memberships|accounts"
# A count: a number, range or "2 × 45", then within two words a unit ("3–4 technical interviews").
_COUNT_RE = rf"(?<![\w$£€.,+/-])({_N}\+?(?:\s?(?:-|–|—|to)\s?{_N}\+?)?(?:\s?[×x]\s?\d+)?)"
_COUNT = re.compile(rf"{_COUNT_RE}(?=\s(?:[\w‑-]+\s){{0,2}}(?:{_UNITS})\b)", re.I)
# An interview stage: one to three words naming what is tested, then a stage noun.
_STAGE_MODS = r"coding|ml|system|design|culture|cultural|behaviou?ral|technical|recruiter|phone|"
_STAGE_MODS += r"hiring|manager|on[‑-]?site|screening|team|fit|mock|take[‑-]home|executive|product"
_STAGE_NOUNS = r"rounds?|screens?|calls?|loops?|interviews?|deep[‑ -]dives?|committee"
_STAGE = re.compile(rf"\b((?:(?:{_STAGE_MODS})[\s‑-]){{1,3}}(?:{_STAGE_NOUNS}))\b", re.I)
_QUOTED = re.compile(
    r"[\"“]([^\"“”\n]{3,60}?)[\"”]|(?:(?<=\s)|(?<=^)|(?<=\())['‘]([^'‘’\n]{3,60}?)['’](?!\w)"
)
_TITLE = re.compile(r"\b[A-Z][\w'’&‑-]*(?:\s(?:(?:and|of|&)\s)?[A-Z][\w'’‑-]*)+")
_LABEL = re.compile(r"^\s*(?:>\s*)?\*\*(?P<h>[^*]{2,40}?):\*\*\s*(?P<v>.+?)\s*$")
_GENERIC_WORDS = "ml ai mle mles eng engineer engineers senior staff faang the a an this that our "
_GENERIC_WORDS += "your my in on for at updated january february march april may june july august "
_GENERIC = set((_GENERIC_WORDS + "september october november december").split())
_STOP_WORDS = "a an the and or of to in on for with by at as is are be from that this it its each"
_STOPWORDS = set(_STOP_WORDS.split())


def _knob(name: str) -> Any:
    return field(default_factory=lambda: knob_default(name))


@dataclass(frozen=True)
class QuizRules:
    """The quiz's tunable numbers; each field's default is setting quiz_<field> (PREP_QUIZ_*)."""

    min_words: int = _knob("quiz_min_words")
    max_chars: int = _knob("quiz_max_chars")
    min_context_words: int = _knob("quiz_min_context_words")
    tolerance: float = _knob("quiz_tolerance")
    typo_ratio: float = _knob("quiz_typo_ratio")
    llm_min_chars: int = _knob("quiz_llm_min_chars")  # an LLM-worded question's length bounds
    llm_max_chars: int = _knob("quiz_llm_max_chars")


@dataclass(frozen=True)
class Fact:
    """One cloze question: prompt with a blank, the exact answer, and the passage it came from."""

    id: str
    topic: str
    prompt: str
    answer: str
    kind: str  # "figure" | "count" | "round" | "practice"
    passage: Passage
    start: int  # answer offsets in passage.text
    end: int
    currency: str = ""  # a table header's currency ("Total Compensation (USD)") for bare amounts

    @property
    def source(self) -> str:
        """The file the passage comes from."""
        return self.passage.source

    @property
    def citation(self) -> str:
        """Where the answer is: file, section and character offsets in the file."""
        p = self.passage
        return f"{p.source}{f' § {p.section}' if p.section else ''} [{p.start}:{p.end}]"

    def reveal(self) -> str:
        """The answer, the whole passage and its citation, for display after an attempt."""
        return f"Answer: {self.answer}\n{self.passage.text}\n— {self.citation}"


Question = Fact


@dataclass(frozen=True)
class Verdict:
    """The checker's judgement of one typed answer."""

    correct: bool
    expected: str
    given: str
    why: str

    @property
    def skipped(self) -> bool:
        """True when nothing was typed."""
        return not self.given.strip()


@dataclass(frozen=True)
class _Cand:
    start: int
    end: int
    kind: str
    score: float
    topic: str = ""


def _candidates(text: str, companies: set[str]) -> list[_Cand]:
    """Every blankable span of a sentence, scored; the best one becomes the fact."""
    body = re.sub(r"^\W*\*\*[^*]+\*\*", lambda m: " " * len(m[0]), text)  # skip "**Label:**"
    first_at = next((m.start() for m in re.finditer(r"[A-Za-z0-9$£€]", body)), 0)
    out: list[_Cand] = []
    for f in find_figures(text):
        start = f.start - (text[f.start - 1 : f.start] == "+")  # "+15-25%", "280M+": keep signs
        end = f.end + (text[f.end : f.end + 1] == "+")
        score = 3.5 if f.currency or f.percent else 3.0
        out.append(_Cand(start, end, "figure", score, "comp" if f.currency else ""))
    for m in _COUNT.finditer(text):
        after = text[m.end() : m.end() + 40]
        unit = rf"\s(?:[\w‑-]+\s){{0,2}}(?:{_ROUND_UNITS})\b(?![\s‑-]+(?:{_UNITS})\b)"
        rounds = re.match(unit, after, re.I)  # "4 rounds", not "527 interview candidates"
        weak = m[1].lower() in ("0", "1", "zero", "one")
        score = 3.5 if rounds and not weak else 2.5 - weak
        out.append(_Cand(m.start(), m.end(), "count", score, "rounds" if rounds else ""))
    for topic, rx in _terms():
        kind = "round" if topic == "rounds" else "practice"
        for m in rx.finditer(text):
            out.append(_Cand(m.start(), m.end(), kind, 3.0 + 0.2 * len(m[0].split()), topic))
    out += [_Cand(m.start(1), m.end(1), "round", 2.5, "rounds") for m in _STAGE.finditer(text)]
    for m in _QUOTED.finditer(text):
        g = 1 if m.group(1) is not None else 2
        inner = m.group(g).rstrip(",.;: ")
        if 2 <= len(inner.split()) <= 6 and not inner.endswith("?"):
            out.append(_Cand(m.start(g), m.start(g) + len(inner), "practice", 2.8))
    for m in _TITLE.finditer(text):
        words, start = m[0].split(), m.start()
        while words and (words[0].lower() in _GENERIC or re.search(r"['’]s$", words[0])):
            start += len(words[0]) + 1
            words = words[1:]  # "The Red Pen Review", "Acme's CPM": not part of the name
        while words and words[-1].lower() in _GENERIC:
            words = words[:-1]  # "Acme Search ML"
        name, end = " ".join(words), start + len(" ".join(words))
        parts = len(words) + len(re.findall(r"[‑-]", name))  # "Two-Tower" counts as two words
        named = [w for w in words if w.lower() not in _GENERIC | companies and not w.isupper()]
        fits = parts >= 2 and len(words) <= 4 and bool(named) and text[start:end] == name
        if fits and start > first_at and text[m.end() : m.end() + 1] != ":":  # not "Start Date:"
            out.append(_Cand(start, end, "practice", 1.5))
    return [replace(c, score=c.score - 0.5) if c.start <= first_at else c for c in out]


def _topic(p: Passage, kind_topic: str, answer: str) -> str | None:
    """The topic with most evidence: fact kind and glossary (3), passage (2), section (1)."""
    scores = Counter({kind_topic: 3} if kind_topic else {})
    for t, rx in _topic_res().items():
        scores[t] += 2 * len(rx.findall(p.text)) + len(rx.findall(p.section))
    for topic, rx in _terms():
        scores[topic] += 3 if rx.search(answer) else 0
    best = max(TOPICS, key=lambda t: (scores[t], -TOPICS.index(t)))
    return best if scores[best] > len(_topic_res()[best].findall(p.section)) else None


def _fact(p: Passage, topic: str, prompt: str, ans: str, kind: str, at: int, cur: str = "") -> Fact:
    """A fact whose id is stable across runs and index rebuilds: source, passage text, answer."""
    fid = hashlib.sha256(f"{p.source}\n{p.text}\n{ans}".encode()).hexdigest()[:16]
    return Fact(fid, topic, prompt, ans, kind, p, at, at + len(ans), cur)


def _cells(p: Passage) -> list[tuple[str, str, int]]:
    """(header, value, value offset) of a table row or of a '**Label:** value' line."""
    if p.kind == "row":
        return [(c.header, c.value, c.at) for c in p.cells if c.header]
    m = _LABEL.match(p.text)
    return [(m["h"], m["v"], m.start("v"))] if m and len(m["v"]) <= 60 else []


def _row_fact(p: Passage) -> Fact | None:
    """A table row or key-value line: the 'Total' cell if any, else the first amount."""
    cells = [(h, v, at) for h, v, at in _cells(p) if find_figures(v)]
    if not cells:
        return None
    head, value, at = next((c for c in cells if "total" in c[0].lower()), cells[0])
    fig = find_figures(value)[0]
    answer, start = fig.text, at + fig.start
    currency = fig.currency or header_currency(head)
    label = p.label if p.kind == "row" else (p.section or p.title)
    prompt = f"{p.company.title() or p.title} · {label} — {head}: {BLANK}"
    return _fact(p, _topic(p, "comp", answer) or "comp", prompt, answer, "figure", start, currency)


def _sentence_fact(p: Passage, companies: set[str], rules: QuizRules) -> Fact | None:
    """The best-scored blank of a sentence that leaves enough context to be answerable."""
    text = p.text
    unfit = len(text.split()) < rules.min_words or len(text) > rules.max_chars
    if unfit or text.rstrip().endswith("?"):
        return None
    if not re.search(r"[.!:;\"”'’)]\s*$", text) or re.search(r"http|\[| [|·] |=.*=", text):
        return None  # a heading, byline, link, template "[placeholder]" or "A = B = C" mapping
    for c in sorted(_candidates(text, companies), key=lambda c: (-c.score, c.start)):
        answer = text[c.start : c.end].strip()
        if not answer or len(answer) > len(text) / 2:
            continue
        blanked = text[: c.start] + BLANK + text[c.end :]
        blanked = re.sub(rf"(?<![\w$£€]){re.escape(answer)}(?!\w)", BLANK, blanked)
        context = [w for w in re.findall(r"[A-Za-z]{2,}", blanked) if w.lower() not in _STOPWORDS]
        topic = _topic(p, c.topic, answer)
        if len(context) < rules.min_context_words or topic is None:
            continue
        where = p.section if p.section and match_key(answer) not in match_key(p.section) else ""
        blanked = re.sub(r"\s+", " ", re.sub(r"^\s*>\s*|\*\*", "", blanked)).strip()
        prompt = f"{p.company.title() or p.title} · {where or p.title}: {blanked}"
        if match_key(answer) not in match_key(prompt):
            start = text.index(answer, c.start)  # past leading spaces
            return _fact(p, topic, prompt, answer, c.kind, start)
    return None


def facts(passages: Iterable[Passage], rules: QuizRules | None = None) -> list[Fact]:
    """Cloze facts of the passages, at most one per passage, in passage order."""
    rules = rules or QuizRules()
    items = list(passages)
    companies = set(organisations_of(items))
    out: dict[str, Fact] = {}
    for p in items:
        if p.kind == "code" or looks_like_injection(p.text) or boilerplate().search(p.section):
            continue  # code is not a fact to recall; nor is an instruction aimed at a model
        fact = _row_fact(p) if _cells(p) else None
        fact = fact or (None if p.kind == "row" else _sentence_fact(p, companies, rules))
        if fact:
            out.setdefault(fact.id, fact)
    return list(out.values())


def make_quiz(
    facts: Iterable[Fact],
    n: int | None = None,
    topic: str | None = None,
    history: Mapping[str, State] | None = None,
    seed: int | None = None,
    now: datetime | None = None,
) -> list[Fact]:
    """n facts of the topic (default: quiz_questions): missed, then unseen, then oldest; varied."""
    n = int(knob_default("quiz_questions")) if n is None else n
    if topic is not None and topic not in TOPICS:
        raise ValueError(f"unknown quiz topic {topic!r}: choose one of {', '.join(TOPICS)}")
    chosen = {f.id: f for f in facts if topic is None or f.topic == topic}
    pool = [chosen[k] for k in sorted(chosen)]
    random.Random(seed).shuffle(pool)
    now, history = now or datetime.now(UTC), history or {}
    tiers: list[list[Fact]] = [[], [], [], []]  # missed, unseen, seen and due, not yet due
    for f in pool:
        s = history.get(f.id)
        tiers[1 if s is None else 3 if s.due > now else 0 if s.box == 0 and s.missed else 2] += [f]
    tiers[0].sort(key=lambda f: history[f.id].due)
    tiers[2].sort(key=lambda f: history[f.id].last_seen or now)
    tiers[3].sort(key=lambda f: history[f.id].due)
    picked: list[Fact] = []
    per_source: Counter[str] = Counter()
    answers: set[str] = set()
    for tier in tiers:  # within a tier: a new answer and the least used source first
        while tier and len(picked) < n:
            best = min(tier, key=lambda f: (match_key(f.answer) in answers, per_source[f.source]))
            tier.remove(best)
            picked.append(best)
            per_source[best.passage.source] += 1
            answers.add(match_key(best.answer))
    return picked


def _numbers(text: str) -> list[float]:
    found = re.findall(rf"\d+(?:\.\d+)?|\b(?:{'|'.join(_NUMWORDS)})\b", text.lower())
    return sorted(float(_NUMWORDS.get(w, w)) for w in found)


def _words(text: str) -> list[str]:
    text = normalize(text).casefold().replace("/", "").replace("&", " and ")
    return [w for w in re.findall(r"[a-z0-9]+", text) if w not in ("a", "an", "the")]


def _stem(word: str) -> str:
    return re.sub(r"(?:ing|es|ed|e|s)$", "", word) if len(word) > 4 else word


def _check_figure(fact: Fact, given: str, tolerance: float) -> tuple[bool, str] | None:
    """Amounts compared by value; None when either side is not read as a figure."""
    expected = parse_answer(fact.answer)
    typed = parse_answer(re.sub(r"\s*(?:percent|per cent|pct)\b", "%", given, flags=re.I))
    if expected is None or typed is None:
        return None
    expected = replace(expected, currency=expected.currency or fact.currency)
    if expected.currency and typed.currency and typed.currency != expected.currency:
        return False, f"wrong currency: {typed.currency}, expected {expected.currency}"
    if expected.period and typed.period and typed.period != expected.period:
        return False, f"per {typed.period}, expected per {expected.period}"  # Figure.matches won't
    tries: list[Figure] = [typed]
    if expected.percent and not typed.percent and not typed.currency:
        tries.append(replace(typed, percent=True))  # "15" for "15%"
    suffix = re.search(r"\d\s?(k|m|b|thousand|million|billion)\b", fact.answer, re.I)
    if suffix and not re.search(r"[a-z,]", typed.text, re.I):  # "207-284" for "$207K-$284K"
        scale = {"k": 1e3, "t": 1e3, "m": 1e6, "b": 1e9}[suffix[1][0].lower()]
        tries.append(replace(typed, low=typed.low * scale, high=typed.high * scale))
    if any(expected.matches(t, tolerance) for t in tries):
        return True, "same amount"
    return False, "different amount"


def check(fact: Fact, answer: str, rules: QuizRules | None = None) -> Verdict:
    """Judge a typed answer leniently: figures by value, counts by number, text by words."""
    rules = rules or QuizRules()
    given = answer.strip()
    if not given:
        return Verdict(False, fact.answer, answer, "skipped")
    if (
        fact.kind == "figure"
        and (result := _check_figure(fact, given, rules.tolerance)) is not None
    ):
        return Verdict(result[0], fact.answer, answer, result[1])
    if fact.kind in ("count", "figure"):
        ok = bool(_numbers(given)) and _numbers(given) == _numbers(fact.answer)
        return Verdict(ok, fact.answer, answer, "same number" if ok else "different number")
    want, got = _words(fact.answer), _words(given)
    if want == got:
        return Verdict(True, fact.answer, answer, "exact")
    ratio = difflib.SequenceMatcher(None, " ".join(want), " ".join(got)).ratio()
    if ratio >= rules.typo_ratio:
        return Verdict(True, fact.answer, answer, f"close enough ({ratio:.0%} alike)")
    keys = {_stem(w) for w in want if w not in _STOPWORDS}
    if keys and keys <= {_stem(w) for w in got} and len(got) <= len(want) + 3:
        return Verdict(True, fact.answer, answer, "all key words present")
    return Verdict(False, fact.answer, answer, "not the expected answer")
