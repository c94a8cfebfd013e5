"""Plain-text and Markdown articles: first line (or ``# heading``) is the title.

Both accept optional front matter between ``---`` fences with ``title``, ``source``,
``url``, ``published_at`` (or ``date``), ``author`` and ``id``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.article import Article, article_id, normalize_date
from ingest.loaders.base import Loaded, LoadError, decode_text, split_front_matter

# A first line longer than this is a paragraph, not a headline.
MAX_HEADLINE_CHARS = 300

# No span may run past the next opening delimiter of its kind ("[", "(", "*", "`",
# a word-edge "_"): every match attempt then stops there, so a hostile line of
# "*a *a *a ..." or "[a](" costs linear time (".+?" made it quadratic: minutes for
# a few hundred kB).
_MD_IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^()]*\)")
_MD_LINK = re.compile(r"\[([^\[\]]+)\]\([^()]*\)")
_MD_EMPHASIS = re.compile(
    r"\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*|\*(?=\S)([^*\n]+?)(?<=\S)\*|`(?=\S)([^`\n]+?)(?<=\S)`"
)
# Underscores emphasise only at word edges: snake_case_names keep theirs.
_MD_UNDERSCORE = re.compile(
    r"(?<!\w)__(?=\S)((?:[^_\n]|(?<=\w)_(?=\w))+?)(?<=\S)__(?!\w)"
    r"|(?<!\w)_(?=\S)((?:[^_\n]|(?<=\w)_(?=\w))+?)(?<=\S)_(?!\w)"
)
# A heading's text is the rest of its line (its closing "#"s are dropped by
# :func:`_heading`): "(.*?)(?:[ \t]+#+)?[ \t]*$" rescanned the trailing spaces from
# every character (16,000 spaces took 1.8 s). Elsewhere possessive quantifiers
# (``*+``, ``++``) never give back what the rest of the pattern cannot use.
_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]++([^\n]*+)", re.M)
_MD_QUOTE = re.compile(r"^ {0,3}>[ \t]?", re.M)
_MD_RULE = re.compile(r"^[ \t]*+([-*_])([ \t]*+\1){2,}+[ \t]*+$", re.M)
_MD_SETEXT = re.compile(r"^ {0,3}(=++|-++)[ \t]*+$", re.M)
_MD_FENCE = re.compile(r"^ {0,3}(```|~~~).*$\n?", re.M)
_MD_BULLET = re.compile(r"^([ \t]*+)[-*+][ \t]++", re.M)
_MD_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*+(?:\s[^<>]*+)?/?>")


def load_text(data: bytes, origin: str, identity_url: str | None = None) -> Iterator[Loaded]:
    """One article from a ``.txt`` file: the first non-empty line is the headline."""
    yield _document(decode_text(data, origin), origin, identity_url, markdown=False)


def load_markdown(data: bytes, origin: str, identity_url: str | None = None) -> Iterator[Loaded]:
    """One article from Markdown, reduced to plain text so quotes read cleanly."""
    yield _document(decode_text(data, origin), origin, identity_url, markdown=True)


def markdown_to_text(text: str) -> str:
    """Drop Markdown markup, keep the words.

    >>> markdown_to_text("## Hi\\nSee [the **report**](http://x).")
    'Hi\\nSee the report.'
    >>> markdown_to_text("- a snake_case_name, _not_ *bold*")
    'a snake_case_name, not bold'
    """
    import html

    text = _MD_FENCE.sub("", text)
    text = _MD_RULE.sub("", text)
    text = _MD_SETEXT.sub("", text)
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    for _ in range(2):  # nested emphasis like **_x_**
        text = _MD_EMPHASIS.sub(_inner, text)
        text = _MD_UNDERSCORE.sub(_inner, text)
    text = _MD_HEADING.sub(_heading, text)
    text = _MD_BULLET.sub(r"\1", text)
    text = _MD_QUOTE.sub("", text)
    return html.unescape(_MD_TAG.sub("", text))


def _inner(match: re.Match[str]) -> str:
    """The text inside whichever emphasis alternative matched."""
    return next(g for g in match.groups() if g is not None)


def _heading(match: re.Match[str]) -> str:
    """A heading's text without trailing blanks or a closing run of "#" after a blank.

    >>> [_MD_HEADING.sub(_heading, h) for h in ("# A #", "## B ##  ", "# C#", "# #")]
    ['A', 'B', 'C#', '#']
    """
    text = match.group(1).rstrip(" \t")
    opened = text.rstrip("#")
    if opened != text and opened[-1:] in (" ", "\t"):
        return opened.rstrip(" \t")
    return text


def _document(text: str, origin: str, identity_url: str | None, markdown: bool) -> Article:
    meta, text = split_front_matter(text.replace("\r\n", "\n").replace("\r", "\n"))
    if markdown:
        text = markdown_to_text(text)
    lines = text.strip().split("\n")
    title = meta.get("title") or lines[0].strip()
    body_lines = lines if meta.get("title") else lines[1:]
    if not meta.get("title") and len(title) > MAX_HEADLINE_CHARS:
        # A first line this long is the opening paragraph, not a headline: keep it.
        body_lines = lines
        title = _shorten(title)
    # Headlines are often repeated as the first body line (as in the seed article).
    while body_lines and body_lines[0].strip() in ("", title):
        body_lines = body_lines[1:]
    body = "\n".join(body_lines).strip()
    if not body:
        raise LoadError("no article text after the headline")
    url = meta.get("url") or None
    return Article(
        id=article_id(meta.get("id"), url or identity_url, title, body),
        title=title[:500],
        body=body,
        source=meta.get("source") or None,
        url=url,
        published_at=normalize_date(meta.get("published_at") or meta.get("date")),
        author=meta.get("author") or None,
        origin=origin,
    )


def _shorten(text: str, limit: int = 120) -> str:
    """The first ``limit`` characters of ``text``, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit].rstrip(" ,;:") + "…"
