"""Score: how well each sentence or table row of a chunk answers a question.

Shared by the retriever's rerank stage and the extractive answerer, so both judge alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from langchain_core.documents import Document

from assistant.domain import data
from assistant.domain.figures import MONEY, currency_names
from assistant.index.chunking import units_from_metadata
from assistant.index.embeddings import dot
from assistant.ingest.safety import looks_like_injection
from assistant.retrieve.lexical import STOPWORDS, LexicalIndex, terms
from assistant.retrieve.names import name_stats, unmentioned
from assistant.retrieve.spelling import common_english
from assistant.settings import knob_group
from assistant.textnorm import normalize, tokens

_FIGURE = re.compile(r"\d")
_ASKS_AMOUNT = re.compile(
    r"\b(how much|pay|paid|pays|salary|salaries|comp|compensation|earn|earns|make|makes|tc|"
    r"total|base|stock|equity|rsu|bonus|range|band|offer|package|cash)\b",
    re.I,
)
_ASKS_COUNT = re.compile(r"\b(how many|how long|number of|duration|minutes|days|rounds?)\b", re.I)
_INTERROGATIVE = re.compile(
    r"^(?:what|how|why|when|where|who|whom|which|whose)(?:'s|'re|\s+(?:is|are|was|were|do|does"
    r"|did|can|could|should|would|will|has|have|many|much|long|often))\b",
    re.I,
)
_ASIDE = re.compile(r"\(([^()]*)\)")
_CODE = re.compile(r"[A-Za-z]{1,4}\d{1,3}")  # a level or model code: 'IC6', 'L8', 'p99'
# a year: '2020', not 2020%, $2020, 2020k or 12,020
_YEAR = re.compile(r"(?<![\w$£€.,'-])(?:19|20)\d\d(?!\w)(?![.,'-]\d)(?!\s*%)")
_ASKS_QUESTIONS = re.compile(r"\b(?:questions?|ask|asks|asked|prompts?)\b", re.I)


def asks_amount(question: str) -> bool:
    """Whether a question asks for pay or another amount of money."""
    return bool(_ASKS_AMOUNT.search(question))


@dataclass
class Candidate:
    chunk: Document
    unit_id: str
    start: int
    end: int
    text: str
    kind: str
    dense: float
    lexical: float
    score: float
    vector: list[float]


@lru_cache(maxsize=1)
def boilerplate() -> re.Pattern[str]:
    """Headings of boilerplate sections (resources/domain/boilerplate.txt), as one pattern."""
    heads = sorted(set(data.lines("boilerplate.txt")), key=lambda h: (-len(h), h))
    alts = "|".join(r"\s+".join(map(re.escape, h.split())) for h in heads)
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.I)


def is_question(text: str) -> bool:
    """A sentence that asks ('What is the on-call rota?', or the same without its '?')."""
    bare = normalize(text).strip().strip("*_\"'()[]> •-").strip()
    return bare.endswith("?") or (
        bool(_INTERROGATIVE.match(bare)) and not bare.endswith((".", "!", ":"))
    )


def adds_to(
    question: str, text: str, min_new_terms: int = 1, companies: tuple[str, ...] = ()
) -> bool:
    """Whether a sentence can answer the question: it states something the question does not.

    A question sentence states only its asides ("What's the review cycle (twice a year)?"),
    unless questions are what was asked ('What questions do they ask?'); what is stated needs
    min_new_terms content words beyond the question's own (a company name is scope, not news).
    """
    if is_question(text) and not _ASKS_QUESTIONS.search(question):
        text = " ".join(_ASIDE.findall(text))
        if not text:
            return False
    return len(set(terms(text)) - _known_terms(question, companies)) >= min_new_terms


@lru_cache(maxsize=256)
def _known_terms(question: str, companies: tuple[str, ...]) -> frozenset[str]:
    return frozenset(terms(question)) | frozenset(terms(" ".join(companies)))


def companies_in(text: str, companies: tuple[str, ...]) -> set[str]:
    low = text.lower()
    return {c for c in companies if re.search(rf"\b{re.escape(c)}\b", low)}


def without_companies(text: str, companies: tuple[str, ...], word: str) -> str:
    """The text with every company name (any case, a possessive too) replaced by `word`."""
    if not word or not companies:
        return text
    names = "|".join(re.escape(c) for c in sorted(companies, key=len, reverse=True))
    return re.sub(rf"\b(?:{names})(?:['’]s)?\b", word, text, flags=re.I)


@dataclass(frozen=True)
class Cues:
    """What a unit's shape adds to or takes from its score (Settings' cue_* knobs)."""

    amount: float
    count: float
    boilerplate: float
    fragment: float
    list_intro: float
    list_intro_words: int
    faq_question: float
    faq_answer_gap: float
    uncovered_share: float
    common_words: int
    name_share: float

    @classmethod
    def from_settings(cls, settings: Any) -> Cues:
        """The cues as the settings give them."""
        return knob_group(cls, settings, "cue")


@dataclass
class UnitScorer:
    """Scores units: dense similarity of stored unit vectors + IDF-weighted term overlap + cues."""

    reader: Any  # IndexReader
    lexical: LexicalIndex
    companies: tuple[str, ...]
    dense_weight: float
    unknown_penalty: float
    cues: Cues

    def score(self, question: str, qvec: list[float], docs: list[Document]) -> list[Candidate]:
        """Every unit of the retrieved chunks, scored, best first."""
        lexical = self.lexical
        asked = companies_in(question, self.companies)
        company_terms = set(terms(" ".join(asked)))
        qterms = set(terms(question)) - company_terms  # scoping below already enforces those
        # A word of everyday English that no document uses ('good', 'get', 'stuff') is chat,
        # not a topic the documents lack: it neither counts nor lowers the scores.
        unknown_words = [w for w in tokens(question) if not all(map(lexical.known, terms(w)))]
        if unknown_words:  # the English word list is read only when a word needs it
            everyday = common_english(self.cues.common_words)
            chat = {t for w in unknown_words if w in everyday for t in terms(w)}
            qterms = {t for t in qterms if t not in chat or lexical.known(t)}
        weights = {t: lexical.idf(t) for t in qterms}
        total = sum(weights.values()) or 1.0
        # Question terms no document uses at all ('vacation', 'relocation') lower every score.
        unknown = sum(w for t, w in weights.items() if not lexical.known(t)) / total
        wants_amount = asks_amount(question)
        wants_count = bool(_ASKS_COUNT.search(question))
        rows: list[tuple[Document, str, Any]] = []
        for doc in docs:
            for n, unit in enumerate(units_from_metadata(doc.metadata)):
                rows.append((doc, f"{doc.metadata['id']}#u{n}", unit))
        vectors = self.reader.unit_vectors([r[1] for r in rows])
        cues = self.cues
        out: list[Candidate] = []
        previous: Candidate | None = None
        for doc, unit_id, unit in rows:
            vec = vectors.get(unit_id)
            if vec is None or looks_like_injection(unit.text):
                continue  # never quote an instruction aimed at a model as an answer
            if asked:
                doc_company = str(doc.metadata.get("company", ""))
                if doc_company not in asked and not (
                    companies_in(unit.text, self.companies) & asked
                ):
                    continue  # about another company: it cannot answer a question about this one
            section = str(doc.metadata.get("section", ""))
            title = str(doc.metadata.get("title", ""))
            uterms = set(terms(f"{title} {doc.metadata.get('company', '')} {section} {unit.text}"))
            lex = sum(w for t, w in weights.items() if t in uterms) / total
            dense = dot(qvec, vec)
            score = self.dense_weight * dense + (1 - self.dense_weight) * lex
            score -= self.unknown_penalty * unknown
            if wants_amount and MONEY.search(unit.text):
                score += cues.amount
            elif wants_count and _FIGURE.search(unit.text):
                score += cues.count
            if boilerplate().search(str(doc.metadata.get("heading", ""))) or unit.text.startswith(
                "["
            ):
                score -= cues.boilerplate
            if not (
                unit.text[:1].isupper() or unit.text[:1].isdigit() or unit.text[:1] in "\"'“‘*$£€("
            ):
                score -= cues.fragment  # a fragment cut from a longer sentence
            if unit.text.rstrip().endswith(":") and len(unit.text.split()) <= cues.list_intro_words:
                score -= cues.list_intro  # introduces a list; says nothing by itself
            cand = Candidate(
                doc, unit_id, unit.start, unit.end, unit.text, unit.kind, dense, lex, score, vec
            )
            if (
                previous is not None
                and previous.chunk is doc
                and previous.text.rstrip().endswith("?")
                and not unit.text.rstrip().endswith("?")
            ):
                # An FAQ answer is as relevant as the question it answers.
                cand.score = max(cand.score, previous.score - cues.faq_answer_gap)
                previous.score -= cues.faq_question
            out.append(cand)
            previous = cand
        out.sort(key=lambda c: -c.score)
        return out

    def unknown_names(self, question: str) -> list[str]:
        """Names in the question (a city, a title, a level code, a year) that no document mentions.

        A name is a capitalised word (not the first, which any sentence capitalises) or, in any
        case and place, a code of letters then digits ('IC6', 'l8') or a year ('2020').
        """
        lexical = self.lexical
        words = re.findall(r"[A-Za-z][A-Za-z0-9&'’()-]*[A-Za-z0-9)]|[A-Z]", question)
        missing: list[str] = []
        for i, word in enumerate(words):
            code = bool(_CODE.fullmatch(word))
            if not code and (i == 0 or not word[0].isupper() or word.lower() in STOPWORDS):
                continue
            if all(lexical.known(t) for t in terms(word)):
                continue
            if word.isupper() and not code and self._acronym_known(word):
                continue
            if currency_names(word):
                continue  # a currency: the answer says which currencies its figures are in
            missing.append(word)
        missing += [y for y in _YEAR.findall(question) if not lexical.known(y)]
        return missing

    def uncovered_topic(self, question: str) -> tuple[str, list[str]] | None:
        """For a one-company question: the topic words its documents never use, if most are."""
        asked = companies_in(question, self.companies)
        lexical = self.lexical
        if len(asked) != 1:
            return None
        company = next(iter(asked))
        vocab = lexical.group_terms.get(company)
        if not vocab:
            return None
        words = [w for w in dict.fromkeys(tokens(question)) if w not in STOPWORDS and w != company]
        qterms = [(w, t) for w in words for t in terms(w)[:1] if lexical.known(t)]
        weights = {t: lexical.idf(t) for _, t in qterms}
        total = sum(weights.values())
        missing = [(w, t) for w, t in qterms if t not in vocab]
        if total and sum(weights[t] for _, t in missing) / total >= self.cues.uncovered_share:
            return company, [f"'{w}'" for w, _ in missing]
        return None

    def scope_caveat(self, question: str, picked: list[Candidate]) -> str | None:
        """'Nothing found mentions New York; the closest passages say:' for names none has."""
        if not picked:
            return None
        keys = ("title", "company", "section", "heading")
        evidence = " ".join(
            [str(c.chunk.metadata.get(k, "")) for c in picked for k in keys]
            + [c.chunk.page_content for c in picked]
        )
        missing = unmentioned(question, evidence, name_stats(self.reader), self.cues.name_share)
        if not missing:
            return None
        return f"Nothing found mentions {', '.join(missing)}; the closest passages say:"

    def _acronym_known(self, word: str) -> bool:
        """'NYC' counts as known when some passage says 'New York City'."""
        letters = [c for c in word.lower() if c.isalpha()]
        if len(letters) < 2:
            return False
        pattern = re.compile(r"\b" + r"\w*\W+".join(map(re.escape, letters)) + r"\w*", re.I)
        return any(pattern.search(c.search_text) for c in self.reader.all_chunks())
