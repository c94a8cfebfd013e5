"""The outlet's name: the page's own (``og:site_name``, JSON-LD publisher), else a
maintained mapping of hosts to names, else the host; never another site's URL.

Extend :data:`HOST_NAMES` when an outlet's pages state no name, or a wrong one.
"""

from __future__ import annotations

from collections.abc import Sequence

from ingest.article import host_of
from ingest.loaders.titles import normalise

# Hosts (without "www.") whose outlet name pages often leave out or garble.
HOST_NAMES = {
    "bbc.co.uk": "BBC News",
    "bbc.com": "BBC News",
    "nytimes.com": "The New York Times",
    "reuters.com": "Reuters",
    "theguardian.com": "The Guardian",
    "dw.com": "DW",
    "zeit.de": "ZEIT ONLINE",
    "tagesspiegel.de": "Der Tagesspiegel",
    "handelsblatt.com": "Handelsblatt",
    "sueddeutsche.de": "Süddeutsche Zeitung",
    "spiegel.de": "DER SPIEGEL",
    "faz.net": "Frankfurter Allgemeine Zeitung",
    "welt.de": "WELT",
    "stern.de": "stern",
    "tagesschau.de": "tagesschau.de",
    "telegraph.co.uk": "The Telegraph",
    "dailymail.co.uk": "Daily Mail",
    "scmp.com": "South China Morning Post",
    "msn.com": "MSN",
    "boingboing.net": "Boing Boing",
    "npr.org": "NPR",
    "cnn.com": "CNN",
    "edition.cnn.com": "CNN",
    "apnews.com": "AP News",
    "washingtonpost.com": "The Washington Post",
    "wsvn.com": "WSVN 7News",
    "futurezone.at": "futurezone",
    "derstandard.at": "DER STANDARD",
    "nzz.ch": "Neue Zürcher Zeitung",
    "lemonde.fr": "Le Monde",
    "lefigaro.fr": "Le Figaro",
    "liberation.fr": "Libération",
    "elpais.com": "EL PAÍS",
    "elmundo.es": "El Mundo",
    "clarin.com": "Clarín",
    "lanacion.com.ar": "LA NACION",
    "corriere.it": "Corriere della Sera",
    "repubblica.it": "la Repubblica",
    "lastampa.it": "La Stampa",
    "heise.de": "heise online",
    "golem.de": "Golem.de",
    "bloomberg.com": "Bloomberg",
    "ft.com": "Financial Times",
    "economist.com": "The Economist",
    "independent.co.uk": "The Independent",
    "aljazeera.com": "Al Jazeera",
    "politico.com": "POLITICO",
    "politico.eu": "POLITICO",
}
# Social networks: a page's "site name" pointing there names an account, not the outlet.
SOCIAL_HOSTS = (
    "facebook.com",
    "twitter.com",
    "x.com",
    "instagram.com",
    "linkedin.com",
    "youtube.com",
    "tiktok.com",
    "t.me",
    "pinterest.com",
)
_SUFFIXES = ("_de", "_at", "_ch", "_com", ".de", ".at", ".ch", ".com", ".net", ".org", ".co.uk")


def mapped_name(host: str) -> str | None:
    """The mapped name of ``host`` or of the domain it belongs to.

    >>> mapped_name("amp.theguardian.com"), mapped_name("example.org")
    ('The Guardian', None)
    """
    labels = host.split(".")
    for i in range(len(labels) - 1):
        name = HOST_NAMES.get(".".join(labels[i:]))
        if name:
            return name
    return None


def clean_outlet(name: str | None, title: str = "") -> str | None:
    """An outlet name as a reader expects it; ``None`` for a URL, a social-media
    account or the article's own headline.

    >>> clean_outlet("https://www.facebook.com/tagesspiegel"), clean_outlet("@Tide")
    (None, 'Tide')
    >>> clean_outlet("Handelsblatt_De"), clean_outlet("Harbour reopens", "Harbour reopens")
    ('Handelsblatt', None)
    """
    if not name:
        return None
    text = " ".join(name.split()).strip(" |-–·")
    if "://" in text or (text.lower().startswith("www.") and "/" in text):
        return None
    text = text.removeprefix("@")
    if any(text.lower() == host or text.lower().endswith("." + host) for host in SOCIAL_HOSTS):
        return None
    for suffix in ("_de", "_at", "_ch", "_com"):
        if text.lower().endswith(suffix) and "_" not in text[: -len(suffix)]:
            text = text[: -len(suffix)]
    if not text or (title and normalise(text) == normalise(title)):
        return None
    return text


def choose_outlet(
    site_names: Sequence[str], page_url: str | None, fallback: str | None, title: str = ""
) -> str | None:
    """The outlet: the page's own name for itself, the mapping, trafilatura's guess,
    the host (in that order).

    >>> choose_outlet(["https://www.facebook.com/tagesspiegel"],
    ...               "https://www.tagesspiegel.de/politik/x", None)
    'Der Tagesspiegel'
    >>> choose_outlet(["Tide News"], None, None)
    'Tide News'
    """
    host = host_of(page_url)
    mapped = mapped_name(host) if host else None
    if mapped:
        return mapped
    for name in site_names:
        cleaned = clean_outlet(name, title)
        if cleaned and not _is_bare_host(cleaned, host):
            return cleaned
    cleaned = clean_outlet(fallback, title)
    if cleaned and not _is_bare_host(cleaned, host):
        return cleaned
    return host or cleaned


def _is_bare_host(text: str, host: str) -> bool:
    """``futurezoneat`` / ``example.com``: a host, not a name (the host is used then)."""
    lowered = text.lower()
    if " " in lowered:
        return False
    squeezed = "".join(ch for ch in host if ch.isalnum())
    return lowered.endswith(_SUFFIXES) or (bool(squeezed) and lowered == squeezed)
