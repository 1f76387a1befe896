"""Rounds: the interview rounds the indexed documents describe, with prompts, rubric and pitfalls.

Everything comes from the documents: a round is a list item or heading that names one
('Coding round (60 minutes): ...'); its material is its own item and the sections and
paragraphs that name it; in that material, the sentences with grading words (resources/domain/
mock.txt) are the rubric, quoted questions are the prompts, and pitfall words mark pitfalls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache

from assistant.domain import data
from assistant.index.chunking import section_label
from assistant.index.store import StoredChunk
from assistant.ingest.blocks import parse_blocks
from assistant.retrieve.lexical import terms
from assistant.study.passages import Passage
from assistant.textnorm import match_key, normalize

_LEAD = re.compile(
    r"^\s*(?:\d+[.)]\s*)?\**([^.:;!?()–—*]{2,60}?)\**\s*(?:\(([^)]*)\))?\s*[.:;–—-]\s"
)
_DURATION = re.compile(
    r"(\d+)\s*(?:[x×]\s*(\d+)\s*)?[-‑ ]?(?:min|mins|minutes?)\b|(\d+)[-‑ ]minute\b", re.I
)
# A quote runs to its own closing mark: an apostrophe inside "..." does not end it.
_QUOTED = re.compile(
    r"(?:\"([^\"]{12,300}?)\"|“([^”]{12,300}?)”|(?<!\w)'([^']{12,300}?)')(?=[\s.,;:)!?]|$)"
)
_DROP = re.compile(r"\b(?:the|a|an|\d+)\b|\(.*?\)", re.I)


@dataclass(frozen=True)
class Point:
    """A rubric point or a pitfall: a passage, its short name and its parts (its sentences)."""

    name: str
    ref: Passage
    parts: tuple[str, ...]


@dataclass
class Round:
    """One interview round of one company, as its documents describe it."""

    name: str
    company: str
    described: list[Passage] = field(default_factory=list)  # the passages that name the round
    minutes: int | None = None
    time_ref: Passage | None = None
    prompts: list[Passage] = field(default_factory=list)
    rubric: list[Point] = field(default_factory=list)
    pitfalls: list[Point] = field(default_factory=list)

    @property
    def key(self) -> str:
        """'acme/coding round': how the CLI and the study log name the round."""
        return f"{self.company}/{match_key(self.name)}" if self.company else match_key(self.name)


@dataclass
class _Para:
    """A paragraph or list item: its sentences, with the section it sits in."""

    kind: str
    refs: list[Passage]
    intro: Passage | None  # for a list item: the sentence that introduced the list

    @property
    def text(self) -> str:
        return " ".join(r.text for r in self.refs)


def _quotes(text: str) -> list[str]:
    """The quoted questions or tasks of a text: quotes of five words or more."""
    found = ["".join(groups) for groups in _QUOTED.findall(text)]
    return [q for q in found if len(q.split()) >= 5]


def prompt_text(ref: Passage) -> str:
    """What a prompt passage asks: its quoted question if it quotes one, else the passage."""
    quoted = _quotes(ref.text)
    return quoted[0] if quoted else ref.text


def has(key: str, text: str) -> bool:
    """Whether the text uses one of mock.txt's words for `key` (round, grading, pitfall...)."""
    return bool(data.patterns("mock.txt")[key].search(normalize(text)))


def _paragraphs(chunks: Iterable[StoredChunk]) -> dict[str, list[_Para]]:
    """Per company: the paragraphs and list items of the indexed chunks, each once, in order.

    A list item keeps the sentence that introduced its list, even in the next chunk.
    """
    seen: set[tuple[str, int]] = set()
    out: dict[str, list[_Para]] = {}
    intro: Passage | None = None
    last_source = ""
    ordered = sorted(
        chunks, key=lambda c: (str(c.metadata.get("source", "")), int(c.metadata.get("start", 0)))
    )
    for chunk in ordered:
        meta = chunk.metadata
        text, base = str(meta.get("text", "")), int(meta.get("start", 0))
        source, title = str(meta.get("source", "")), str(meta.get("title", ""))
        section = str(meta.get("section", ""))
        if source != last_source:
            intro, last_source = None, source
        for block in parse_blocks(text, 0):
            if block.kind not in ("para", "item"):
                intro = None
                continue
            inner = section_label(title, block.section) if block.section else ""
            company = str(meta.get("company", ""))
            refs = [
                Passage(
                    source,
                    title,
                    inner or section,
                    company,
                    base + u.start,
                    base + u.end,
                    u.kind,
                    u.text,
                )
                for u in block.units
            ]
            if refs and (source, refs[0].start) not in seen:
                seen.add((source, refs[0].start))
                para = _Para(block.kind, refs, intro if block.kind == "item" else None)
                out.setdefault(company, []).append(para)
            if block.kind == "para":
                intro = refs[-1] if refs and refs[-1].text.rstrip().endswith(":") else None
    return out


def _name_of(para: _Para) -> tuple[str, str] | None:
    """A list item that names a round: (its name, the parenthesis after it), else None."""
    m = _LEAD.match(para.refs[0].text + " ")
    if not m:
        return None
    name = m.group(1).strip(" *")
    if len(name.split()) > 6:
        return None
    if has("round", name) or (para.intro is not None and has("overview", para.intro.text)):
        return name, m.group(2) or ""
    return None


@cache
def _aliases(name: str) -> tuple[str, ...]:
    """How a text may name the round: its name without counts, and its last two words or more."""
    words = _DROP.sub(" ", match_key(name)).split()
    core = [w for w in words if not has("round", w)] or words
    out = {" ".join(words), " ".join(core)}
    for i in range(1, len(core) - 1):
        out.add(" ".join(core[i:]))
    return tuple(sorted((a for a in out if a), key=len, reverse=True))


def _minutes(text: str) -> int | None:
    m = _DURATION.search(text)
    if not m:
        return None
    return int(m.group(3) or m.group(2) or m.group(1))  # '45-minute', '2 x 45 min', '30 min'


def find_rounds(chunks: Iterable[StoredChunk]) -> list[Round]:
    """Every round the documents describe, per company, with its prompts, rubric and pitfalls."""
    rounds: list[Round] = []
    for company, paras in _paragraphs(chunks).items():
        named: dict[str, Round] = {}
        for para in paras:
            if para.kind != "item" or (found := _name_of(para)) is None:
                continue
            name, aside = found
            key = " ".join(_aliases(name)[-1:])
            rnd = named.setdefault(key, Round(name=name, company=company))
            rnd.described.append(para.refs[0])
            if rnd.minutes is None and (m := _minutes(f"{aside} {para.refs[0].text}")):
                rnd.minutes, rnd.time_ref = m, para.refs[0]
        if named:
            _gather(list(named.values()), paras)
            for rnd in named.values():
                if not rnd.prompts and rnd.rubric:
                    rnd.prompts.append(rnd.described[0])  # 'Coding round: one parsing problem.'

            rounds += [r for r in named.values() if r.rubric or r.prompts]
    return rounds


def _match(key: str, rnd: Round, single: bool) -> int:
    """How many characters of the round's longest alias a text (in _owner's form) names.

    A one-word alias ('culture', 'coding') counts only where `single` allows it: in a heading.
    """
    for alias in _aliases(rnd.name):
        if (single or " " in alias) and re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", key):
            return len(alias)
    return 0


def _owner(text: str, rounds: list[Round], single: bool) -> Round | None:
    """The one round the text is about: the one it names most specifically, if only one."""
    key = " ".join(_DROP.sub(" ", match_key(text)).split())
    scores = [(_match(key, r, single), i) for i, r in enumerate(rounds)]
    best = max((s for s, _ in scores), default=0)
    top = [rounds[i] for s, i in scores if s == best and s > 0]
    return top[0] if len(top) == 1 else None


def _gather(rounds: list[Round], paras: list[_Para]) -> None:
    """Give each round the paragraphs that are about it, and read its material from them."""
    by_section: dict[str, Round | None] = {}
    for para in paras:
        own = next((r for r in rounds if para.refs[0] in r.described), None)
        section = para.refs[0].section.split(" > ")[-1]
        if section not in by_section:
            by_section[section] = _owner(section, rounds, single=True)
        owner = own or by_section[section] or _owner(para.text, rounds, single=False)
        if owner is not None:
            _read(owner, para)
        elif _shared_pitfall(para):
            for rnd in rounds:  # a warnings list naming no round: every round of the company
                rnd.pitfalls.append(_point(para.refs))


def _shared_pitfall(para: _Para) -> bool:
    """A list item under a heading or introduction with pitfall words (no round named)."""
    intro = para.intro.text if para.intro is not None else ""
    return para.kind == "item" and (has("pitfall", intro) or has("pitfall", para.refs[0].section))


def _short_name(text: str, most: int = 8) -> str:
    """A point's name: the text if short, else its first clause, else its first words and '…'."""
    words = text.split()
    if len(words) <= most:
        return " ".join(words).rstrip(".,;:")
    plain = re.sub(r"\s*\([^)]*\)", "", text)  # a parenthesis is an aside, not a clause
    clause = re.split(r"[,;:–—]\s", plain, maxsplit=1)[0].rstrip(".").split()
    if 4 <= len(clause) <= most + 2:
        return " ".join(clause)
    return " ".join(words[:most]).rstrip(".,;:") + " …"


def _point(refs: list[Passage]) -> Point:
    first = refs[0]
    m = _LEAD.match(first.text + " ")
    name = m.group(1).strip(" *") if m and len(m.group(1).split()) <= 6 else first.text
    if name == first.text and ":" in name:
        name = name.split(":", 1)[1].strip()
    name = _short_name(name)
    whole = replace(first, end=refs[-1].end, text=" ".join(r.text for r in refs))
    return Point(name, whole, tuple(r.text for r in refs))


def _read(rnd: Round, para: _Para) -> None:
    """Prompts, rubric points and pitfalls of one paragraph or list item about the round."""
    intro = para.intro.text if para.intro else ""
    if para.refs[0] in rnd.described:
        intro = ""  # the item that names the round: its sentences speak for themselves
    if (
        para.kind == "item"
        and intro
        and (has("pitfall", intro) or has("pitfall", para.refs[0].section))
    ):
        rnd.pitfalls.append(_point(para.refs))
        return
    if para.kind == "item" and intro and has("grading", intro) and not has("prompt", intro):
        rnd.rubric.append(_point(para.refs))
        return
    if para.kind == "item" and intro and has("prompt", intro):
        rnd.prompts.append(para.refs[0])
        return
    grading = [i for i, r in enumerate(para.refs) if has("grading", r.text)]
    for ref in para.refs:
        quoted = _quotes(ref.text)
        if (quoted and has("prompt", ref.text)) or (has("asked", ref.text) and not quoted):
            rnd.prompts.append(ref)
    if not grading:
        return
    first = grading[0]
    # A grading sentence and the sentences after it in its paragraph: 'The signal: ... Do X.'
    tail: list[Passage] = []
    for ref in para.refs[first : first + 4]:
        if tail and ref.text.rstrip().endswith("?"):
            break  # the next question of an FAQ
        if not ref.text.rstrip().endswith((":", "?")):
            tail.append(ref)
    for ref in tail:
        if ref in rnd.prompts or (
            ref is para.refs[0] and ref in rnd.described and len(para.refs) > 1
        ):
            continue
        rnd.rubric.append(_point([ref]))


def find_round(rounds: list[Round], company: str, name: str) -> Round | None:
    """The company's round a name means: an exact name, else the most shared words."""
    mine = [r for r in rounds if r.company == company.lower()]
    want = match_key(name)
    exact = [r for r in mine if want in (match_key(r.name), match_key(r.name).rsplit(" ", 1)[0])]
    if exact:
        return exact[0]
    words = set(terms(name))
    scored = [(len(words & set(terms(r.name))), -len(r.name), r) for r in mine]
    best = max(scored, key=lambda t: t[:2], default=None)
    return best[2] if best and best[0] else None
