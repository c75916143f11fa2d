"""A scripted OpenAI-compatible chat server on 127.0.0.1, for testing the eval harness over HTTP.

Real sockets and real HTTP (stdlib `http.server` in a thread), no mocked client: the harness
talks to it exactly as it talks to vLLM or OpenAI. A test passes a `script(request, seen)`
function that decides, per request, what to do: answer (`Reply`, optionally after a delay, to
play a slow reply past the client's timeout), fail with a status (`Fail`, e.g. 429 with a
Retry-After header or a 500), answer 200 with a body that is not JSON (`NotJson`), or drop the
connection without answering (`Drop`). `seen` counts how many times the same prompt has been
asked, so "fail once, then answer" is easy to script.
Every request body is kept in `server.requests` for assertions. A `port` of a server stopped
before brings it back where clients look for it (a server restarting).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    content: str
    delay: float = 0.0
    prompt_tokens: int = 100
    completion_tokens: int = 20


@dataclass
class Fail:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "scripted failure"


@dataclass
class Drop:
    """Close the connection without sending a response."""


@dataclass
class NotJson:
    """Answer 200 with a body that is not JSON (a proxy's HTML page, say), or that a JSON
    `content_type` claims is (a body cut short, JSON nested deeper than Python reads)."""

    body: str = "<html><body>502 Bad Gateway</body></html>"
    content_type: str = "text/html"


@dataclass
class RawJson:
    """Answer 200 with this JSON body as it is (a malformed completion, say)."""

    body: Any


Action = Reply | Fail | Drop | NotJson | RawJson
Script = Callable[[dict[str, Any], int], Action]


def user_text(request: dict[str, Any]) -> str:
    """The text of the last user message (vision requests carry it in a text part)."""
    content = [m for m in request["messages"] if m["role"] == "user"][-1]["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if part.get("type") == "text")


class ScriptedOpenAI:
    def __init__(self, script: Script, port: int = 0) -> None:
        self.script = script
        self.requests: list[dict[str, Any]] = []
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw) if raw and len(raw) == length else None
                except ValueError:
                    body = None
                if not isinstance(body, dict):
                    # a client killed between its headers and its body (the resume test kills
                    # runs mid-request): there is no request to record or answer
                    self.close_connection = True
                    return
                if not self.path.endswith("/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                with outer._lock:
                    outer.requests.append(body)
                    key = json.dumps(body.get("messages"), sort_keys=True)
                    outer._seen[key] += 1
                    seen = outer._seen[key]
                action = outer.script(body, seen)
                if isinstance(action, Drop):
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if isinstance(action, NotJson):
                    data = action.body.encode()
                    self.send_response(200)
                    self.send_header("content-type", action.content_type)
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if isinstance(action, RawJson):
                    self._send(200, action.body)
                    return
                if isinstance(action, Fail):
                    self._send(
                        action.status, {"error": {"message": action.message}}, action.headers
                    )
                    return
                if action.delay:
                    time.sleep(action.delay)
                self._send(
                    200,
                    {
                        "id": f"chatcmpl-{len(outer.requests)}",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model", "scripted"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": action.content},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {
                            "prompt_tokens": action.prompt_tokens,
                            "completion_tokens": action.completion_tokens,
                            "total_tokens": action.prompt_tokens + action.completion_tokens,
                        },
                    },
                )

            def _send(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(obj).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (timeout) before the reply
                    self.close_connection = True

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> ScriptedOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
