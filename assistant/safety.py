"""Prompt-injection guard: text that addresses an AI ("ignore previous instructions") is data.

Such sentences are never quoted as an answer; in an LLM prompt they stay inside a passage block.
"""

from __future__ import annotations

import re

_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}"
    r"\b(?:instructions?|prompts?|rules|guidelines|directions|context|system)\b"
    r"|\b(?:you are now|pretend to be|new instructions?|system prompt|jailbreak)\b"
    r"|\b(?:reply|respond|answer|say|output|print)\s+(?:only\s+|with\s+|exactly\s+)*"
    r"[\"'“]?(?-i:[A-Z]{4,})[\"'”]?\s*(?:[.!,;]|$)",
    re.I,
)


def looks_like_injection(text: str) -> bool:
    """True for text that tries to instruct the model rather than inform the reader."""
    return bool(_INJECTION.search(text))
