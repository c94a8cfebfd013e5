"""Is this the whole article, or a paywall stub? Decided at ingest, stored with it.

A page is ``paywalled`` when its text is short and ends in a subscription prompt
("please subscribe", "Jetzt weiterlesen mit Plus", "Réservé aux abonnés"), or when its
JSON-LD says it is not free to read and the text is short. Feeds mark entries whose
full text could not be fetched as ``teaser`` (see :mod:`ingest.loaders.feed`).
"""

from __future__ import annotations

import re

from ingest.article import FULL, PAYWALLED

# Subscription prompts in the languages of the news we read (literal phrases only).
PAYWALL_MARKERS = re.compile(
    r"please subscribe|subscribe to (?:continue|read)|subscribers only|subscriber-only|"
    r"exclusive to subscribers|for subscribers|already a subscriber|annual subscription|"
    r"to continue reading|continue reading with|this (?:article|content) is for subscribers|"
    r"create a free account to (?:continue|read)|sign in to (?:continue|read)|"
    r"log in to (?:continue|read)|unlock this (?:article|story)|start your (?:free )?trial|"
    r"jetzt weiterlesen|weiterlesen mit|nur für abonnenten|exklusiv für abonnenten|"
    r"mit (?:z\+|f\+|sz plus|spiegel\+|welt\+|plus) lesen|jetzt abonnieren|abo abschließen|"
    r"bereits abonnent|réservé aux abonnés|article réservé|abonnez-vous|déjà abonné|"
    r"contenido exclusivo para suscriptores|suscríbete para (?:seguir|continuar)|"
    r"ya eres suscriptor|riservato agli abbonati|contenuto riservato|abbonati per|"
    r"già abbonato",
    re.I,
)
# Past this length a page is taken for the article even with a prompt beside it.
STUB_MAX_CHARS = 1500
# With JSON-LD ``isAccessibleForFree: false``, texts shorter than this are stubs.
LOCKED_STUB_MAX_CHARS = 2500
# Where the prompt must stand: the end of the text.
TAIL_CHARS = 600


def completeness(text: str, free: bool | None = None) -> str:
    """``paywalled`` for a stub ending in a subscription prompt, else ``full``.

    >>> completeness("The council voted on Monday to ... To continue reading, please "
    ...              "subscribe. $60 Annual Subscription")
    'paywalled'
    >>> completeness("The council voted on Monday. " * 100 + "Subscribe to our newsletter.")
    'full'
    """
    if free is False and len(text) < LOCKED_STUB_MAX_CHARS:
        return PAYWALLED
    if len(text) < STUB_MAX_CHARS and PAYWALL_MARKERS.search(text[-TAIL_CHARS:]):
        return PAYWALLED
    return FULL
