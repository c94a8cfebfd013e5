"""What every loader yields: articles, or failures that say what went wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.article import Article


class LoadError(Exception):
    """Input that cannot become an article; the message is shown to the user."""


@dataclass(frozen=True)
class Failure:
    """One input (file, record, feed entry, URL) that could not be loaded, and why."""

    origin: str
    reason: str


Loaded = Article | Failure

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_text(data: bytes, origin: str) -> str:
    """Bytes of a text document as ``str``: UTF-8 first, else the detected encoding.

    Binary data (NUL bytes, many control characters) and bytes no encoding explains
    raise :class:`LoadError` instead of becoming a garbage article.
    """
    if not data.strip():
        raise LoadError("the file is empty")
    sample = data[:65536]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError("this is a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = _detect(data, exc)
    if len(_CONTROL.findall(text[:65536])) > max(8, len(text[:65536]) // 100):
        raise LoadError("this looks like a binary file, not text")
    return text


def _detect(data: bytes, exc: UnicodeDecodeError) -> str:
    """Decode non-UTF-8 bytes with the encoding that explains them best.

    Short Western European texts fit many single-byte code pages equally well, and
    charset-normalizer then picks one arbitrarily (``Café`` came out as Arabic through
    cp1006, ``naïve`` as ``naďve`` through cp1250). Windows-1252, a superset of the
    printable Latin-1 range and by far the most common legacy encoding of news text,
    wins whenever it explains the bytes about as well as the best candidate.
    """
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None or best.chaos > 0.2:
        raise LoadError(
            f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}) "
            "and no other encoding fits; convert it to UTF-8 (e.g. with iconv)"
        )
    if best.encoding != "cp1252":
        western = from_bytes(data, cp_isolation=["cp1252"]).best()
        if western is not None and western.chaos <= best.chaos + 0.05:
            return str(western)
    return str(best)


_FRONT_MATTER = re.compile(r"\A---[ \t]*+\r?\n(.*?)\r?\n---[ \t]*+(?:\r?\n|\Z)", re.S)
# The value is the rest of the line up to its last non-space character, taken in
# linear time: "(.*?)\s*$" rescanned the trailing spaces from every character of the
# value (16,000 spaces took 0.7 s).
_KEY_VALUE = re.compile(r"^([A-Za-z_][\w-]*+)\s*+:\s*+((?:[^\S\n]*+\S)*+)\s*$")


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """``key: value`` lines between ``---`` fences at the top, and the rest of the text.

    >>> split_front_matter("---\\nsource: BBC\\n---\\nHello")
    ({'source': 'BBC'}, 'Hello')
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = {}
    for line in match.group(1).splitlines():
        kv = _KEY_VALUE.match(line)
        if kv:
            meta[kv.group(1).lower()] = kv.group(2).strip().strip("\"'")
    return meta, text[match.end() :]
