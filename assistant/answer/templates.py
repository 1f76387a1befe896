"""Prompt templates: files in prompts/, rendered strictly (a missing variable raises)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.errors import PromptError


@lru_cache(maxsize=32)
def _read(path: Path, mtime: float) -> str:
    return path.read_text(encoding="utf-8")


def load_template(prompts_dir: Path, name: str) -> str:
    """The text of prompts/<name>.md; raises PromptError naming the file if it is missing."""
    path = prompts_dir / f"{name}.md"
    try:
        return _read(path, path.stat().st_mtime)
    except OSError as exc:
        raise PromptError(
            f"prompt file {path} is missing ({exc.strerror}); restore it from the repository "
            "or point PREP_PROMPTS_DIR at a folder that has it"
        ) from exc


def render(template: str, **variables: Any) -> str:
    """Render a Jinja2 template; an undefined variable raises PromptError instead of vanishing."""
    from jinja2 import StrictUndefined, Template, TemplateError

    try:
        return Template(template, undefined=StrictUndefined, keep_trailing_newline=True).render(
            **variables
        )
    except TemplateError as exc:
        raise PromptError(f"prompt template could not be rendered: {exc}") from exc


def render_prompt(prompts_dir: Path, name: str, **variables: Any) -> str:
    """Load prompts/<name>.md and render it strictly."""
    return render(load_template(prompts_dir, name), **variables).strip()
