"""README's "How it works" table names every module of the package, and only real ones."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def table_modules(readme: str) -> set[str]:
    """Paths ('index/store.py', 'errors.py') the "How it works" table names, from its rows."""
    section = readme.split("## How it works", 1)[1].split("\n## ", 1)[0]
    out = set()
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[1].startswith("`"):
            continue
        package = cells[0].strip("`") if cells[0].startswith("`") else ""
        for name in re.findall(r"`([\w]+\.py)`", cells[1]):
            out.add(package + name)
    return out


def package_modules() -> set[str]:
    """Every module of the package except package markers and `__main__`."""
    pkg = ROOT / "assistant"
    return {
        str(p.relative_to(pkg))
        for p in pkg.rglob("*.py")
        if p.name not in ("__init__.py", "__main__.py")
    }


def test_readme_table_matches_the_package() -> None:
    named = table_modules((ROOT / "README.md").read_text(encoding="utf-8"))
    actual = package_modules()
    assert sorted(actual - named) == [], "modules missing from README's How it works table"
    assert sorted(named - actual) == [], "README names modules that do not exist"


def test_table_reader_sees_a_missing_module() -> None:
    readme = "## How it works\n\n| package | modules | what |\n| --- | --- | --- |\n"
    readme += "| `index/` | `store.py`, `build.py` | x |\n| (top level) | `errors.py` | y |\n"
    assert table_modules(readme) == {"index/store.py", "index/build.py", "errors.py"}
