"""The page's HTTP guard: known Host only, same origin only, a password off loopback, safe headers.

One ASGI middleware in front of everything the server answers (the Gradio app, the document
viewer, /healthz), so no route can forget a check. It works on raw ASGI messages, so streamed
answers (server-sent events) pass through unbuffered.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.settings import knob_default

if TYPE_CHECKING:
    from assistant.settings import Settings

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARDS = ("0.0.0.0", "::", "")

# No remote loads of any kind: scripts, styles, images and fonts come from the page's own origin.
# Gradio's page needs inline scripts and styles, and its HTML component compiles templates
# with `new Function` ('unsafe-eval'); scripts still come only from the page's own origin.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]
# Gradio routes the page never uses: a server-side fetch of any URL, a proxy, the run history,
# MCP, the reload hook and the REST-style call routes (the page and gradio_client use the queue).
BLOCKED_PREFIXES = (
    "/gradio_api/proxy=",
    "/gradio_api/file=http",
    "/gradio_api/file/http",
    "/gradio_api/run-history",
    "/gradio_api/runs",
    "/gradio_api/mcp",
    "/gradio_api/dev/",
    "/gradio_api/vibe",
    "/gradio_api/run/",
    "/gradio_api/api/",
    "/gradio_api/call/",
    "/gradio_api/stream/",
    "/runs",
    "/mcp",
)


def is_loopback(host: str) -> bool:
    """True for localhost and every loopback address (127.0.0.0/8, ::1)."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_hosts(bound: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """Host names a request may carry: the bound address, loopback names, and the extras.

    Bound to every interface (0.0.0.0), the machine's own names and addresses are added too.
    """
    names = {*LOOPBACK_NAMES, *(e.strip().lower() for e in extra if e.strip())}
    host = bound.strip("[]").lower()
    if host in WILDCARDS:
        names |= _own_names()
    else:
        names.add(host)
    return frozenset(names)


def _own_names() -> set[str]:
    names = {socket.gethostname().lower(), socket.getfqdn().lower()}
    for name in list(names):
        try:
            names |= {str(info[4][0]).lower() for info in socket.getaddrinfo(name, None)}
        except OSError:
            continue
    return names


def host_of(header: str) -> str:
    """The host name of a Host header, without its port: 'a:80' -> 'a', '[::1]:80' -> '::1'."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


@dataclass(frozen=True)
class GuardConfig:
    """What the guard lets in."""

    hosts: frozenset[str]
    password: str | None = None
    username: str = "prep"
    realm: str = "Interview Prep Assistant"
    blocked: tuple[str, ...] = field(default=BLOCKED_PREFIXES)
    login_delay: float = field(default_factory=lambda: float(knob_default("page_login_delay")))


class Guard:
    """ASGI middleware: checks Host, Origin, password and path; adds the security headers."""

    def __init__(self, app: ASGIApp, config: GuardConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse what the page does not need; pass the rest on with safe headers."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is not None:
            await self._refuse(scope, receive, send, *refusal)
            return

        async def send_safe(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                kept = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if not k.lower().startswith(b"access-control-")
                    and k.lower() not in {h for h, _ in SECURITY_HEADERS}
                ]
                message["headers"] = kept + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_safe)

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """Status and reason to refuse this request with, or None to let it through."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host_header = headers.get("host", "")
        if host_of(host_header) not in self.config.hosts:
            return 403, "unknown Host header: open the page at the address prep serve printed"
        origin = headers.get("origin")
        if origin is not None and not self._same_origin(origin, host_header, scope):
            return 403, "cross-origin request refused: only the page itself may call it"
        if self.config.password is not None and not self._authorised(headers):
            return 401, "password required"
        path = unquote(scope.get("path", ""))
        if path.lower().startswith(self.config.blocked):
            return 403, "not available on this server"
        return None

    @staticmethod
    def _same_origin(origin: str, host_header: str, scope: Scope) -> bool:
        parts = urlsplit(origin.strip())
        if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
            return False
        return parts.netloc.lower() == host_header.strip().lower()

    def _authorised(self, headers: dict[str, str]) -> bool:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, given = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        assert self.config.password is not None
        ok_user = hmac.compare_digest(user.encode(), self.config.username.encode())
        ok_pass = hmac.compare_digest(given.encode(), self.config.password.encode())
        return ok_user and ok_pass

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, status: int, reason: str
    ) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        headers = [(b"content-type", b"text/plain; charset=utf-8"), *SECURITY_HEADERS]
        if status == 401:
            challenge = f'Basic realm="{self.config.realm}", charset="UTF-8"'
            headers.append((b"www-authenticate", challenge.encode()))
            if any(k.lower() == b"authorization" for k, _ in scope["headers"]):
                # A wrong password costs a guesser time (PREP_PAGE_LOGIN_DELAY).
                await asyncio.sleep(self.config.login_delay)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": f"{reason}\n".encode()})


def page_password(settings: Settings) -> str | None:
    """The page's password from PREP_PASSWORD or the first line of PREP_PASSWORD_FILE."""
    from assistant.errors import UnsafeServe

    if settings.password is not None:
        secret = settings.password.get_secret_value()
    elif settings.password_file is not None:
        try:
            lines = settings.password_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UnsafeServe(
                f"cannot read the password file {settings.password_file} "
                f"({getattr(exc, 'strerror', None) or exc}): fix PREP_PASSWORD_FILE"
            ) from None
        secret = lines[0].strip() if lines else ""
    else:
        return None
    if len(secret) < 8:
        raise UnsafeServe(
            "the page's password is shorter than 8 characters: set a longer PREP_PASSWORD "
            "or PREP_PASSWORD_FILE"
        )
    return secret


def guard_config(settings: Settings, host: str, open_page: bool = False) -> GuardConfig:
    """The guard for a server bound to host; off loopback a password is required unless open."""
    from assistant.errors import UnsafeServe

    password = page_password(settings)
    if password is None and not is_loopback(host) and not open_page:
        raise UnsafeServe(
            f"serving on {host} would let anyone who reaches it read and change your documents: "
            "set PREP_PASSWORD or PREP_PASSWORD_FILE, or pass --no-auth to accept an open page"
        )
    extra = [h for h in settings.allowed_hosts.split(",") if h.strip()]
    hosts = allowed_hosts(host, extra)
    return GuardConfig(hosts=hosts, password=password, login_delay=settings.page_login_delay)
