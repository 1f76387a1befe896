"""Real server processes for tests: a free port, and a process that is up before use."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (yet)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(url: str) -> tuple[int, str]:
    """Status and body of a GET (an HTTP error status is returned, not raised)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@contextmanager
def running(
    cmd: list[str], ready_url: str, env: dict[str, str] | None = None, timeout: float = 120
) -> Iterator[subprocess.Popen[str]]:
    """Start cmd, wait until ready_url answers 200, and stop the process afterwards.

    Output goes to a temporary file: a pipe nobody reads fills up and stalls a chatty server.
    """
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
        yield from _until_ready(proc, log, cmd, ready_url, timeout)


def _until_ready(
    proc: subprocess.Popen[str], log: Any, cmd: list[str], ready_url: str, timeout: float
) -> Iterator[subprocess.Popen[str]]:
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"{cmd[0]} exited with {proc.returncode}: {log.read()[-2000:]}")
            try:
                if http_get(ready_url)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{' '.join(cmd[:3])} did not answer {ready_url} within {timeout:g} s")
            time.sleep(0.5)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
