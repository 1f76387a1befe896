"""A non-editable install in a fresh venv works from any folder and writes nothing into it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.model
PIP = [sys.executable, "-m", "pip"]


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def _fresh_venv_with_wheel(tmp_path: Path) -> tuple[Path, Path]:
    """A new venv with the project's wheel installed (its dependencies come from this venv)."""
    src = tmp_path / "src"
    shutil.copytree(
        ROOT / "assistant", src / "assistant", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [*PIP, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(src)],
        check=True,
        capture_output=True,
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    # The dependencies (torch, chromadb, ...) are not installed again: a path file points at
    # this venv's packages. Path files there are not run, so its editable hook stays out.
    site.joinpath("deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(wheels.glob("prep_assistant-*.whl"))
    subprocess.run(
        [*PIP, "--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    return venv, site


def test_wheel_install_indexes_answers_and_quizzes_from_anywhere(tmp_path: Path) -> None:
    """`pip install .` (not editable): prompts and seeds ship inside; data goes to the user."""
    venv, site = _fresh_venv_with_wheel(tmp_path)
    installed = site / "assistant"
    assert (installed / "resources" / "prompts" / "answer.system.md").is_file()
    assert len(list((installed / "resources" / "seeds").iterdir())) == 5
    before = _snapshot(site)
    elsewhere, home = tmp_path / "elsewhere", tmp_path / "home"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREP_", "XDG_"))}
    env.update(HOME=str(home), HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    prep = str(venv / "bin" / "prep")

    def run(*args: str, stdin: str = "") -> str:
        r = subprocess.run(
            [prep, *args], cwd=elsewhere, env=env, input=stdin, capture_output=True, text=True
        )
        assert r.returncode == 0, r.stderr[-2000:]
        return r.stdout

    where = run("ask", "--json", "What is the Keeper Test?")
    assert '"refused": false' in where and "Keeper" in where
    assert "Index is up to date" in run("index")
    quiz = run("quiz", "--n", "1", "--seed", "1", stdin="no idea\n")
    assert "Score: 0/1" in quiz
    data = home / ".local" / "share" / "prep-assistant"
    assert (data / "index" / "manifest.json").is_file()
    assert (data / "study" / "quiz.sqlite3").is_file()
    assert _snapshot(site) == before, "nothing is written into site-packages"
    assert not list(elsewhere.iterdir()), "nothing is written into the working folder"
