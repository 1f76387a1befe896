"""Attacks on a real `prep serve` over HTTP: nothing outside the page's own data leaks or lands."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from assistant.settings import Settings
from tests.conftest import copy_seeds
from tests.procs import free_port, running
from tests.security import wire

pytestmark = pytest.mark.model

PREP = str(Path(sys.executable).with_name("prep"))
TOKEN = "SECRET-TOKEN-7f3a9c"  # in the files an attacker tries to read
ENV_TOKEN = "ENV-SECRET-5b1d2e"  # in the server's environment (/proc/self/environ)
FOREIGN_ORIGINS = [
    "http://evil.example",
    "http://localhost:1",  # another local app
    "http://127.0.0.1:1",
    "null",
]


class _Pixel(BaseHTTPRequestHandler):
    """A remote image host on loopback that counts every request it gets."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Pixel.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.end_headers()
        self.wfile.write(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class Served:
    """A running page and the folders an attack must not touch."""

    url: str
    work: Path
    cache: Path
    docs: Path
    secrets: list[Path]
    pixel_port: int
    pixel_hits: list[str]


def evil_document(pixel_port: int) -> str:
    """A user's note with remote images in the sentences that answer its questions."""
    return (
        "---\ntitle: Zorblax offer notes\ncompany: zorblax\n---\n"
        "# Zorblax offer notes\n\n"
        f'The signing bonus at Zorblax is $25,000 <img src="http://127.0.0.1:{pixel_port}/'
        'html.gif"> paid after the first month.\n\n'
        f"The relocation budget at Zorblax is $12,000 [logo](http://127.0.0.1:{pixel_port}/md.gif) "
        "for movers.\n\n"
        f'The Zorblax gym stipend is <a href="http://127.0.0.1:{pixel_port}/link">$90</a> a '
        f'month <iframe src="http://127.0.0.1:{pixel_port}/frame"></iframe> for employees.\n'
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`prep serve` on 127.0.0.1 over two seeds and a note with remote images."""
    from assistant.index.build import build_index

    base = tmp_path_factory.mktemp("attack")
    pixel = ThreadingHTTPServer(("127.0.0.1", 0), _Pixel)
    threading.Thread(target=pixel.serve_forever, daemon=True).start()
    pixel_port = int(pixel.server_address[1])
    work, cache, docs = base / "work", base / "gradio-cache", base / "documents"
    for d in (work, cache, docs):
        d.mkdir()
    docs.joinpath("zorblax.md").write_text(evil_document(pixel_port), encoding="utf-8")
    names = ["001_1a1fcd35119ebbf9.txt", "004_878f18a71d669f95.txt"]
    settings = Settings(
        seeds_dir=copy_seeds(base / "seeds", names),
        docs_dir=docs,
        study_db=base / "study.sqlite3",
        index_dir=base / "index",
    )
    report = build_index(settings)
    assert report.files == 3 and not report.skipped, report
    secrets = [work / "notes.md", Path(tempfile.gettempdir()) / f"prep-secret-{os.getpid()}.md"]
    for s in secrets:
        s.write_text(f"# Private\n\nThe password is {TOKEN}.\n", encoding="utf-8")
    port = free_port()
    env = {
        **os.environ,
        "PREP_SEEDS_DIR": str(settings.seeds_dir),
        "PREP_INDEX_DIR": str(settings.index_dir),
        "PREP_DOCS_DIR": str(docs),
        "PREP_STUDY_DB": str(settings.study_db),
        "GRADIO_TEMP_DIR": str(cache),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "PREP_TEST_MARKER": ENV_TOKEN,
    }
    url = f"http://127.0.0.1:{port}"
    cmd = [PREP, "serve", "--port", str(port)]
    try:
        with _in(work), running(cmd, f"{url}/healthz", env):
            yield Served(url, work, cache, docs, secrets, pixel_port, _Pixel.hits)
    finally:
        pixel.shutdown()
        for s in secrets:
            s.unlink(missing_ok=True)


class _in:
    """Run the server with this working directory (Gradio trusts files in its cwd)."""

    def __init__(self, path: Path) -> None:
        self.path, self.old = path, ""

    def __enter__(self) -> None:
        self.old = os.getcwd()
        os.chdir(self.path)

    def __exit__(self, *exc: object) -> None:
        os.chdir(self.old)


def _targets(served: Served) -> list[str]:
    return ["/etc/passwd", "/proc/self/environ", *(str(s) for s in served.secrets)]


def _leaked(text: str) -> bool:
    return TOKEN in text or ENV_TOKEN in text or "root:x:0:0" in text


def _cache_leaks(served: Served) -> list[str]:
    """Files in Gradio's cache or the documents folder that hold a secret."""
    found = []
    for folder in (served.cache, served.docs):
        for p in folder.rglob("*"):
            if p.is_file() and _leaked(p.read_bytes().decode("utf-8", "replace")):
                found.append(str(p))
    return found


def _served_files(served: Served, reply: wire.Reply) -> list[str]:
    """Fetch every file URL the server handed back; the bodies of those that leak."""
    import re

    leaks = []
    for ref in re.findall(r"gradio_api/file=([^\"'\s)]+)", reply.text()):
        body = httpx.get(f"{served.url}/gradio_api/file={ref}", timeout=10).text
        if _leaked(body):
            leaks.append(ref)
    for m in reply.messages:
        for path in re.findall(r'"path":\s*"([^"]+)"', str(m).replace("'", '"')):
            body = httpx.get(f"{served.url}/gradio_api/file={path}", timeout=10).text
            if _leaked(body):
                leaks.append(path)
    return leaks


def _documents(served: Served) -> int:
    return int(httpx.get(f"{served.url}/healthz", timeout=10).json()["documents"])


def test_file_references_in_every_event_input_are_refused(served: Served) -> None:
    """Each input of each event, given a server path in every shape, copies and serves nothing."""
    evs = wire.events(wire.config(served.url))
    assert evs, "the page has events"
    before = _documents(served)
    tried = 0
    for ev in evs:
        for i, kind in enumerate(ev.types):
            if kind == "state":
                continue
            for target in _targets(served):
                for payload in wire.file_payloads(target):
                    data = list(ev.defaults)
                    data[i] = payload
                    reply = wire.call(served.url, ev, data)
                    tried += 1
                    assert not _leaked(reply.text()), (ev.fn_index, kind, target, payload)
                    assert not _served_files(served, reply), (ev.fn_index, kind, target)
    assert tried > 20
    assert not _cache_leaks(served), "a secret was copied into the cache or documents"
    assert _documents(served) == before, "nothing new is indexed"
    assert not [p for p in served.docs.iterdir() if p.name != "zorblax.md"]


def test_chat_history_is_text_only(served: Served) -> None:
    """The ask API takes a question and a company; a forged history cannot be sent at all."""
    cfg = wire.config(served.url)
    ask = [d for d in cfg["dependencies"] if d.get("api_name") == "ask"]
    assert ask, "the ask event is on the API"
    comps = {c["id"]: c for c in cfg["components"]}
    kinds = [comps[i]["type"] for i in ask[0]["inputs"]]
    assert "chatbot" not in kinds, f"the chat history is an input the client controls: {kinds}"


def test_only_the_pages_questions_are_on_the_api(served: Served) -> None:
    """The API lists the two events a script may call (ask, compare), nothing else."""
    info = httpx.get(served.url + "/gradio_api/info", timeout=10).json()
    assert sorted(info["named_endpoints"]) == ["/ask", "/compare"], info["named_endpoints"]
    assert not info.get("unnamed_endpoints")
    for path in ("/gradio_api/run/ask", "/gradio_api/call/ask", "/gradio_api/mcp/sse"):
        r = httpx.post(served.url + path, json={"data": ["x", "All"]}, timeout=10)
        assert r.status_code in (403, 404, 405), (path, r.status_code)


def test_server_path_as_upload_is_refused(served: Served) -> None:
    """The upload event given server paths (not files the browser uploaded) adds nothing."""
    evs = wire.events(wire.config(served.url))
    uploads = [e for e in evs if "file" in e.types]
    assert uploads, "the page has an upload event"
    before = _documents(served)
    for ev in uploads:
        slot = ev.types.index("file")
        for target in _targets(served):
            data = list(ev.defaults)
            data[slot] = [wire.file_ref(target)]
            reply = wire.call(served.url, ev, data)
            assert not _leaked(reply.text())
            assert reply.output() is None or "Indexed" not in str(reply.output())
    assert sorted(p.name for p in served.docs.iterdir()) == ["zorblax.md"]
    assert _documents(served) == before
    assert not _cache_leaks(served)


def test_foreign_host_header_is_refused(served: Served) -> None:
    """DNS rebinding: a page at another name that resolves to 127.0.0.1 gets nothing."""
    port = served.url.rsplit(":", 1)[1]
    for host in ("evil.example", f"evil.example:{port}", f"attacker.test:{port}"):
        for path in ("/", "/healthz", "/config", "/gradio_api/info"):
            r = httpx.get(served.url + path, headers={"Host": host}, timeout=10)
            assert r.status_code in (400, 403, 421), (host, path, r.status_code)
            assert TOKEN not in r.text
        ev = wire.events(wire.config(served.url))[0]
        reply = wire.call(served.url, ev, list(ev.defaults), headers={"Host": host})
        assert reply.status in (400, 403, 421), (host, reply.status)
    assert httpx.get(served.url + "/healthz", timeout=10).status_code == 200
    own = {"Host": f"localhost:{port}"}
    assert httpx.get(served.url + "/healthz", headers=own, timeout=10).status_code == 200


def test_foreign_origin_is_refused(served: Served) -> None:
    """Another site or another local app cannot drive the page from a browser (CORS)."""
    evs = wire.events(wire.config(served.url))
    for origin in FOREIGN_ORIGINS:
        headers = {"Origin": origin}
        r = httpx.get(served.url + "/config", headers=headers, timeout=10)
        assert r.status_code == 403, (origin, r.status_code)
        assert "access-control-allow-origin" not in r.headers
        pre = httpx.request(
            "OPTIONS",
            served.url + "/gradio_api/queue/join",
            headers={**headers, "Access-Control-Request-Method": "POST"},
            timeout=10,
        )
        assert "access-control-allow-origin" not in pre.headers, origin
        assert pre.headers.get("access-control-allow-credentials") != "true"
        reply = wire.call(served.url, evs[0], list(evs[0].defaults), headers=headers)
        assert reply.status == 403, (origin, reply.status)
    own = {"Origin": served.url}
    assert httpx.get(served.url + "/config", headers=own, timeout=10).status_code == 200


def test_security_headers_on_every_response(served: Served) -> None:
    """CSP without remote loads, no framing, no sniffing, on pages, API, documents and 404s."""
    paths = ["/", "/healthz", "/config", "/gradio_api/info", "/doc/nope", "/no-such-page"]
    for path in paths:
        r = httpx.get(served.url + path, timeout=10)
        csp = r.headers.get("content-security-policy", "")
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, (path, csp)
        img = next((d for d in csp.split(";") if d.strip().startswith("img-src")), "")
        assert "http:" not in img and "*" not in img and "https:" not in img, (path, img)
        assert r.headers.get("x-frame-options") == "DENY", path
        assert r.headers.get("x-content-type-options") == "nosniff", path
        assert r.headers.get("referrer-policy") == "no-referrer", path


def test_file_route_serves_no_server_file(served: Served) -> None:
    """Gradio's /file= route serves neither server files nor remote URLs."""
    for target in [*_targets(served), "notes.md", "http://example.com/x.png"]:
        r = httpx.get(f"{served.url}/gradio_api/file={target}", timeout=10)
        assert r.status_code >= 400, (target, r.status_code)
        assert not _leaked(r.text)


def _ask(served: Served, question: str) -> list[Any]:
    cfg = wire.config(served.url)
    ask = next(d for d in cfg["dependencies"] if d.get("api_name") == "ask")
    ev = next(e for e in wire.events(cfg) if e.fn_index == ask["id"])
    data = list(ev.defaults)
    comps = {c["id"]: c for c in cfg["components"]}
    for i, cid in enumerate(ev.inputs):
        if comps[cid]["type"] == "textbox":
            data[i] = question
            break
    reply = wire.call(served.url, ev, data)
    out = reply.output()
    assert out is not None, reply.text()[:2000]
    return out


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("What is the signing bonus at Zorblax?", "25,000"),
        ("What is the relocation budget at Zorblax?", "12,000"),
        ("What is the Zorblax gym stipend?", "$90"),
    ],
)
def test_html_in_a_document_is_text_not_markup(served: Served, question: str, figure: str) -> None:
    """The answer and its sources carry no live tag or markdown image from the document."""
    out = _ask(served, question)
    chat, panels = str(out[0]), str(out[1:])  # markdown of the chat; HTML of the sources panel
    assert figure in chat, chat[:1500]
    for live in ("<img", "<iframe", "[logo](http", '<a href="http://127.0.0.1'):
        assert live not in chat, (live, chat[:1500])  # markdown would render these
    for live in ("<img", "<iframe", '<a href="http://127.0.0.1'):
        assert live not in panels, (live, panels[:1500])  # HTML would render these


@pytest.mark.browser
def test_remote_images_are_not_loaded_by_the_browser(served: Served, browser: object) -> None:
    """Asked in a real browser, the answer shows the note's text; the image host is never hit."""
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(served.url)
    page.wait_for_selector("#question textarea")
    for question, phrase in (
        ("What is the signing bonus at Zorblax?", "25,000"),
        ("What is the relocation budget at Zorblax?", "12,000"),
    ):
        page.fill("#question textarea", question)
        page.click("#ask")
        page.wait_for_function(
            "p => [...document.querySelectorAll('#chat .bot')].some(b => b.innerText.includes(p))",
            arg=phrase,
            timeout=60_000,
        )
    page.wait_for_timeout(1500)
    assert served.pixel_hits == [], served.pixel_hits
    bots = " ".join(page.locator("#chat .bot").all_inner_texts())
    assert "img src" in bots or "logo" in bots, bots  # shown as text, not dropped silently
    page.close()


def test_non_loopback_host_needs_a_password(tmp_path: Path) -> None:
    """`--host 0.0.0.0` without a password refuses to start, with a one-line reason."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PREP_INDEX_DIR": str(tmp_path / "index")}
    env.pop("PREP_PASSWORD", None)
    r = subprocess.run(
        [PREP, "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode != 0
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "PREP_PASSWORD" in lines[0] and "--no-auth" in lines[0], r.stderr
    assert "Traceback" not in r.stderr


def test_password_protects_every_route(served: Served, tmp_path: Path) -> None:
    """With a password every route, the page's events included, needs it."""
    port = free_port()
    secret = tmp_path / "password.txt"
    secret.write_text("correct horse battery\n", encoding="utf-8")
    env = {
        **os.environ,
        "PREP_SEEDS_DIR": str(served.work.parent / "seeds"),
        "PREP_INDEX_DIR": str(served.work.parent / "index"),
        "PREP_DOCS_DIR": str(served.docs),
        "PREP_PASSWORD_FILE": str(secret),
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    url = f"http://127.0.0.1:{port}"
    cmd = [PREP, "serve", "--host", "0.0.0.0", "--port", str(port)]
    with _up(cmd, env, url):
        for path in ("/", "/healthz", "/config", "/gradio_api/info", "/doc/x"):
            r = httpx.get(url + path, timeout=10)
            assert r.status_code == 401, (path, r.status_code)
            bad = httpx.get(url + path, auth=("prep", "wrong"), timeout=10)
            assert bad.status_code == 401, path
        good = httpx.get(url + "/healthz", auth=("prep", "correct horse battery"), timeout=10)
        assert good.status_code == 200 and good.json()["documents"] == 3


class _up:
    """Start a server whose readiness probe itself needs the password."""

    def __init__(self, cmd: list[str], env: dict[str, str], url: str) -> None:
        self.cmd, self.env, self.url = cmd, env, url
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> None:
        import time

        self.proc = subprocess.Popen(
            self.cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                pytest.fail(f"prep serve exited: {err[-1500:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code in (200, 401):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        pytest.fail("prep serve did not start")

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
