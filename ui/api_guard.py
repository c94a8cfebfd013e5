"""The API's front door: sign-in, the Host check and request-size limits.

An ASGI middleware in front of the API's paths (``/v1/...`` and the OpenAPI docs):

- **Sign-in.** With ``NEWSQA_AUTH=user:password`` (required off-host, see
  :func:`ui.app.check_bind`) every request needs ``Authorization: Bearer <password>``
  (what OpenAI clients send as their API key) or HTTP Basic ``user:password``.
- **Host check.** Without a password the server is on loopback; a request naming
  another host (a DNS-rebinding page in the user's browser) is refused.
- **Size limits.** A body over the path's limit is refused with 413 before it is read
  into memory past the limit, whether or not it declares its length.

Refusals are JSON in OpenAI's error shape. Other paths (the Gradio chat) pass through.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from ui.openai_compat import error_body

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

GUARDED_PREFIXES = ("/v1/", "/docs", "/redoc", "/openapi.json")
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
SIGN_IN = (
    "send the password the server was started with (--auth / NEWSQA_AUTH) as "
    "'Authorization: Bearer <password>' (an OpenAI client's api_key), or HTTP Basic "
    "user:password"
)


def guarded(path: str) -> bool:
    """Whether the guard checks requests to ``path``.

    >>> guarded("/v1/models"), guarded("/docs"), guarded("/gradio_api/queue/join")
    (True, True, False)
    """
    return path == "/v1" or path.startswith(GUARDED_PREFIXES)


def authorized(header: str | None, auth: str) -> bool:
    """Whether an ``Authorization`` header holds the credentials of ``auth``
    (``user:password``): ``Bearer <password>`` or ``Basic base64(user:password)``.

    >>> authorized("Bearer s3cret", "alice:s3cret"), authorized("Bearer alice", "alice:s3cret")
    (True, False)
    >>> authorized("Basic " + base64.b64encode(b"alice:s3cret").decode(), "alice:s3cret")
    True
    >>> authorized(None, "alice:s3cret"), authorized("Basic !!", "alice:s3cret")
    (False, False)
    """
    scheme, _, value = (header or "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        password = auth.partition(":")[2]
        return hmac.compare_digest(value.encode(), password.encode())
    if scheme.lower() == "basic":
        try:
            given = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return False
        return hmac.compare_digest(given, auth.encode())
    return False


def host_name(host_header: str) -> str:
    """The name in a ``Host`` header, without the port or IPv6 brackets.

    >>> host_name("127.0.0.1:8000"), host_name("[::1]:8000"), host_name("LocalHost")
    ('127.0.0.1', '::1', 'localhost')
    """
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


class Guard:
    """ASGI middleware: sign-in, Host check and body limits for the API's paths.

    ``limit_for(method, path)`` is the largest body accepted (bytes).

    Example:
        >>> from fastapi import FastAPI
        >>> app = Guard(FastAPI(), auth="alice:s3cret", limit_for=lambda m, p: 1_000_000)
    """

    def __init__(
        self,
        app: ASGIApp,
        auth: str | None,
        limit_for: Callable[[str, str], int],
        hosts: frozenset[str] = LOOPBACK_NAMES,
    ) -> None:
        self.app = app
        self.auth = auth
        self.limit_for = limit_for
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not guarded(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self.refusal(scope, headers)
        if refusal is not None:
            await _respond(send, *refusal)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        declared = headers.get("content-length", "")
        too_big: tuple[int, dict[str, Any], dict[str, str]] = (413, _too_big(limit), {})
        if declared.isdigit() and int(declared) > limit:
            await _respond(send, *too_big)
            return
        if "transfer-encoding" in headers:  # no declared length: read it, up to the limit
            body = await _read_body(receive, limit)
            if body is None:
                await _respond(send, *too_big)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    def refusal(
        self, scope: Scope, headers: dict[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]] | None:
        """``(status, body, headers)`` when the request is refused, else ``None``."""
        if self.auth is None:
            host = host_name(headers.get("host", ""))
            if host and host not in self.hosts:
                message = (
                    f"this server answers on loopback only, not for host {host!r}; "
                    "to serve other hosts, start it with --host and --auth"
                )
                return 403, error_body(message, "permission_error", code="host_not_allowed"), {}
            return None
        if authorized(headers.get("authorization"), self.auth):
            return None
        what = "wrong credentials" if headers.get("authorization") else "sign-in required"
        body = error_body(f"{what}: {SIGN_IN}", "authentication_error", code="invalid_api_key")
        return 401, body, {"www-authenticate": 'Basic realm="newsqa", charset="UTF-8"'}


def _too_big(limit: int) -> dict[str, Any]:
    message = f"the request body is over the {limit:,}-byte limit of this endpoint"
    return error_body(message, code="request_too_large")


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or ``None`` once it grows past ``limit`` bytes."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        part = message.get("body", b"")
        size += len(part)
        if size > limit:
            return None
        parts.append(part)
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands out ``body`` once, then waits on the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _respond(send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    data = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})
