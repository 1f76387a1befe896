"""Document text shown in the page's markdown: always as text, never as markup or a remote load.

Also the one way the page links to a cited span in the document viewer.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.app.service import Assistant

# Characters that open inline markdown (links, images, emphasis, code, strike-through); a
# backslash makes each literal. '<' becomes an entity, so no HTML tag can start.
_INLINE = re.compile(r"([\\`*_\[\]~])")
_ENTITY = re.compile(r"&(?=#?\w+;)")  # '&amp;' only where the text would read as an entity
# At the start of a line these make a heading, quote, list or rule: the first gets a backslash.
_BLOCK_START = re.compile(r"^(\s*)([#>+=|-]|\d+[.)])", re.M)


def md_text(text: str) -> str:
    """Text that renders as itself in markdown: no tag, image, link or emphasis survives."""
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
    text = _INLINE.sub(r"\\\1", text)
    return _BLOCK_START.sub(_escape_block, text)


def _escape_block(m: re.Match[str]) -> str:
    lead, marker = m.group(1), m.group(2)
    if marker[0].isdigit():  # "1." starts a list: escape its punctuation
        return f"{lead}{marker[:-1]}\\{marker[-1]}"
    return f"{lead}\\{marker}"


def md_code(text: str) -> str:
    """Text shown as inline code (a file name): backticks and control characters defused."""
    clean = "".join(c if c.isprintable() else "?" for c in text).replace("`", "'")
    return f"`{clean}`"


def doc_link(assistant: Assistant, file: str, start: int, end: int) -> str:
    """Link to the document viewer, by index id, with the cited span."""
    doc_id = assistant.document_id(file)
    return f"/doc/{doc_id}?s={start}&e={end}#hl" if doc_id else ""
