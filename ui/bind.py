"""The bind rule of every server newsqa runs: loopback by default, a password off-host.

Kept free of Gradio so ``newsqa serve`` checks it without loading the chat.
"""

from __future__ import annotations

import ipaddress

from newsqa.settings import Settings


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``).

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def check_bind(settings: Settings) -> str | None:
    """Why the bind address is refused (``None`` when fine): non-loopback needs auth.

    >>> check_bind(Settings(host="127.0.0.1")) is None
    True
    >>> check_bind(Settings(host="0.0.0.0"))[:35]
    'refusing to serve on 0.0.0.0 withou'
    """
    user, _, password = (settings.auth or "").partition(":")
    if not is_loopback(settings.host) and not (user.strip() and password.strip()):
        return (
            f"refusing to serve on {settings.host} without a password: "
            "pass --auth user:password (or set NEWSQA_AUTH), neither part empty"
        )
    return None
