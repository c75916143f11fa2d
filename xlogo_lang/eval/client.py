"""Calling an OpenAI-compatible chat endpoint, with retries that respect the server.

One `ChatClient.complete` call is one attempt's request: it retries rate limits (429), server
errors (5xx, 408, 409), timeouts and dropped connections with exponential backoff and jitter,
waits at least as long as a `Retry-After` header asks, and gives up after `max_retries` retries
with a `RequestFailed` that says why. Client errors (400, 401, 404, ...) are not retried: they
would fail the same way again. All the delays and the per-request timeout are parameters, so
tests can run the whole policy in milliseconds.

A wait longer than a few seconds (`RetryPolicy.notice_after`, 5 s) is told to the client's
`on_wait` as a `Wait` before it starts: a Retry-After of minutes, or the later backoffs, would
otherwise look like a run that hangs. The attempts that one rate limit stops together wait
until about the same time, so a wait that ends within `notice_after` of one already told is not
told again. This module never prints; the caller says it (`xlogo eval`, `xlogo curriculum`).

One failure is not retried although it looks transient: a connection that cannot be made at all
(refused, an unknown host) before the endpoint has answered once in this client's life. That is
a server that is not there (not started, a wrong port), and retrying it would only wait out the
whole backoff (about 50 s per attempt with the default policy) before every attempt failed the
same way; `Unreachable` says so at once, so the runner can stop the run. Once the endpoint has
answered, a refused connection may be a server restarting, and the policy holds, but for one
attempt only: an attempt whose retries all run out on connections that cannot be made (the last
one too) has waited out the whole policy for a server that is gone, so it raises `Unreachable`
as well ("it answered earlier"), and every other attempt then stops at its next connection that
cannot be made (its backoff cut short) instead of waiting out the policy again. Otherwise a
server that died mid-run cost each pending attempt the whole policy, one after another. Any
reply (an error status too) means the endpoint is back, and the policy holds again.

A reply that came back and cannot be read as a completion is a `bad_response`, not retried. A
request the openai client refuses to send (a parameter it does not take, a value it cannot
encode) is no reply at all: a `UsageError` naming the caller's parameter, or, when no parameter
is at fault, the error itself (a bug). The request and the reading of its reply are kept apart
(`with_raw_response`, then `parse`) so that the two cannot be confused.

The openai client's own retries are switched off (`max_retries=0`) so that this module is the
one place that decides. This module never scores anything and never writes files.

A client forgotten open (no `close()`, no `async with`) costs nothing and says nothing. The
openai client's default HTTP client closes itself when it is garbage collected by scheduling
its close on whatever event loop is running then: a client used under one `asyncio.run` and
collected under the next (its objects form cycles, so it is collected whenever the collector
runs) closed the first loop's connections from the second, and asyncio printed a
"RuntimeError: Event loop is closed" traceback (openai-python issues 1254, 2440; the openai
maintainers' answer is explicit cleanup). So the openai client is given an HTTP client of our
own making (`openai.DefaultAsyncHttpxClient`, the SDK's defaults without that finalizer): an
unclosed one leaves its sockets to their own finalizers, which close them quietly (a
`ResourceWarning`, shown only in development mode). Its connections belong to the event loop
that opened them, so a client used under another loop (a second `asyncio.run`) leaves the
first loop's openai client to the collector and makes a new one, where it used to reuse a
connection of a closed loop and fail with the same RuntimeError.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import math
import os
import random
import socket
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from ..errors import UsageError, XlogoError, shorten
from .arguments import number

# Seconds: a retry's wait longer than this is told to the client's `on_wait`. The default of
# `RetryPolicy.notice_after`, read when a policy is made (the CLI's tests lower it).
NOTICE_AFTER = 5.0


@dataclass(frozen=True)
class RetryPolicy:
    """How a request is retried (`xlogo eval --retries --backoff --max-backoff --timeout`): every
    delay and the per-request timeout are parameters, so a test runs the whole policy in
    milliseconds. Checked when made, naming the option of each field."""

    max_retries: int = 6
    base_delay: float = 1.0  # seconds before the first retry, doubled each time
    max_delay: float = 60.0  # cap of one backoff delay
    max_retry_after: float = 300.0  # never wait longer than this, whatever Retry-After says
    jitter: float = 0.5  # each delay is scaled by a random factor in [1 - jitter, 1]
    timeout: float = 120.0  # per request, seconds
    # a wait longer than this (seconds) is told to `ChatClient.on_wait`; inf: none is
    notice_after: float = field(default_factory=lambda: NOTICE_AFTER)

    def __post_init__(self) -> None:
        """Checked when made, naming the eval option each field comes from: NaN fails every
        comparison, so `x <= 0` let `--timeout nan` through and every request then failed (and
        was recorded as an error). An infinite timeout or first delay would let one request or
        one backoff wait forever; an infinite cap is no cap, which the doubling keeps finite."""
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            raise TypeError(f"--retries must be an int, got {type(self.max_retries).__name__}")
        # "5" would fail the comparisons below as a TypeError that names no field
        for name, value in (
            ("--timeout", self.timeout),
            ("--backoff", self.base_delay),
            ("--max-backoff", self.max_delay),
            ("max_retry_after", self.max_retry_after),
            ("jitter", self.jitter),
            ("notice_after", self.notice_after),
        ):
            number(name, value)
        if self.max_retries < 0:
            raise UsageError(f"--retries must be at least 0 (got {self.max_retries})")
        if not (math.isfinite(self.timeout) and self.timeout > 0):
            raise UsageError(
                f"--timeout must be a finite number of seconds, more than 0 (got {self.timeout})"
            )
        if not (math.isfinite(self.base_delay) and self.base_delay >= 0):
            raise UsageError(
                f"--backoff must be a finite number of seconds, 0 or more (got {self.base_delay})"
            )
        if not self.max_delay >= 0:
            raise UsageError(
                f"--max-backoff must be a number of seconds, 0 or more (got {self.max_delay})"
            )
        if not self.notice_after >= 0:
            raise UsageError(
                f"notice_after must be a number of seconds, 0 or more (got {self.notice_after})"
            )

    def backoff(self, retry: int, rng: random.Random) -> float:
        # 2.0 ** 1023 is the largest power a float holds: the int 2**retry of a `--retries 2000`
        # would not convert (OverflowError) where the cap makes the delay max_delay anyway
        delay = min(self.max_delay, self.base_delay * 2.0 ** min(retry, 1023))
        return delay * (1 - self.jitter * rng.random())


@dataclass
class Completion:
    text: str
    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    latency: float  # seconds, all retries included
    retries: int
    model: str | None = None


class RequestFailed(Exception):
    """The request failed for good (retries exhausted, or an error not worth retrying)."""

    def __init__(
        self, kind: str, message: str, status: int | None = None, retries: int = 0
    ) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind  # rate_limit | server | timeout | connection | client | bad_response
        self.message = message
        self.status = status
        self.retries = retries


class Unreachable(RequestFailed):
    """No connection could be made to an endpoint that has not answered yet, or no longer
    after a whole attempt's retries: nothing is listening there, or the host is unknown. Not
    retried (see the module docstring)."""

    def __init__(self, url: str, cause: str) -> None:
        super().__init__("unreachable", f"cannot reach {url} ({cause})")
        self.url = url
        self.cause = cause


@dataclass(frozen=True)
class Wait:
    """A retry about to wait long enough that someone watching would take the run for stuck:
    what `ChatClient.on_wait` is told before the wait starts. `str()` says it in one line,
    the same for every command that shows it."""

    url: str  # where the requests go
    failure: RequestFailed  # what the retry is for: its kind, status and message
    delay: float  # seconds about to be waited
    retry: int  # the retry it waits for, from 1
    max_retries: int
    retry_after: float | None = None  # what a Retry-After header asked, when it set the delay

    def __str__(self) -> str:
        f = self.failure
        cause = {
            "rate_limit": f"rate limited by {self.url}",
            "server": f"server error from {self.url} ({f.message})",
            "timeout": f"no reply from {self.url} in time",
            "connection": f"connection to {self.url} failed",
        }.get(f.kind, f"{self.url}: {f.message}")
        if self.retry_after is None:
            why = "backoff"
        elif self.retry_after > self.delay:  # capped by the policy's max_retry_after
            why = f"Retry-After asked {_seconds(self.retry_after)}; {_seconds(self.delay)} at most"
        else:
            why = "Retry-After"
        return (
            f"{cause}: waiting {_seconds(self.delay)} ({why}) "
            f"before retry {self.retry} of {self.max_retries}"
        )


def _seconds(t: float) -> str:
    return f"{t:.0f} s" if t >= 10 else f"{t:.1f} s"


class EndpointError(XlogoError):
    """The endpoint failed the run, not the user's input: the CLI exits 1, as for requests that
    failed for good (an endpoint that cannot be reached, a round whose requests failed)."""

    exit_status = 1


def connect_failure(exc: BaseException) -> str | None:
    """Why no connection could be made, when that is what `exc` (an openai connection error)
    comes from: a refused connection, an unknown host, or the HTTP library's ConnectError (httpx
    or its successors, by name, as the openai client wraps whichever it uses); None for a
    connection that was made and then dropped, which is retried as any transient error."""
    found = None
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, (ConnectionRefusedError, socket.gaierror)):
            return str(cause)
        if type(cause).__name__ == "ConnectError":
            found = str(cause) or "connection failed"
        cause = cause.__cause__ or cause.__context__
    return found


def retry_after_seconds(headers: Any) -> float | None:
    """The delay a `Retry-After` (or `retry-after-ms`) header asks for, in seconds."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


OPENAI_URL = "https://api.openai.com/v1"  # the openai client's default endpoint


def check_base_url(base_url: str | None) -> None:
    """Refuse an endpoint that is not an http(s) URL now: the client would only fail at the
    first request, after all its retries, with a bare "Connection error". None or "" is the
    client's default endpoint."""
    if base_url is not None and not isinstance(base_url, str):  # a URL object, bytes: not sent
        raise TypeError(f"--base-url must be a str, got {type(base_url).__name__}")
    if not base_url:
        return
    # `http://[::1/v1` and `http://host:99999` raise ValueError (the port only when read), which
    # would otherwise be a traceback at the first request
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018
    except ValueError as exc:
        raise UsageError(f"--base-url is no valid URL: {exc} (got {base_url!r})") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"--base-url must be an http:// or https:// URL with a host, "
            f"e.g. http://localhost:8000/v1 (got {base_url!r})"
        )


def endpoint_url(base_url: str | None) -> str:
    """The URL requests go to, for messages: `base_url`, else what the openai client uses."""
    return base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_URL


DEFAULT_KEY_ENV = "OPENAI_API_KEY"


def resolve_api_key(env: str | None, base_url: str | None) -> str:
    """The API key from the variable `env` (None: OPENAI_API_KEY). A custom endpoint (vLLM, a
    local server) may need none, but only when no variable was named: a variable named with
    --api-key-env and unset is a mistake (a typo, an unexported key), and sending no key would
    only surface as a 401 on every request, or not at all."""
    name = env or DEFAULT_KEY_ENV
    key = os.environ.get(name)
    if key:
        # sent as an HTTP header, which the HTTP client encodes as ASCII before any request: a
        # pasted '…' or a second line of a key file ended the run in a UnicodeEncodeError
        if not (key.isascii() and key.isprintable()):
            raise UsageError(
                f"the API key in {name} holds a character an HTTP header cannot carry "
                "(not printable ASCII: a pasted typographic character, or a line break?)"
            )
        return key
    if env is not None:
        raise UsageError(
            f"no API key: set {env} (named by --api-key-env; without --api-key-env an endpoint "
            "given with --base-url may need none)"
        )
    if base_url:
        return "EMPTY"
    raise UsageError(
        f"no API key: set {DEFAULT_KEY_ENV} (or pass --base-url for an endpoint that needs none)"
    )


@dataclass
class ChatClient:
    """An OpenAI-compatible chat endpoint: `await complete(messages, **params)` is one
    attempt's request, retried by `policy`; `await close()` when done, or `async with`. The
    openai client is made on first use, in the event loop that uses it, and made again in
    another loop (see the module docstring: a client never closed is harmless)."""

    model: str
    base_url: str | None = None
    api_key: str = "EMPTY"
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    seed: int | None = None  # for the jitter, so tests are reproducible
    # told of each wait longer than the policy's notice_after, before it starts (see `_tell`)
    on_wait: Callable[[Wait], None] | None = None
    _client: Any = field(default=None, init=False, repr=False)
    # the event loop `_client` and `_gone` belong to (None: not used in any yet)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, init=False, repr=False)
    # when the last wait told of ends (time.monotonic)
    _told_until: float = field(default=-math.inf, init=False, repr=False)
    _rng: random.Random = field(init=False, repr=False)
    # whether the endpoint has sent any HTTP reply (an error status too) in this client's life
    answered: bool = field(default=False, init=False)
    # set when an attempt's retries all ran out on connections that could not be made, after
    # the endpoint had answered; cleared by any reply (see the module docstring)
    _gone: asyncio.Event = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # checked where the client is made: unchecked, a policy of None or an endpoint without
        # a scheme failed at the first request, as an AttributeError or a "Connection error"
        if not isinstance(self.policy, RetryPolicy):
            raise TypeError(f"policy must be a RetryPolicy, got {type(self.policy).__name__}")
        check_base_url(self.base_url)
        self._rng = random.Random(self.seed)
        self._gone = asyncio.Event()

    def _openai(self) -> Any:
        self._in_running_loop()
        if self._client is None:
            try:
                import openai
            except ImportError:
                raise UsageError(
                    "xlogo eval needs the openai client: pip install 'xlogo-lang[eval]'"
                ) from None
            self._client = openai.AsyncOpenAI(
                api_key=self.api_key,
                base_url=self.base_url,
                timeout=self.policy.timeout,
                max_retries=0,
                # no finalizer that closes it on another loop (see the module docstring)
                http_client=openai.DefaultAsyncHttpxClient(),
            )
        return self._client

    def _in_running_loop(self) -> None:
        """Make the client belong to the running event loop. The openai client's connections
        and the `_gone` Event belong to the loop they were made in: under another loop (the
        next `asyncio.run`, that one usually closed) the openai client is dropped unclosed, as
        it cannot be closed from here (see the module docstring), and the Event is made again,
        keeping whether the endpoint is gone."""
        loop = asyncio.get_running_loop()
        if loop is self._loop:
            return
        self._loop, self._client = loop, None
        gone, self._gone = self._gone.is_set(), asyncio.Event()
        if gone:
            self._gone.set()

    async def close(self) -> None:
        """Close the connections now; they are closed in any case when the client is garbage
        collected. The client may be used again after, as a new one."""
        self._in_running_loop()  # an openai client of another loop is not closed from this one
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    async def __aenter__(self) -> ChatClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def complete(self, messages: list[dict[str, Any]], **params: Any) -> Completion:
        """One chat completion; `params` go to the API (temperature, max_tokens, extra_body...).

        The request and the reading of its reply fail apart: a reply that came back and is no
        usable completion is a `bad_response`, but a request the openai client refuses to send
        (a parameter it does not take, a value it cannot encode) is the caller's mistake or a
        bug, and recording it as the model's unusable reply for every attempt would hide it."""
        import openai

        if params.get("stream"):
            raise UsageError(
                "request parameter 'stream': the eval client reads whole replies, not streams"
            )
        client = self._openai()
        create = client.chat.completions.with_raw_response.create  # read apart: see `_read`
        start = time.monotonic()
        retries = 0
        while True:
            retry_after: float | None = None
            try:
                raw = await create(model=self.model, messages=messages, **params)
            except openai.APITimeoutError as exc:
                failure = RequestFailed("timeout", str(exc) or "request timed out", None, retries)
            except openai.APIConnectionError as exc:
                self._check_reachable(exc, retries)
                failure = RequestFailed(
                    "connection", str(exc) or "connection failed", None, retries
                )
            except openai.APIStatusError as exc:
                self._replied()
                status = exc.status_code
                kind = (
                    "rate_limit"
                    if status == 429
                    else "server"
                    if status >= 500 or status in (408, 409)
                    else "client"
                )
                failure = RequestFailed(kind, _status_message(exc), status, retries)
                if kind == "client":
                    raise failure from None
                retry_after = retry_after_seconds(getattr(exc.response, "headers", None))
            except (TypeError, ValueError) as exc:
                # nothing was sent: the openai client checks and encodes a request before it
                # sends it, and what goes wrong from sending on is one of its own errors above
                problem = _param_problem(create, params)
                if problem is None:
                    raise  # our bug (the messages, say), with its traceback
                raise UsageError(problem) from exc
            else:
                self._replied()
                return await _read(raw, start, retries)
            if retries >= self.policy.max_retries:
                raise failure
            delay = self.policy.backoff(retries, self._rng)
            asked = None  # the Retry-After that sets the delay, if one does
            if retry_after is not None and min(retry_after, self.policy.max_retry_after) >= delay:
                delay, asked = min(retry_after, self.policy.max_retry_after), retry_after
            retries += 1
            url = endpoint_url(self.base_url)
            self._tell(Wait(url, failure, delay, retries, self.policy.max_retries, asked))
            await self._backoff(delay)

    def _tell(self, wait: Wait) -> None:
        """Tell `on_wait` of a wait longer than the policy's `notice_after`, once for the waits
        that end together: every attempt in flight that one rate limit stopped waits until about
        the same time, and one line for each would flood the screen. A wait that would end more
        than `notice_after` after every wait told of so far is told (the next round of retries,
        a longer backoff); the others are not."""
        limit = self.policy.notice_after
        if self.on_wait is None or wait.delay <= limit:
            return
        end = time.monotonic() + wait.delay
        new = end > self._told_until + limit
        self._told_until = max(self._told_until, end)
        if new:
            self.on_wait(wait)

    def _replied(self) -> None:
        """The endpoint sent a reply: it is there (again), so the retry policy holds."""
        self.answered = True
        self._gone.clear()

    async def _backoff(self, delay: float) -> None:
        """Wait `delay` seconds before a retry, or less once the endpoint is found gone: then
        the retry finds out at once whether it is back, instead of the run waiting out the
        backoffs of every attempt in flight."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._gone.wait(), delay)

    def _check_reachable(self, exc: BaseException, retries: int) -> None:
        """Raise `Unreachable` for a connection that could not be made to an endpoint that has
        never answered this client, that is found gone, or that refused the last retry of this
        attempt (then it is found gone); any other connection error goes to the retry policy."""
        cause = connect_failure(exc)
        if cause is None:
            return
        url = endpoint_url(self.base_url)
        if not self.answered:
            raise Unreachable(url, cause) from None
        if self._gone.is_set():
            raise Unreachable(url, f"it answered earlier in this run, then: {cause}") from None
        if retries >= self.policy.max_retries:
            self._gone.set()
            tries = f"{retries + 1} tries" if retries else "1 try"
            raise Unreachable(
                url, f"it answered earlier in this run, then not after {tries}: {cause}"
            ) from None


def _status_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return f"HTTP {exc.status_code}: {err['message']}"
    return f"HTTP {exc.status_code}"


# the parameters of `create` that are not sent in the JSON body
_NOT_IN_BODY = ("extra_headers", "extra_query", "timeout")


def _param_problem(create: Any, params: dict[str, Any]) -> str | None:
    """Which of the caller's request parameters made the openai client refuse to send a
    request, in words naming it; None when none did (then the refusal is a bug of ours).
    Looked for only after a refusal, so a value the openai client can send is never refused."""
    for name in ("model", "messages"):
        if name in params:
            return f"request parameter {name!r} is the client's own, not one to pass"
    known = inspect.signature(create).parameters
    unknown = [name for name in params if name not in known]
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        return (
            f"unknown request parameter {names}: the openai client's chat.completions.create "
            f"does not take {'it' if len(unknown) == 1 else 'them'} (what an endpoint takes "
            "beyond the OpenAI API goes in extra_body)"
        )
    for name, value in params.items():
        if name in _NOT_IN_BODY:
            continue
        try:
            json.dumps(value, allow_nan=False)  # as the openai client encodes the body
        except (TypeError, ValueError, RecursionError) as exc:
            return f"request parameter {name!r} cannot be sent as JSON: {exc}"
    return None


async def _read(raw: Any, start: float, retries: int) -> Completion:
    """The completion in a reply that came back (`raw`, read but not parsed), or a
    `bad_response`: a body that is not JSON (ValueError), nested too deeply for Python's JSON
    reader (RecursionError), refused by a strict openai client, or JSON that is no chat
    completion (`_completion`'s ValueError). Any other error is a bug, and surfaces."""
    import openai

    try:
        parsed = raw.parse()
        if inspect.isawaitable(parsed):  # a coroutine in later openai clients, they say
            parsed = await parsed
        return _completion(parsed, time.monotonic() - start, retries)
    except (openai.APIResponseValidationError, ValueError, RecursionError) as exc:
        raise RequestFailed("bad_response", f"unusable reply: {exc}", None, retries) from None


def _completion(resp: Any, latency: float, retries: int) -> Completion:
    if isinstance(resp, (str, bytes)):  # the openai client hands back a body that is not JSON
        text = resp if isinstance(resp, str) else resp.decode("utf-8", "replace")
        raise ValueError(f"not a chat completion but text: {text[:80]!r}")
    choices = _field(resp, "choices")
    if not isinstance(choices, list) or not choices:
        raise ValueError(f"no choices in the reply: {_short(resp)}")
    choice = choices[0]
    message = _field(choice, "message")
    finish = _field(choice, "finish_reason")
    if message is None:
        raise ValueError(f"a choice without a message (finish_reason {finish!r})")
    usage = _field(resp, "usage")
    return Completion(
        text=_content_text(_field(message, "content")),
        finish_reason=finish if isinstance(finish, str) else None,
        prompt_tokens=_token_count(usage, "prompt_tokens"),
        completion_tokens=_token_count(usage, "completion_tokens"),
        total_tokens=_token_count(usage, "total_tokens"),
        latency=latency,
        retries=retries,
        model=getattr(resp, "model", None),
    )


def _token_count(usage: Any, name: str) -> int | None:
    """A token count of the reply's usage, None when it is no count: the openai client passes
    on whatever the server sent, and the usage is only a note beside a reply that may be good,
    so "many" or 1.5 there is not worth losing the reply for (nor a record whose counts the
    run's totals cannot add up, as RUN.jsonl promises integers)."""
    n = _field(usage, name)
    return n if isinstance(n, int) and not isinstance(n, bool) and n >= 0 else None


def _field(obj: Any, name: str) -> Any:
    """A field of a reply part, which the openai client builds without validation from whatever
    JSON the server sent: a model object, a dict, or anything else (None when absent)."""
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _content_text(content: Any) -> str:
    """The reply's text: a string, none (""), or a list of content parts whose text parts are
    joined (some servers answer in parts); anything else is no chat reply, so every record's
    `response` stays a string, as RUN.jsonl promises."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            kind, text = _field(part, "type"), _field(part, "text")
            if isinstance(part, str):
                texts.append(part)
            elif kind in (None, "text") and isinstance(text, str):
                texts.append(text)
            else:
                raise ValueError(f"a content part that is not text: {_short(part)}")
        return "".join(texts)
    raise ValueError(f"the message content is {type(content).__name__}, not text")


def _short(value: Any) -> str:
    return shorten(repr(value), 80)
