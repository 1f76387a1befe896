"""Real HTTP servers on 127.0.0.1 that speak the OpenAI and Ollama chat protocols, scripted.

Each records the requests it received, so tests can check the prompt the server saw.
Modes: "ok" (reply with `reply`), "500", "garbage" (200 with a body that is not JSON),
"slow" (sleep past the client's timeout), "empty" (an empty answer), "gate" (stream the first
piece, then wait for `release` before the rest: proves the client streams).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_REPLY = (
    "Netflix pays an L5 senior MLE $520k–$780k in total [1]. "
    "Spotify pays ML engineers in London £206K–£261K [2]. "
    "Nobody knows the future. "
    "The culture memo stresses candour [9]."
)


def pieces(text: str, size: int = 12) -> list[str]:
    """The reply cut into stream deltas."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and hung up is what some tests want


class ScriptedLLM:
    """A threaded HTTP server on 127.0.0.1 with a scripted reply."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.reply = DEFAULT_REPLY
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.slow_seconds = 5.0
        self.release = threading.Event()
        self.released_at: float | None = None
        handler = self._handler()
        self.httpd = _QuietServer(("127.0.0.1", 0), handler)
        self.port = int(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ScriptedLLM:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset(self, mode: str = "ok", reply: str = DEFAULT_REPLY) -> None:
        self.mode, self.reply = mode, reply
        self.requests.clear()
        self.paths.clear()
        self.release.clear()
        self.released_at = None

    def prompt_text(self, index: int = -1) -> str:
        """All message contents of a received request, joined."""
        return "\n".join(str(m.get("content", "")) for m in self.requests[index]["messages"])

    # --- protocol ---------------------------------------------------------------------------
    def _stream_pieces(self) -> Iterator[str]:
        parts = pieces(self.reply)
        for n, part in enumerate(parts):
            if self.mode == "gate" and n == 1:
                self.release.wait(timeout=15)
                self.released_at = time.monotonic()
            yield part

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _start_stream(self, ctype: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def _end_stream(self) -> None:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def do_GET(self) -> None:
                server.paths.append(self.path)
                if self.path.rstrip("/") in ("/v1/models", "/api/tags"):
                    self._send(200, json.dumps({"data": [], "models": []}).encode())
                else:
                    self._send(404, b'{"error": "not found"}')

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.paths.append(self.path)
                server.requests.append(body)
                if server.mode == "slow":
                    time.sleep(server.slow_seconds)
                if server.mode == "500":
                    self._send(500, b'{"error": {"message": "internal error", "type": "server"}}')
                    return
                if server.mode == "garbage":
                    self._send(200, b"<html>this is not a chat completion</html>")
                    return
                if self.path.startswith("/v1/chat/completions"):
                    self._openai(body)
                elif self.path.startswith("/api/chat"):
                    self._ollama(body)
                else:
                    self._send(404, b'{"error": "not found"}')

            def _openai(self, body: dict[str, Any]) -> None:
                text = "" if server.mode == "empty" else server.reply
                base = {"id": "cmpl-1", "created": 1, "model": body.get("model", "m")}
                if not body.get("stream"):
                    reply = {
                        **base,
                        "object": "chat.completion",
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": text},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                    self._send(200, json.dumps(reply).encode())
                    return
                self._start_stream("text/event-stream")
                for part in server._stream_pieces() if text else []:
                    delta = {
                        **base,
                        "object": "chat.completion.chunk",
                        "choices": [
                            {"index": 0, "delta": {"content": part}, "finish_reason": None}
                        ],
                    }
                    self._chunk(f"data: {json.dumps(delta)}\n\n".encode())
                done = {
                    **base,
                    "object": "chat.completion.chunk",
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                }
                self._chunk(f"data: {json.dumps(done)}\n\n".encode())
                self._chunk(b"data: [DONE]\n\n")
                self._end_stream()

            def _ollama(self, body: dict[str, Any]) -> None:
                text = "" if server.mode == "empty" else server.reply
                model = body.get("model", "m")
                final = {
                    "model": model,
                    "created_at": "2026-11-23T00:00:00Z",
                    "message": {"role": "assistant", "content": ""},
                    "done": True,
                    "done_reason": "stop",
                    "total_duration": 1,
                    "eval_count": 1,
                    "prompt_eval_count": 1,
                }
                if body.get("stream") is False:
                    final["message"]["content"] = text  # type: ignore[index]
                    self._send(200, json.dumps(final).encode())
                    return
                self._start_stream("application/x-ndjson")
                for part in server._stream_pieces() if text else []:
                    line = {
                        "model": model,
                        "created_at": "2026-11-23T00:00:00Z",
                        "message": {"role": "assistant", "content": part},
                        "done": False,
                    }
                    self._chunk((json.dumps(line) + "\n").encode())
                self._chunk((json.dumps(final) + "\n").encode())
                self._end_stream()

        return Handler
