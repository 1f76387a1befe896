"""A document's company, from the document itself: its title, its source, the name it uses most.

No company is named in code. A candidate name is a capitalised word (a possessive 's dropped,
hyphenated parts each capitalised) that has no digit, is not in the stoplist of capitalised
words that are not organisations (resources/domain/not_companies.txt) and is not a common word
the document also writes in lower case (at least half as often). The rules, in order:

1. the name the title gives (the most mentioned of its names), or the name of the host of the
   document's `source:`/`url:` (jobs.example.com -> example), if the body mentions it at least
   half as often as any other name;
2. else the name the body mentions most, if at least MIN_MENTIONS times, once or more not at
   the start of a sentence, and more often than any other name;
3. else none.

`prep add --company NAME` records an override in the folder's `.companies.json`.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assistant.domain import data
from assistant.domain.levels import LEVEL

MIN_MENTIONS = 3  # the body rule's evidence: this many mentions, more than any other name
OVERRIDES = ".companies.json"  # per folder: file name -> company (prep add --company)
SOURCE_KEYS = ("source", "url", "source_url", "link", "website")
_NAME = re.compile(
    r"(?<![\w@/.&'’-])([A-Z][A-Za-z0-9&]*(?:-[A-Z][A-Za-z0-9&]*)*)(?:['’]s)?(?![\w@/&'’-]|\.\w)"
)
_LOWER = re.compile(r"(?<![\w'’-])[a-z][a-z0-9&]*(?![\w])")
_OPENERS = " \t*_#>\"“‘'([•·-"
_SOURCE_LINE = re.compile(r"^\W*(?:source|url|link)\s*:\s*(\S+)", re.I | re.M)
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ltd", "plc"}
# A name used as an employer: "Acme ML Engineer", "Initech E5" (a level of a ladder in
# resources/domain/levels.txt), "Globex Applied Scientist", "at Acme"
_ROLE_AFTER = (
    r"(?:['’]s)?\s+(?:(?:ML|AI|MLE|SDE|SWE|Applied|Senior|Staff|Principal|Software|Engineers?"
    rf"|Scientists?|Researchers?)\b|{LEVEL.pattern})"
)
_EMPLOYER = re.compile(
    rf"(?<=\bat )([A-Z][A-Za-z0-9&]*)(?![\w&-])|(?<![\w@/.&'’-])([A-Z][A-Za-z0-9&]*){_ROLE_AFTER}"
)


@lru_cache(maxsize=1)
def not_companies() -> frozenset[str]:
    """The stoplist: capitalised words that are never an organisation (lower case)."""
    return frozenset(w.lower() for w in data.lines("not_companies.txt"))


def clean(name: object) -> str:
    """A company as stored: one line, lower case ('' for anything not text)."""
    return " ".join(str(name).split()).lower() if isinstance(name, str | int | float) else ""


def _before(text: str, at: int) -> str:
    """What precedes position `at` on its line, without opening marks (bullets, quotes)."""
    return text[text.rfind("\n", 0, at) + 1 : at].rstrip(_OPENERS)


def _mid_sentence(before: str) -> bool:
    """Whether a word preceded by `before` on its line stands inside a sentence."""
    return bool(before) and not before.endswith((".", "!", "?", ":", "|"))


class _Mentions:
    """How often each candidate name appears in a text, and where."""

    def __init__(self, text: str):
        self.total: Counter[str] = Counter()
        self.inner: Counter[str] = Counter()  # not at the start of a sentence or line
        for m in _NAME.finditer(text):
            key = m.group(1).lower()
            self.total[key] += 1
            before = _before(text, m.start())
            if _mid_sentence(before) and not re.fullmatch(r"\d+[.)]?", before):
                self.inner[key] += 1
        self.lower = Counter(_LOWER.findall(text))

    def is_name(self, key: str, extra: int = 0) -> bool:
        """Not a stoplisted, numbered or common (also written in lower case) word."""
        if len(key) < 2 or any(ch.isdigit() for ch in key) or key in not_companies():
            return False
        return self.lower[key] * 2 < self.total[key] + extra

    def ranked(self, exclude: frozenset[str] = frozenset()) -> list[tuple[str, int]]:
        """Names mentioned at least once mid-sentence, most mentioned first."""
        names = [k for k in self.total if k not in exclude and self.inner[k] and self.is_name(k)]
        return sorted(((k, self.total[k]) for k in names), key=lambda kv: (-kv[1], kv[0]))


def host_name(value: str) -> str:
    """The organisation part of a URL's host: https://jobs.example.co.uk/x -> example."""
    try:
        host = urlsplit(value if "://" in value else f"//{value}").hostname or ""
    except ValueError:
        return ""
    labels = [label for label in host.lower().split(".") if label]
    if len(labels) < 2 or not labels[-1].isalpha():
        return ""
    tld, labels = labels[-1], labels[:-1]
    if len(labels) >= 2 and len(tld) == 2 and labels[-1] in _SECOND_LEVEL:
        labels = labels[:-1]
    return labels[-1] if labels[-1] != "www" else ""


def _source(meta: Mapping[str, Any], body: str) -> str:
    for key in SOURCE_KEYS:
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    line = _SOURCE_LINE.search("\n".join(body.splitlines()[:15]))
    return line.group(1) if line else ""


def company_of(title: str, body: str, meta: Mapping[str, Any] | None = None) -> str:
    """The company of a document: front matter, else its title or source, else its main name."""
    meta = meta or {}
    given = clean(meta.get("company"))
    if given:
        return given
    at = body.find(title) if title else -1
    rest = body[:at] + body[at + len(title) :] if at >= 0 else body  # the title counts once
    seen = _Mentions(rest)
    in_title = _Mentions(title)
    named = [k for k in in_title.total if seen.is_name(k, in_title.total[k])]
    host = host_name(_source(meta, body))
    if host and host not in named and seen.total[host] and seen.is_name(host):
        named.append(host)
    rivals = seen.ranked(exclude=frozenset(named))
    rival = rivals[0][1] if rivals else 0
    if named:
        best = max(named, key=lambda k: (seen.total[k], -named.index(k)))
        if seen.total[best] * 2 >= rival:
            return best
    if rivals and rival >= MIN_MENTIONS and (len(rivals) == 1 or rivals[1][1] < rival):
        return rivals[0][0]
    return ""


def organisations(texts: Iterable[str], companies: Iterable[str] = ()) -> tuple[str, ...]:
    """The companies, and the names the texts use as employers ('at Acme', 'Acme ML Engineer')."""
    items = list(texts)
    seen = _Mentions("\n".join(items))
    found = {clean(c) for c in companies if clean(c)}
    for text in items:
        for m in _EMPLOYER.finditer(text):
            key = (m.group(1) or m.group(2)).lower()
            if _mid_sentence(_before(text, m.start())) and seen.is_name(key):
                found.add(key)
    return tuple(sorted(found))


def read_overrides(folder: Path) -> dict[str, str]:
    """The folder's recorded companies (file name -> company); {} if none or unreadable."""
    try:
        loaded = json.loads((folder / OVERRIDES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {str(k): clean(v) for k, v in loaded.items() if clean(v)}


def write_overrides(folder: Path, changes: Mapping[str, str | None]) -> None:
    """Record (or, for None, forget) the company of files in the folder, atomically."""
    current = read_overrides(folder)
    for name, company in changes.items():
        if company:
            current[name] = clean(company)
        else:
            current.pop(name, None)
    if not current and not (folder / OVERRIDES).exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".companies-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(dict(sorted(current.items())), out, indent=1, ensure_ascii=False)
    os.replace(tmp, folder / OVERRIDES)
