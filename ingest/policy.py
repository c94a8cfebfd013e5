"""The overwrite policy: when an incoming article may replace the stored one.

An article's id is its record id, canonical URL or content hash, so an update arrives
under the id of what it updates. Ids can be claimed by anyone who writes a record or a
feed, and fetches fail half-way, so a replacement is accepted only when all hold:

1. **Same input.** It comes from the input that stored the article (the same file, feed,
   page URL or upload name: :attr:`Article.input`). A feed or record from elsewhere that
   claims a stored id is refused, with the stored input named.
2. **Not a teaser over a text.** A feed summary kept because the full text could not be
   fetched never replaces a longer stored text.
3. **Not a collapse.** A version fetched over the network (a page or a feed) that is
   shorter than half the stored one (a paywall stub, an error page, a cut-off
   download) is refused. Local files and uploads are the user's own edits: accepted.

Refusals are reported with their reason and the stored article stays as it was;
``newsqa ingest --replace`` accepts such updates anyway. Every accepted replacement keeps
the previous version (``newsqa history ID``, ``newsqa restore ID``), and records stored
before provenance was kept accept updates from any input until their next write.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.article import FULL, TEASER, Article

# A new version below this share of the stored text's length is taken for a fragment.
MIN_SHARE = 0.5
DONE = "done"


@dataclass(frozen=True)
class StoredState:
    """What the store knows about an article: hash, write status, input and size."""

    content_hash: str
    status: str
    provenance: str = ""
    chars: int = 0
    completeness: str = FULL


def refusal(stored: StoredState, new: Article, replace: bool = False) -> str | None:
    """Why ``new`` must not replace the stored article; ``None`` when it may.

    An unfinished write (status not ``done``) is always finished.

    >>> old = StoredState("h1", "done", "https://a.org/feed.xml", chars=959)
    >>> shorter = Article(id="x", title="T", body="x" * 400, provenance="https://a.org/feed.xml")
    >>> refusal(old, shorter)  # doctest: +ELLIPSIS
    'the new version has 400 characters, the stored one 959: kept the stored text ...'

    >>> teaser = Article(id="x", title="T", body="Short.", provenance="https://a.org/feed.xml",
    ...                  completeness="teaser")
    >>> refusal(old, teaser)
    'only a 6-character summary could be had; kept the stored 959-character text'
    >>> refusal(old, teaser, replace=True) is None
    True
    """
    if replace or stored.status != DONE:
        return None
    chars = len(new.body)
    if stored.provenance and stored.provenance != new.input:
        return (
            f"already stored from {stored.provenance}; {new.input} may not replace it "
            "(kept the stored version; ingest with --replace to accept it)"
        )
    if new.completeness != FULL and stored.completeness == FULL and stored.chars > chars:
        cause = new.extra.get("warning")
        what = "summary" if new.completeness == TEASER else "paywall stub"
        return (
            f"only a {chars:,}-character {what} could be had"
            + (f" ({cause})" if cause else "")
            + f"; kept the stored {stored.chars:,}-character text"
        )
    fetched = new.input.startswith(("http://", "https://"))
    if fetched and chars < stored.chars * MIN_SHARE:
        return (
            f"the new version has {chars:,} characters, the stored one {stored.chars:,}: "
            "kept the stored text (a teaser or partial page?); ingest with --replace to "
            "accept it"
        )
    return None
