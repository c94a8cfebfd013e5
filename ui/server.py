"""Run an ASGI app with uvicorn on the settings' address (``newsqa serve``, ``newsqa chat``).

Both commands refuse a non-loopback address without a password
(:func:`ui.app.check_bind`) before anything is loaded.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from newsqa.settings import Settings


def run(app: Any, settings: Settings) -> None:
    """Serve ``app`` on ``settings.host:settings.port`` until interrupted.

    Example:
        >>> from ui.api import build_api
        >>> run(build_api(Settings(llm="extractive")), Settings())  # doctest: +SKIP
    """
    import uvicorn

    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
        server_header=False,
    )


def where(settings: Settings) -> str:
    """The server's base URL, e.g. ``http://127.0.0.1:8000`` (IPv6 in brackets).

    >>> where(Settings(host="::1", port=8000))
    'http://[::1]:8000'
    """
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return f"http://{host}:{settings.port}"


def serve_api(settings: Settings, answerer: Any = None) -> int:
    """``newsqa serve``: the HTTP API alone, until interrupted; 2 when the bind is refused.

    Example:
        >>> serve_api(Settings.from_env(llm="extractive", port=8000))  # doctest: +SKIP
    """
    from ui.api import build_api
    from ui.app import check_bind

    problem = check_bind(settings)
    if problem:
        print(f"newsqa: {problem}", file=sys.stderr)
        return 2
    app = build_api(settings, answerer)
    service = app.state.service
    threading.Thread(target=service.warm_up, name="newsqa-warm-up", daemon=True).start()
    signed = " (sign-in required)" if settings.auth else ""
    base = where(settings)
    print(
        f"newsqa API on {base}/v1{signed}; OpenAPI docs at {base}/docs",
        flush=True,
    )
    run(app, settings)
    return 0
