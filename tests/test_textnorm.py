"""Text normalisation used for matching (facts, BM25 terms, search text)."""

from __future__ import annotations

import pytest

from assistant.textnorm import match_key, normalize, tokens


def test_nfkc_folds_compatibility_forms() -> None:
    assert normalize("ﬁnal ①") == "final 1"  # ligature and circled digit
    assert normalize("Ｎｅｔｆｌｉｘ") == "Netflix"  # full-width letters


@pytest.mark.parametrize(
    "dash",
    ["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe63", "\uff0d"],
)
def test_every_dash_becomes_hyphen(dash: str) -> None:
    assert normalize(f"$520k{dash}$780k") == "$520k-$780k"


def test_en_dash_and_non_breaking_hyphen() -> None:
    assert normalize("$280k–$420k") == "$280k-$420k"
    assert normalize("on‑site") == "on-site"  # U+2011 non-breaking hyphen


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2009", "\u3000", "\t"])
def test_odd_spaces_become_one_space(space: str) -> None:
    assert normalize(f"73{space}%") == "73 %"
    assert normalize(f"a{space}{space} b") == "a b"


def test_curly_quotes_become_straight() -> None:
    assert normalize("Netflix’s “Keeper Test”") == 'Netflix\'s "Keeper Test"'


def test_match_key_casefolds_and_collapses_whitespace() -> None:
    assert match_key("  Total\u202fComp:\n $520K–$780K ") == "total comp: $520k-$780k"
    assert match_key("73\u00a0%") == match_key("73 %")


def test_tokens_keep_figures_whole() -> None:
    toks = tokens("Senior (IC3) earns 410,000 or $520k–$780k, 15% bonus.")
    assert "410,000" in toks
    assert "$520k" in toks and "$780k" in toks
    assert "15%" in toks
    assert "ic3" in toks
    assert all(t == t.lower() for t in toks)


def test_tokens_split_hyphenated_words_and_keep_compound() -> None:
    toks = tokens("On‑call load")
    assert toks[:4] == ["on-call", "oncall", "on", "call"]
    assert "load" in toks


def test_tokens_drop_possessive_and_punctuation() -> None:
    assert tokens("Netflix's culture.") == ["netflix", "culture"]
    assert tokens("...!?") == []
