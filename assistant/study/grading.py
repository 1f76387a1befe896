"""Grade a practice answer against a round's rubric: each point covered, partly or missed.

Offline: a rubric point's parts (its sentences) are compared with the answer's sentences by
the stored model's vectors and by how many of the part's content words (IDF-weighted) the
answer uses. Sentences that only repeat the prompt count for nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.index.embeddings import dot
from assistant.ingest.units import sentences
from assistant.retrieve.lexical import terms
from assistant.settings import knob_group
from assistant.study.passages import Passage
from assistant.study.rounds import Point, Round, prompt_text
from assistant.textnorm import match_key

COVERED, PARTLY, MISSED = "covered", "partly covered", "missed"
TOUCHED, NOT_RAISED = "touched", "not raised"  # a pitfall: the answer comes near its topic or not


@dataclass(frozen=True)
class Thresholds:
    """The grading knobs (Settings' mock_* fields)."""

    dense_weight: float
    part_match: float
    covered_share: float
    pitfall_match: float
    same_as_prompt: float
    near_miss_credit: float = 0.0  # a missed point's credit at most (how close the answer came)
    near_miss_floor: float = 0.0

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        """The thresholds as the settings give them."""
        return knob_group(cls, settings, "mock")


@dataclass
class Mark:
    """One rubric point (or pitfall) as the answer meets it."""

    point: Point
    status: str
    match: float
    evidence: str = ""  # the candidate's sentence that meets it best


@dataclass
class Feedback:
    """The grade of one practice answer."""

    round: Round
    prompt: Passage
    answer: str
    marks: list[Mark]
    pitfalls: list[Mark] = field(default_factory=list)  # every pitfall of the round, marked
    score: float = 0.0  # 0-100
    note: str = ""

    @property
    def touched(self) -> list[Mark]:
        """The pitfalls whose topic the answer comes near: to check it does not fall into them."""
        return [m for m in self.pitfalls if m.status == TOUCHED]

    @property
    def to_add(self) -> list[Mark]:
        """The three most useful things to add: missed points first, then partly covered."""
        order = {MISSED: 0, PARTLY: 1}
        left = [m for m in self.marks if m.status in order]
        return sorted(left, key=lambda m: (order[m.status], -len(m.point.parts)))[:3]

    def to_json(self) -> dict[str, Any]:
        """The feedback as one JSON object with a numeric score."""

        def mark(m: Mark) -> dict[str, Any]:
            return {
                "point": m.point.name,
                "status": m.status,
                "match": round(m.match, 3),
                "your_sentence": m.evidence,
                "why": passage_json(m.point.ref),
            }

        return {
            "round": self.round.name,
            "company": self.round.company,
            "prompt": {**passage_json(self.prompt), "asks": prompt_text(self.prompt)},
            "minutes": self.round.minutes,
            "score": round(self.score, 1),
            "note": self.note,
            "rubric": [mark(m) for m in self.marks],
            "pitfalls": [mark(m) for m in self.pitfalls],
            "add": [m.point.name for m in self.to_add],
        }


def passage_json(ref: Passage) -> dict[str, Any]:
    """A cited passage as JSON: file, section, character span and text."""
    return {
        "file": ref.source,
        "section": ref.section,
        "start": ref.start,
        "end": ref.end,
        "text": ref.text,
    }


Embed = Callable[[list[str]], list[list[float]]]


def _parts(point: Point) -> list[str]:
    """The sentences of a point that say something: a bare lead ('Problem framing.') joins on."""
    parts = list(point.parts)
    if len(parts) > 1 and len(parts[0].split()) <= 4:
        parts = [f"{parts[0]} {p}" for p in parts[1:]]
    return parts


def grade(
    rnd: Round,
    prompt: Passage,
    answer: str,
    embed: Embed,
    idf: Callable[[str], float],
    knobs: Thresholds,
) -> Feedback:
    """Mark every rubric point and pitfall of the round against the answer; score 0-100."""
    said = [u.text for u in sentences(answer.strip(), 0)] if answer.strip() else []
    parts = {id(p): _parts(p) for p in [*rnd.rubric, *rnd.pitfalls]}
    all_parts = list(dict.fromkeys(t for ps in parts.values() for t in ps))
    vectors = embed([*said, prompt.text, *all_parts]) if said else []
    own, vec_of = vectors[: len(said)], dict(zip(all_parts, vectors[len(said) + 1 :], strict=False))
    if said:
        pvec = vectors[len(said)]
        others = [p.text for p in rnd.prompts if p != prompt]
        keep = [
            i
            for i, v in enumerate(own)
            if not _repeats(said[i], prompt.text, v, pvec, knobs)
            and not any(_overlaps(said[i], o, knobs) for o in others)
        ]
        said, own = [said[i] for i in keep], [own[i] for i in keep]
    note = ""
    if not answer.strip():
        note = "The answer is empty."
    elif not said:
        note = "The answer only repeats the prompt."
    answer_terms = set(terms(" ".join(said)))

    def marked(point: Point, pitfall: bool) -> Mark:
        scores = [
            _match(t, vec_of.get(t), said, own, answer_terms, idf, knobs) for t in parts[id(point)]
        ]
        return _mark(point, scores, knobs, pitfall)

    marks = [marked(p, pitfall=False) for p in rnd.rubric]
    pitfalls = [marked(p, pitfall=True) for p in rnd.pitfalls]
    score = 100 * sum(_credit(m, knobs) for m in marks) / len(marks) if marks else 0.0
    return Feedback(rnd, prompt, answer, marks, pitfalls, score, note)


def _credit(mark: Mark, k: Thresholds) -> float:
    """A point's share of the score: 1 covered, 0.5 partly; a missed one by how close it came."""
    if mark.status != MISSED:
        return 1.0 if mark.status == COVERED else 0.5
    span = k.part_match - k.near_miss_floor
    closeness = (mark.match - k.near_miss_floor) / span if span > 0 else 0.0
    return k.near_miss_credit * min(1.0, max(0.0, closeness))


def _repeats(
    sentence: str, prompt: str, vec: list[float], pvec: list[float], k: Thresholds
) -> bool:
    """A sentence that is the prompt again (pasted back), not an answer to it."""
    return dot(vec, pvec) >= k.same_as_prompt or _overlaps(sentence, prompt, k)


def _overlaps(sentence: str, prompt: str, k: Thresholds) -> bool:
    """A sentence whose words are mostly the prompt's (pasted back)."""
    a, b = set(match_key(sentence).split()), set(match_key(prompt).split())
    return len(a & b) / max(1, len(a)) >= k.same_as_prompt


def _match(
    part: str,
    vec: list[float] | None,
    said: list[str],
    own: list[list[float]],
    answer_terms: set[str],
    idf: Callable[[str], float],
    k: Thresholds,
) -> tuple[float, str]:
    """How well the answer meets one part: (match in 0-1, the answer sentence nearest it)."""
    if vec is None or not said:
        return 0.0, ""
    sims = [dot(vec, v) for v in own]
    best = max(range(len(sims)), key=sims.__getitem__)
    words = set(terms(part))
    weights = {t: idf(t) for t in words}
    total = sum(weights.values()) or 1.0
    recall = sum(w for t, w in weights.items() if t in answer_terms) / total
    return k.dense_weight * sims[best] + (1 - k.dense_weight) * recall, said[best]


def _mark(point: Point, scores: list[tuple[float, str]], k: Thresholds, pitfall: bool) -> Mark:
    """Covered when enough parts match, partly when some do (a pitfall: touched when one does)."""
    best, evidence = max(scores, default=(0.0, ""))
    bar = k.pitfall_match if pitfall else k.part_match
    share = sum(s >= bar for s, _ in scores) / max(1, len(scores))
    if pitfall:
        status = TOUCHED if share else NOT_RAISED
        return Mark(point, status, best, evidence if share else "")
    if share and share >= k.covered_share:
        status = COVERED
    elif share:
        status = PARTLY
    else:
        status = MISSED
    return Mark(point, status, best, evidence if status != MISSED else "")
