"""The sentence scorer's cue knobs (PREP_CUE_*), a part of the one Settings object."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CueSettings(BaseSettings):
    """What a sentence's shape adds to or takes from its score; Settings inherits these."""

    model_config = SettingsConfigDict(env_prefix="PREP_", extra="forbid")

    cue_amount: float = Field(
        default=0.08, description="sentence score gained by a figure of money when pay is asked"
    )
    cue_count: float = Field(
        default=0.04, description="sentence score gained by a number when a count is asked"
    )
    cue_boilerplate: float = Field(
        default=0.1, description="sentence score lost in a boilerplate section or a link list"
    )
    cue_fragment: float = Field(
        default=0.05, description="sentence score lost by a fragment (starts in lower case)"
    )
    cue_list_intro: float = Field(
        default=0.1, description="sentence score lost by a short line that ends in ':'"
    )
    cue_list_intro_words: int = Field(
        default=8, ge=1, description="a line ending in ':' is a list's introduction up to this"
    )
    cue_faq_question: float = Field(
        default=0.05, description="an FAQ question's score lost to the answer that follows it"
    )
    cue_uncovered_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="a one-company question is refused when this share of its topic weight is "
        "words that company's documents never use",
    )
    cue_faq_answer_gap: float = Field(
        default=0.01, description="an FAQ answer scores at least its question's score minus this"
    )
    cue_common_words: int = Field(
        default=400,
        ge=0,
        description="a question word among this many most common English words that no "
        "document uses is chat ('good', 'stuff'): it does not lower the scores",
    )
    cue_name_share: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="a word the documents write in title case this share of the time is a name: "
        "an answer whose passages never mention a name the question asks about gets a caveat",
    )
