"""A small fixture corpus: five articles from five outlets on four dates, one hostile."""

from __future__ import annotations

import json
from pathlib import Path

XSS_TITLE = "<img src=x onerror=alert(1)>"

ARTICLES = [
    {
        "id": "kyiv-putin-offer",
        "title": "Kyiv slams Putin's offer of an immediate ceasefire",
        "source": "Kyiv Daily",
        "published_at": "2024-06-14T16:00:00+00:00",
        "url": "https://kyiv-daily.example/putin-offer",
        "body": (
            "Russian President Vladimir Putin offered an immediate ceasefire in Ukraine if "
            "Kyiv withdrew its troops from four occupied regions and renounced plans to join "
            "NATO. Ukrainian adviser Mykhailo Podolyak called the offer a complete sham on "
            "social media. Putin made the proposal in a speech at the Russian Foreign "
            "Ministry in Moscow on Friday."
        ),
    },
    {
        "id": "nato-rejects-offer",
        "title": "NATO chief rejects Putin's ceasefire terms",
        "source": "Brussels Observer",
        "published_at": "2024-06-14T18:30:00+00:00",
        "url": "https://brussels-observer.example/nato-rejects",
        "body": (
            "NATO Secretary-General Jens Stoltenberg rejected the ceasefire offer at a press "
            "conference in Brussels, saying it was not made in good faith. Stoltenberg said "
            "it is not for Ukraine to withdraw forces from Ukrainian territory. NATO defence "
            "ministers met in Brussels the same day."
        ),
    },
    {
        "id": "g7-loan",
        "title": "G7 agrees loan for Ukraine backed by frozen Russian assets",
        "source": "Alpine Herald",
        "published_at": "2024-06-13T12:00:00+00:00",
        "url": "https://alpine-herald.example/g7-loan",
        "body": (
            "G7 leaders meeting in southern Italy agreed a loan package of 50 billion dollars "
            "for Ukraine. The loan will be repaid with profits from frozen Russian central "
            "bank assets. The summit took place in Apulia."
        ),
    },
    {
        "id": "kansas-wheat",
        "title": "Kansas farmers bring in a record wheat harvest",
        "source": "Farm Weekly",
        "published_at": "2023-08-30T09:00:00+00:00",
        "url": "https://farm-weekly.example/kansas-wheat",
        "body": (
            "Kansas farmers brought in a record wheat harvest of 400 million bushels this "
            "summer after late spring rains. Grain elevators across the state ran out of "
            "storage space. Wheat prices fell by eight percent in August."
        ),
    },
    {
        "id": "hostile-markup",
        "title": XSS_TITLE,
        "source": "Evil Gazette",
        "published_at": "2024-01-10T08:00:00+00:00",
        "url": "javascript:alert(3)",
        "body": (
            "The city council approved 3 million euros for new bicycle lanes on Harbour "
            "Street <script>alert(2)</script> after a long debate. Work on the bicycle lanes "
            "starts in March and ends in October."
        ),
    },
]


def write_corpus(path: Path) -> Path:
    """Write the corpus as JSON Lines to ``path`` and return it."""
    path.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    return path
