"""The private route a running `prep serve` answers `prep ask` on (127.0.0.1 only, token-bound).

Never listed in any API description; present only when the server is bound to an IPv4
loopback address without a password. A request must come from loopback, carry no Origin
(browsers always send one on a cross-site POST), name the bound address as Host, and prove
knowledge of the token with an HMAC of a fresh nonce; the answer carries the server's proof.
At most page_concurrency answers run at once and page_queue_size wait, as on the page.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections import deque
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from assistant.app.handoff import MAX_BODY, ROUTE, Handoff, mac
from assistant.app.web.guard import host_of, is_loopback
from assistant.errors import PrepError

if TYPE_CHECKING:
    from assistant.app.service import Assistant


def add_handoff_route(app: Any, assistant: Assistant, record: Handoff) -> None:
    """Register POST /api/ask-local on the FastAPI app."""
    settings = assistant.settings
    running = asyncio.Semaphore(settings.page_concurrency)
    waiting = [0]
    seen: deque[str] = deque(maxlen=4096)  # nonces already used: a replay is refused

    def refuse(status: int, reason: str) -> Response:
        return Response(f"{reason}\n", status_code=status, media_type="text/plain")

    def check(request: Request, body: bytes) -> Response | None:
        client = request.client.host if request.client else ""
        if not is_loopback(client) or "origin" in request.headers:
            return refuse(403, "not available")
        if host_of(request.headers.get("host", "")) != record.host:
            return refuse(403, "not available")
        nonce = request.headers.get("x-prep-nonce", "")
        given = request.headers.get("x-prep-auth", "")
        if not (16 <= len(nonce) <= 64) or len(body) > MAX_BODY:
            return refuse(403, "not available")
        if not hmac.compare_digest(given, mac(record.token, "ask", nonce, body)):
            return refuse(403, "not available")
        if nonce in seen:
            return refuse(403, "not available")
        seen.append(nonce)
        return None

    def answer(body: bytes) -> tuple[int, dict[str, str]]:
        try:
            req = json.loads(body.decode("utf-8"))
            question, k, company = req["question"], req.get("k"), req.get("company")
            if not isinstance(question, str) or not isinstance(company, str | None):
                return 400, {}
            if k is not None and (not isinstance(k, int) or not 1 <= k <= 50):
                return 400, {}
        except (ValueError, KeyError, TypeError, AttributeError):
            return 400, {}
        if req.get("generation") != assistant.reader.manifest.collection:
            return 409, {}  # the client sees another index generation than this server answers
        try:
            got = assistant.ask(question, k=k, company=company)
        except PrepError:
            return 422, {}  # the client answers in-process and shows the error itself
        line = json.dumps(got.to_json(), ensure_ascii=False)
        return 200, {"text": got.to_text(), "json": line}

    @app.post(ROUTE, include_in_schema=False)
    async def ask_local(request: Request) -> Response:
        size = request.headers.get("content-length", "")
        if not size.isdigit() or int(size) > MAX_BODY:
            return refuse(403, "not available")
        body = await request.body()
        refusal = check(request, body)
        if refusal is not None:
            return refusal
        if waiting[0] >= settings.page_queue_size:
            return refuse(503, "busy")
        waiting[0] += 1
        try:
            async with running:
                status, reply = await run_in_threadpool(answer, body)
        finally:
            waiting[0] -= 1
        if status != 200:
            return refuse(status, "not answered")
        data = json.dumps(reply, ensure_ascii=False).encode("utf-8")
        nonce = request.headers["x-prep-nonce"]
        proof = mac(record.token, "answer", nonce, data)
        return Response(data, media_type="application/json", headers={"X-Prep-Proof": proof})
