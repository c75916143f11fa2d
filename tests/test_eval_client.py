"""The eval client on its own, against the local OpenAI-compatible server: a request the openai
client refuses to send is the caller's mistake or a bug, never a model's unusable reply; any
reply that comes back is a completion or a `bad_response`, never a traceback; a long wait for a
retry is told to the caller, once for the attempts that wait together; a client its script
forgot to close costs nothing and says nothing."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openai_server import Fail, RawJson, Reply, ScriptedOpenAI, user_text

from xlogo_lang.errors import UsageError
from xlogo_lang.eval.client import ChatClient, Completion, RequestFailed, RetryPolicy, Wait

MESSAGES = [{"role": "user", "content": "Draw a square."}]
ONCE = RetryPolicy(max_retries=0, timeout=5.0)


def ask(url: str, messages: Any = MESSAGES, **params: Any) -> Completion:
    async def go() -> Completion:
        chat = ChatClient("m", url, policy=ONCE)
        try:
            return await chat.complete(messages, **params)
        finally:
            await chat.close()

    return asyncio.run(go())


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as srv:
        yield srv


def test_a_parameter_the_openai_client_does_not_take_is_a_usage_error_naming_it(server):
    """It was a TypeError caught as the model's "unusable reply", on every attempt of a run."""
    with pytest.raises(UsageError, match=r"unknown request parameter 'temprature'.*extra_body"):
        ask(server.url, temprature=0.7)
    assert server.requests == []


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"extra_body": {"stop_ids": {1, 2}}}, "'extra_body' cannot be sent as JSON"),
        ({"temperature": float("nan")}, "'temperature' cannot be sent as JSON"),
        ({"model": "other"}, "'model' is the client's own"),
        ({"stream": True}, "'stream': the eval client reads whole replies"),
    ],
)
def test_a_parameter_that_cannot_be_sent_is_a_usage_error_naming_it(server, params, named):
    with pytest.raises(UsageError, match=named):
        ask(server.url, **params)
    assert server.requests == []


def test_a_request_refused_for_no_parameter_of_the_caller_surfaces_as_it_is(server):
    """Messages the openai client cannot encode are our bug, not the caller's parameter nor
    the model's reply: the error surfaces with its traceback."""
    with pytest.raises(TypeError, match="not JSON serializable"):
        ask(server.url, messages=[{"role": "user", "content": object()}])
    assert server.requests == []


def test_the_parameters_the_openai_client_takes_are_sent(server):
    reply = ask(server.url, temperature=0.5, seed=3, extra_body={"guided_grammar": "g"})
    assert reply.text == "fd"
    (sent,) = server.requests
    assert (sent["temperature"], sent["seed"], sent["guided_grammar"]) == (0.5, 3, "g")


# -- any reply ------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _maybe(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A dict holding any of `fields`, or any JSON value instead."""
    return st.fixed_dictionaries({}, optional=fields) | json_values


parts = _maybe(type=st.sampled_from(["text", "image_url"]) | json_values, text=json_values)
messages = _maybe(content=st.text(max_size=8) | st.lists(parts, max_size=3) | json_values)
choices = _maybe(message=messages, finish_reason=json_values)
tokens = st.integers(min_value=0) | json_values
usages = _maybe(prompt_tokens=tokens, completion_tokens=tokens, total_tokens=tokens)
bodies = _maybe(
    choices=st.lists(choices, max_size=2) | json_values, usage=usages, model=json_values
)
# a reply that reads well, so that what comes beside it (the usage) gets tried too
readable = st.fixed_dictionaries(
    {"choices": st.just([{"message": {"content": "fd"}, "finish_reason": "stop"}])},
    optional={"usage": usages, "model": json_values},
)


@pytest.fixture(scope="module")
def raw_server():  # type: ignore[no-untyped-def]
    """A server answering each request with the body last put in `srv.body`."""
    srv = ScriptedOpenAI(lambda req, seen: RawJson(srv.body))  # type: ignore[attr-defined]
    with srv:
        yield srv


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies | readable)
def test_any_json_reply_is_a_completion_or_a_bad_response(raw_server, body):
    """Whatever JSON a server sends, the attempt gets a reply whose text is a string and whose
    token counts are counts or nothing, or it is a `bad_response`: nothing else escapes."""
    raw_server.body = body
    try:
        reply = ask(raw_server.url)
    except RequestFailed as exc:
        assert exc.kind == "bad_response" and exc.message.startswith("unusable reply: ")
        return
    assert isinstance(reply.text, str)
    assert reply.finish_reason is None or isinstance(reply.finish_reason, str)
    for n in (reply.prompt_tokens, reply.completion_tokens, reply.total_tokens):
        assert n is None or (type(n) is int and n >= 0)


# -- long waits -----------------------------------------------------------------------------------


def ask_all(url: str, prompts: list[str], policy: RetryPolicy) -> list[Wait]:
    """Ask about every prompt at once; the waits the client told of."""
    waits: list[Wait] = []

    async def go() -> None:
        chat = ChatClient("m", url, policy=policy, on_wait=waits.append)
        try:
            await asyncio.gather(
                *(chat.complete([{"role": "user", "content": p}]) for p in prompts)
            )
        finally:
            await chat.close()

    asyncio.run(go())
    return waits


def rate_limited(times: int, retry_after: str):  # type: ignore[no-untyped-def]
    """A script: the first `times` requests about each prompt get a 429 with Retry-After."""
    return lambda req, seen: (
        Fail(429, {"Retry-After": retry_after}) if seen <= times else Reply(user_text(req))
    )


def test_a_long_wait_is_told_once_for_the_attempts_that_wait_together():
    """Four attempts rate limited at once wait until about the same time: one line, not four;
    their next round of retries waits past that, and is told again."""
    policy = RetryPolicy(max_retries=3, base_delay=0.01, max_delay=0.02, notice_after=0.5)
    with ScriptedOpenAI(rate_limited(2, "1")) as srv:
        waits = ask_all(srv.url, ["a", "b", "c", "d"], policy)
    assert [(w.retry, w.delay, w.retry_after) for w in waits] == [(1, 1.0, 1.0), (2, 1.0, 1.0)]
    assert str(waits[0]) == (
        f"rate limited by {srv.url}: waiting 1.0 s (Retry-After) before retry 1 of 3"
    )


def test_a_short_wait_is_not_told():
    policy = RetryPolicy(max_retries=3, base_delay=0.01, max_delay=0.02, notice_after=0.5)
    with ScriptedOpenAI(rate_limited(2, "0")) as srv:
        assert ask_all(srv.url, ["a", "b"], policy) == []


@pytest.mark.parametrize(
    ("failure", "policy", "said"),
    [
        (
            Fail(429, {"Retry-After": "900"}),
            RetryPolicy(max_retries=1, base_delay=0.01, max_retry_after=0.6, notice_after=0.3),
            "rate limited by {url}: waiting 0.6 s (Retry-After asked 900 s; 0.6 s at most) "
            "before retry 1 of 1",
        ),
        (
            Fail(503, message="overloaded"),
            RetryPolicy(max_retries=1, base_delay=0.6, jitter=0.0, notice_after=0.3),
            "server error from {url} (HTTP 503: overloaded): waiting 0.6 s (backoff) "
            "before retry 1 of 1",
        ),
    ],
    ids=["retry_after_capped", "backoff"],
)
def test_a_wait_says_what_set_its_length(failure, policy, said):
    with ScriptedOpenAI(lambda req, seen: failure if seen == 1 else Reply("fd")) as srv:
        (wait,) = ask_all(srv.url, ["a"], policy)
    assert str(wait) == said.format(url=srv.url)


# -- a client never closed ------------------------------------------------------------------------

# A researcher's script: one client, used, never closed (no `close()`, no `async with`).
FORGETFUL = """
import asyncio, gc, sys
from xlogo_lang.eval.client import ChatClient, RetryPolicy

chat = ChatClient("m", sys.argv[1], policy=RetryPolicy(max_retries=0, timeout=5.0))

async def ask():
    return (await chat.complete([{"role": "user", "content": "Draw a square."}])).text

print(asyncio.run(ask()))
"""


@pytest.mark.parametrize(
    ("then", "printed"),
    [
        ("", "fd\n"),
        # collected while another event loop runs: the openai client's own finalizer closed
        # its connections in that loop, not theirs, and asyncio printed "Event loop is closed"
        (
            """
            del chat
            async def later():
                gc.collect()
                for _ in range(3):
                    await asyncio.sleep(0)
            asyncio.run(later())
            gc.collect()
            """,
            "fd\n",
        ),
        # the connections kept open from the first loop were reused in the second
        ("print(asyncio.run(ask()))", "fd\nfd\n"),
    ],
    ids=["left_open_at_exit", "collected_in_another_loop", "used_again_in_another_loop"],
)
def test_a_client_never_closed_says_nothing(server, then, printed):
    script = FORGETFUL + textwrap.dedent(then)
    proc = subprocess.run(
        [sys.executable, "-c", script, server.url], capture_output=True, text=True, timeout=120
    )
    assert (proc.returncode, proc.stderr, proc.stdout) == (0, "", printed)


def test_async_with_closes_the_client(server):
    async def go() -> tuple[str, bool]:
        async with ChatClient("m", server.url, policy=ONCE) as chat:
            text = (await chat.complete(MESSAGES)).text
            client = chat._client
        return text, client.is_closed()

    assert asyncio.run(go()) == ("fd", True)
