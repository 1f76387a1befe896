"""The package's shape: stages import only lower stages, no import cycles, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "assistant"

# Lowest first. A module may import its own stage and any stage before it, never a later one.
STAGES = ("core", "domain", "ingest", "index", "retrieve", "answer", "study", "evaluation", "app")
MAX_LINES = 400


def module_name(path: Path, package: Path = PACKAGE) -> str:
    """Dotted module name of a source file ('assistant.index.store', 'assistant.app.cli')."""
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage(module: str) -> str:
    """The stage a module belongs to: its sub-package, or 'core' for top-level modules."""
    parts = module.split(".")
    if module == "assistant.__main__":
        return "app"  # `python -m assistant` is the CLI
    if len(parts) == 1:
        return "core"
    return parts[1] if len(parts) > 2 or parts[1] in STAGES else "core"


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(source: str, module: str, known: set[str]) -> tuple[set[str], set[str]]:
    """(run-time imports, type-checking-only imports) of package modules in one source file."""
    run, typing_only = set(), set()

    def visit(node: ast.AST, type_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for sub in child.body:
                    visit_one(sub, True)
                for sub in child.orelse:
                    visit_one(sub, type_only)
                continue
            visit_one(child, type_only)

    def visit_one(node: ast.AST, type_only: bool) -> None:
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        for name in names:
            target = name if name in known else None
            if target is None and name.rsplit(".", 1)[0] in known and name != node_module(node):
                target = name.rsplit(".", 1)[0]
            if target and target != module and target.startswith("assistant."):
                (typing_only if type_only else run).add(target)
        visit(node, type_only)

    def node_module(node: ast.AST) -> str:
        return getattr(node, "module", "") or ""

    visit(ast.parse(source), False)
    return run, typing_only - run


def _graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(files)
    run, typing_only = {}, {}
    for name, path in files.items():
        run[name], typing_only[name] = imports(path.read_text(encoding="utf-8"), name, known)
    return run, typing_only


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return out


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """'a -> b' for every import of a later stage by an earlier one."""
    return [
        f"{a} -> {b}"
        for a, targets in sorted(graph.items())
        for b in sorted(targets)
        if STAGES.index(stage(b)) > STAGES.index(stage(a))
    ]


def test_no_import_cycles() -> None:
    run, _ = _graph()
    assert cycles(run) == []


def test_stages_import_only_lower_stages() -> None:
    run, typing_only = _graph()
    both = {m: run[m] | typing_only[m] for m in run}
    assert layer_violations(both) == []


def test_every_package_module_belongs_to_a_stage() -> None:
    run, _ = _graph()
    assert {stage(m) for m in run} <= set(STAGES)
    assert {m.split(".")[1] for m in run if m.count(".") >= 2} <= set(STAGES)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_modules_stay_small(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE.parent)}: {lines} lines; split it"


# The checkers themselves can fail: a cycle and an upward import written for the test.


def test_cycle_finder_sees_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_layer_check_sees_an_upward_import(tmp_path: Path) -> None:
    pkg = tmp_path / "assistant"
    (pkg / "index").mkdir(parents=True)
    (pkg / "app").mkdir()
    (pkg / "index" / "store.py").write_text(
        "def f():\n    from assistant.app.service import Assistant\n"
    )
    (pkg / "app" / "service.py").write_text("from typing import TYPE_CHECKING\n")
    known = {module_name(p, pkg) for p in pkg.rglob("*.py")}
    run, _ = imports((pkg / "index" / "store.py").read_text(), "assistant.index.store", known)
    assert run == {"assistant.app.service"}
    assert layer_violations({"assistant.index.store": run}) == [
        "assistant.index.store -> assistant.app.service"
    ]


def test_type_checking_imports_are_kept_apart() -> None:
    src = "from typing import TYPE_CHECKING\n"
    src += "if TYPE_CHECKING:\n    from assistant.app.service import A\n"
    run, typing_only = imports(src, "assistant.index.store", {"assistant.app.service"})
    assert run == set()
    assert typing_only == {"assistant.app.service"}
