"""A raw HTTP client for the page's events, as an attacker would speak to it (no gradio_client)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Event:
    """One event of the page: its index, trigger and input components."""

    fn_index: int
    trigger_id: int | None
    inputs: list[int]
    defaults: list[Any]
    types: list[str]


@dataclass
class Reply:
    """What the server said to one call: the HTTP status of the join and every queue message."""

    status: int
    messages: list[dict[str, Any]] = field(default_factory=list)
    body: str = ""

    def text(self) -> str:
        """Everything the server sent back, as one string to search."""
        return self.body + json.dumps(self.messages, ensure_ascii=False)

    def output(self) -> list[Any] | None:
        """The data of the completed call, or None if it failed or was refused."""
        for m in self.messages:
            if m.get("msg") == "process_completed" and m.get("success"):
                data = m.get("output", {}).get("data")
                return data if isinstance(data, list) else None
        return None


def config(url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The page's config, as the browser loads it."""
    for path in ("/config", "/gradio_api/config"):
        r = httpx.get(url + path, headers=headers, timeout=30)
        if r.status_code == 200:
            return dict(r.json())
    raise AssertionError(f"no config at {url}")


def events(cfg: dict[str, Any]) -> list[Event]:
    """Every event with a server function, with the default value of each input."""
    comps = {c["id"]: c for c in cfg["components"]}
    out = []
    for dep in cfg["dependencies"]:
        if not dep.get("backend_fn"):
            continue
        inputs = list(dep["inputs"])
        targets = dep.get("targets") or [[None]]
        out.append(
            Event(
                fn_index=int(dep["id"]),
                trigger_id=targets[0][0],
                inputs=inputs,
                defaults=[comps[i].get("props", {}).get("value") for i in inputs],
                types=[str(comps[i].get("type")) for i in inputs],
            )
        )
    return out


def call(
    url: str,
    event: Event,
    data: list[Any],
    headers: dict[str, str] | None = None,
    session: str | None = None,
    timeout: float = 120,
) -> Reply:
    """Join the queue with data for the event and read its messages until it completes."""
    session = session or uuid.uuid4().hex[:11]
    body = {
        "data": data,
        "fn_index": event.fn_index,
        "trigger_id": event.trigger_id,
        "session_hash": session,
        "event_data": None,
    }
    join = httpx.post(f"{url}/gradio_api/queue/join", json=body, headers=headers, timeout=30)
    if join.status_code != 200:
        return Reply(join.status_code, body=join.text)
    reply = Reply(join.status_code, body=join.text)
    params = {"session_hash": session}
    with httpx.stream(
        "GET", f"{url}/gradio_api/queue/data", params=params, headers=headers, timeout=timeout
    ) as r:
        if r.status_code != 200:
            reply.status = r.status_code
            return reply
        for line in r.iter_lines():
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:])
            reply.messages.append(msg)
            if msg.get("msg") in ("process_completed", "close_stream", "unexpected_error"):
                break
    return reply


def file_ref(path: str) -> dict[str, Any]:
    """A Gradio file reference pointing at a path on the server."""
    return {
        "path": path,
        "orig_name": path.rsplit("/", 1)[-1] or "x.md",
        "meta": {"_type": "gradio.FileData"},
    }


def file_payloads(path: str) -> list[Any]:
    """The shapes a file reference can hide in: bare, in a list, in a chat message."""
    ref = file_ref(path)
    return [
        ref,
        [ref],
        [{"role": "user", "content": ref}],
        [{"role": "user", "content": [ref]}],
        [{"role": "assistant", "content": {"file": ref, "alt_text": None}}],
        [[ref, None]],
        {"value": ref},
    ]
