"""Figures: find and normalise amounts, ranges and percentages ($270K-$342K, 15%, SEK 60K/mo)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.textnorm import normalize

_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9}


def _currencies() -> dict[str, str]:
    """Symbol or word (lower case) -> ISO code, from resources/domain/currencies.txt."""
    from assistant.domain import data

    out: dict[str, str] = {}
    for code, names in data.table("currencies.txt").items():
        for name in [code, *names] if names else []:
            out[name.lower()] = code.upper()
    return out


def _alternation(names: list[str]) -> str:
    """A regex alternation, longest first; words and codes end at a word boundary."""
    parts = []
    for n in sorted(names, key=len, reverse=True):
        esc = re.escape(n)
        parts.append(esc + r"(?![a-z])" if n[-1].isalnum() else esc)
    return "(?:" + "|".join(parts) + ")"


_CURRENCY = _currencies()
CURRENCY_CODES = tuple(sorted(set(_CURRENCY.values())))
_HEADER_CODE = re.compile(rf"\b({'|'.join(CURRENCY_CODES)})\b", re.I)
_CUR = _alternation([n for n in _CURRENCY if len(n) <= 4 and n not in ("kr",)])
_CUR_AFTER = _alternation(list(_CURRENCY))
_SUF = r"(?:thousand|million|billion|mm|k|m|b)\b"
# One space between thousands: plain, no-break (U+00A0), thin (U+2009) or narrow no-break (U+202F).
_GAP = "[ \u00a0\u2009\u202f]"
# Thousands written 1,000 / 1.000 / 1'000 / 1 000; decimals as 1.5 or 1,5 (a comma before 1-2
# digits). A space joins only groups of exactly three digits after a first group of one to three
# ("2024 90 000" is a year and an amount), and such a number takes no k/M ("Band 5 120k").
_NUM = (
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"
    r"|[1-9]\d{0,2}(?:\.\d{3})+(?:,\d{1,2})?(?![\d.])"
    r"|\d{1,3}(?:['’]\d{3})+(?:[.,]\d{1,2})?"
    rf"|\d{{1,3}}(?:{_GAP}\d{{3}}(?!\d))+(?:[.,]\d{{1,2}}(?!\d))?(?!\s?(?i:{_SUF}))"
    r"|\d+(?:\.\d+|,\d{1,2}(?![\d,]))?"
)
# A cheap test for "this text states an amount of money": a currency next to a number, a
# scaled number (120K, 1.5M) or one with thousands separators.
MONEY = re.compile(
    rf"(?i:{_CUR})\s?\d|\d[\d,.'’]*\s?(?:k|K|M|B)\b|\d{{1,3}}(?:[,.'’]\d{{3}})+"
    rf"|\d\s?(?i:{_CUR_AFTER})"
)
_ONE = rf"(?P<cN>{_CUR}\s?)?(?P<nN>{_NUM})\s?(?P<sN>{_SUF})?(?P<ccN>\s?{_CUR_AFTER})?"
_SEP = r"\s?(?:-|–|—|to)\s?"
_PERIOD = r"(?P<period>\s?(?:/\s?(?:mo|month|yr|year)\b|per (?:month|year)\b))?"
_ONE1, _ONE2 = _ONE.replace("N>", "1>"), _ONE.replace("N>", "2>")
_FIGURE = re.compile(
    rf"(?<![\w.,]){_ONE1}(?:{_SEP}{_ONE2})?(?P<pct>\s?%)?{_PERIOD}",
    re.I,
)


@dataclass(frozen=True)
class Figure:
    """An amount or range, normalised: 'NOK 40K–55K/mo' -> 40000..55000 NOK per month."""

    low: float
    high: float
    currency: str  # "USD" | "GBP" | "EUR" | "SEK" | "" (none given)
    percent: bool
    period: str  # "" | "month" | "year"
    text: str
    start: int
    end: int

    def matches(self, other: Figure, tolerance: float) -> bool:
        """Same amount or range within tolerance (0.01: 1%); currency and period agree if given."""
        if self.percent != other.percent:
            return False
        if self.currency and other.currency and self.currency != other.currency:
            return False
        if self.period and other.period and self.period != other.period:
            return False  # SEK 79K/mo is not SEK 79K/yr
        return _close(self.low, other.low, tolerance) and _close(self.high, other.high, tolerance)


def header_currency(text: str) -> str:
    """The ISO code a table header names ('Total Compensation (USD)' -> 'USD'), else ''."""
    m = _HEADER_CODE.search(text)
    return m.group(1).upper() if m else ""


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-9)


def _number(raw: str) -> float:
    """The value of a number in any of the formats _NUM reads."""
    raw = re.sub(rf"['’]|{_GAP}", "", raw)
    if re.fullmatch(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d{1,2})?", raw):
        return float(raw.replace(".", "").replace(",", "."))  # 90.000 / 1.250,50
    if re.fullmatch(r"\d+,\d{1,2}", raw):
        return float(raw.replace(",", "."))  # a decimal comma: 1,5
    return float(raw.replace(",", ""))


def _currency(*marks: str | None) -> str:
    for mark in marks:
        if mark and mark.strip().lower() in _CURRENCY:
            return _CURRENCY[mark.strip().lower()]
    return ""


def find_figures(text: str) -> list[Figure]:
    """Every amount, range or percentage in the text, with its offsets."""
    out: list[Figure] = []
    for m in _FIGURE.finditer(text):
        s1, s2 = (m.group("s1") or "").lower(), (m.group("s2") or "").lower()
        low = _number(m.group("n1"))
        high = _number(m.group("n2")) if m.group("n2") else low
        if m.group("n2") and not s1 and s2 and _SCALE[s2] > 1:
            s1 = s2  # "207-284k": the scale applies to both ends
        low *= _SCALE.get(s1, 1.0)
        high *= _SCALE.get(s2 or s1, 1.0) if m.group("n2") else _SCALE.get(s1, 1.0)
        currency = _currency(m.group("c1"), m.group("cc1"), m.group("c2"), m.group("cc2"))
        period = (m.group("period") or "").lower()
        period = (
            "month" if "mo" in period else "year" if ("yr" in period or "year" in period) else ""
        )
        percent = bool(m.group("pct"))
        if not (currency or percent or s1 or s2 or "," in m.group("n1")):
            continue  # a bare small number ("4 rounds", "2026") is not a figure
        out.append(
            Figure(
                min(low, high),
                max(low, high),
                currency,
                percent,
                period,
                m.group(0).strip(),
                m.start(),
                m.start() + len(m.group(0).rstrip()),  # "$95,000 to": not the space after
            )
        )
    return out


def parse_answer(text: str) -> Figure | None:
    """A typed answer read as one figure ('207-284k', '£207,000 to £284,000', '15 %')."""
    cleaned = normalize(text).strip()
    figures = find_figures(cleaned)
    if not figures:
        bare = re.fullmatch(rf"\s*({_NUM})\s*", cleaned)
        if bare:
            value = _number(bare.group(1))
            return Figure(value, value, "", False, "", cleaned, 0, len(cleaned))
        return None
    if len(figures) == 2:  # "$207K and $284K" typed as two amounts: a range
        a, b = figures
        return Figure(
            min(a.low, b.low),
            max(a.high, b.high),
            a.currency or b.currency,
            a.percent,
            a.period or b.period,
            cleaned,
            0,
            len(cleaned),
        )
    return figures[0]


def currency_names(word: str) -> tuple[str, ...]:
    """Every symbol, code and word of the currency a word names ('GBP' -> '£', 'pounds', ...)."""
    code = _CURRENCY.get(word.strip().lower())
    return tuple(n for n, c in _CURRENCY.items() if c == code) if code else ()


def currencies_asked(text: str) -> set[str]:
    """ISO codes of the currencies a question names by code, word or symbol ('in GBP?')."""
    out = set()
    for name, code in _CURRENCY.items():
        edge = r"\b" if name[:1].isalnum() else ""
        tail = r"\b" if name[-1:].isalnum() else ""
        if re.search(rf"{edge}{re.escape(name)}{tail}", text, re.I):
            out.add(code)
    return out
