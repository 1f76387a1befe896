"""Warm helper: `prep ask` hands its question to a `prep serve` running on 127.0.0.1.

The server writes a handoff file (port, pid, a random token, its index folder and a fingerprint
of the settings that change answers) into the index folder, mode 0600, and removes it on exit.
The client uses only the standard library: any problem (no file, a stale or foreign one, a
refused or slow connection, another index or other settings, a bad proof) returns None and the
question is answered in-process instead. Requests and answers are authenticated both ways with
an HMAC of a fresh nonce under the token, so neither side trusts a port, only the token.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import secrets
import stat
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.settings import Settings

FILE = "handoff.json"
ROUTE = "/api/ask-local"
MAX_BODY = 64 * 1024  # a question is at most max_question_chars; JSON-escaped, well under this
MAX_ANSWER = 4 * 1024 * 1024
# Settings that never change an answer to a built index: how the page is served, how long
# builds wait, where your documents and quiz log are kept (the index folder itself is compared).
NOT_ANSWER_SETTINGS = frozenset(
    {
        "home",
        "docs_dir",
        "study_db",
        "password",
        "password_file",
        "allowed_hosts",
        "page_login_delay",
        "page_concurrency",
        "page_queue_size",
        "page_examples",
        "page_example_max_words",
        "handoff_connect_timeout",
        "handoff_answer_timeout",
        "handoff_warm_question",
        "watch_debounce_ms",
        "lock_timeout",
        "llm_api_key",
    }
)


@dataclass(frozen=True)
class Handoff:
    """What a running server tells `prep ask` about itself."""

    pid: int
    host: str
    port: int
    token: str
    index_dir: str
    settings: str


def settings_key(settings: Settings) -> str:
    """A fingerprint of every setting that can change an answer."""
    data = settings.model_dump(mode="json", exclude=set(NOT_ANSWER_SETTINGS))
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def handoff_path(settings: Settings) -> Path:
    """Where the server of this index folder leaves its handoff file."""
    return settings.index_dir / FILE


def mac(token: str, kind: str, nonce: str, body: bytes) -> str:
    """HMAC-SHA256 of one request ('ask') or answer ('answer') under the server's token."""
    message = f"{kind}\n{nonce}\n".encode() + body
    return hmac.new(token.encode(), message, hashlib.sha256).hexdigest()


def generation(settings: Settings) -> str:
    """The live index generation (the manifest's chunk collection), '' if none."""
    try:
        data = json.loads((settings.index_dir / "manifest.json").read_text(encoding="utf-8"))
        return str(data.get("collection", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def publish(settings: Settings, host: str, port: int) -> Handoff:
    """Write this server's handoff file (mode 0600, atomically) and return what it says."""
    path = handoff_path(settings)
    record = Handoff(
        pid=os.getpid(),
        host=host,
        port=port,
        token=secrets.token_hex(32),
        index_dir=str(settings.index_dir),
        settings=settings_key(settings),
    )
    tmp = path.with_name(f".{FILE}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(asdict(record), fh)
    os.replace(tmp, path)
    return record


def withdraw(settings: Settings, record: Handoff) -> None:
    """Remove the handoff file if it is still this server's (another may have replaced it)."""
    path = handoff_path(settings)
    current = read_handoff(path)
    if current is not None and hmac.compare_digest(current.token, record.token):
        path.unlink(missing_ok=True)


def read_handoff(path: Path) -> Handoff | None:
    """The handoff file if it is a regular file of ours that only we can read, else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
            return None
        if st.st_size > 4096:
            return None
        data = json.loads(os.read(fd, 4096).decode("utf-8"))
        record = Handoff(**data)
    except (OSError, ValueError, TypeError):
        return None
    finally:
        os.close(fd)
    ok = (
        isinstance(record.pid, int)
        and record.pid > 0  # os.kill(0 or -1, 0) would ask about a whole group
        and isinstance(record.port, int)
        and 0 < record.port < 65536
        and isinstance(record.token, str)
        and len(record.token) >= 32
        and isinstance(record.host, str)
        and record.host.startswith("127.")
    )
    return record if ok else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (OSError, OverflowError):
        return False  # gone, or not ours (PermissionError)
    return True


def ask_server(
    settings: Settings, question: str, k: int | None = None, company: str | None = None
) -> dict[str, str] | None:
    """The answer of a running `prep serve` ({'text', 'json'} as `prep ask` prints), else None."""
    if settings.llm != "extractive":
        return None  # an LLM answer streams, and costs far more than the start-up saved
    record = read_handoff(handoff_path(settings))
    if record is None or record.index_dir != str(settings.index_dir):
        return None
    if record.settings != settings_key(settings) or not _alive(record.pid):
        return None
    live = generation(settings)
    if not live:
        return None
    try:
        return _post(settings, record, question, k, company, live)
    except Exception:  # any failure: answer in-process, silently
        return None


def _post(
    settings: Settings,
    record: Handoff,
    question: str,
    k: int | None,
    company: str | None,
    live: str,
) -> dict[str, str] | None:
    body = json.dumps(
        {"question": question, "k": k, "company": company, "generation": live}
    ).encode()
    if len(body) > MAX_BODY:
        return None
    nonce = secrets.token_hex(16)
    conn = http.client.HTTPConnection(
        record.host, record.port, timeout=settings.handoff_connect_timeout
    )
    try:
        conn.connect()
        assert conn.sock is not None
        conn.sock.settimeout(settings.handoff_answer_timeout)
        headers = {
            "Host": f"{record.host}:{record.port}",
            "Content-Type": "application/json",
            "X-Prep-Nonce": nonce,
            "X-Prep-Auth": mac(record.token, "ask", nonce, body),
        }
        conn.request("POST", ROUTE, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read(MAX_ANSWER + 1)
        proof = resp.getheader("X-Prep-Proof", "")
    finally:
        conn.close()
    if resp.status != 200 or len(data) > MAX_ANSWER:
        return None
    if not hmac.compare_digest(proof, mac(record.token, "answer", nonce, data)):
        return None
    reply: Any = json.loads(data.decode("utf-8"))
    if not (isinstance(reply.get("text"), str) and isinstance(reply.get("json"), str)):
        return None
    return {"text": reply["text"], "json": reply["json"]}
