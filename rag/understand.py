"""What kind of question this is, in the words people use.

The kind decides the prompt, the evidence budget and which checks apply:

- ``yesno``: "Did X resign?", "Is it true that ...?" (a verdict, which must be cited);
  requests that start like one ("Can you summarise ...", "Could you tell me ...") are not;
  one that sets reports against each other ("Did both outlets report the same score?",
  "Was there a change between the October and the December report?") ``compares``;
- ``summary``: "summarise", "what happened with", "the latest on", "give me the gist";
- ``attribution``: "what did <speaker> say", "according to <speaker>", "how did <speaker>
  respond" (the answer must be what that speaker said);
- ``comparison``: "compare", "did A and B agree", "which was first";
- ``factoid``: everything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_AUX = (
    r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|may|might|"
    r"isn'?t|aren'?t|wasn'?t|weren'?t|don'?t|doesn'?t|didn'?t|hasn'?t|haven'?t|hadn'?t|"
    r"won'?t|wouldn'?t)"
)
# "Did ...?", or a lead-in then the question: "Between A and B, was there ...?"
_YES_NO = re.compile(
    rf"^(?:and\s++|so\s++|but\s++|then\s++|also\s++)?{_AUX}\b"
    rf"|^(?:after|before|between|considering|given|following|since|when|while|according|in|"
    rf"if|as\s++of|now\s++that|with)\b"
    rf"[^?]{{0,400}}?,\s*+{_AUX}\b"
    r"|^(?:is\s++it\s++true|true\s++or\s++false)\b",
    re.I,
)
# "Can you summarise", "could you tell me", "would you explain": a request, not a yes/no.
_REQUEST = re.compile(
    r"^(?:(?:can|could|would|will)\s++(?:you|u)\s++(?:please\s++)?"
    r"|please\s++|tell\s++me\b|give\s++me\b|show\s++me\b|i\s++(?:want|need|would\s++like)\b)",
    re.I,
)
_SUMMARY = re.compile(
    r"\b(?:summari[sz]e|summary|sum\s++up|gist|overview|recap|brief\s++me|run\s*+down|"
    r"what\s++happened|what'?s\s++happening|what\s++is\s++happening|what'?s\s++going\s++on|"
    r"(?:what'?s|what\s++is|give\s++me|tell\s++me)\s++the\s++latest|latest\s++(?:on|with|about|"
    r"news|developments?)|any\s++updates?|updates?\s++on|what'?s\s++new|tell\s++me\s++about|"
    r"so\s++far|timeline|story\s++so\s++far)\b",
    re.I,
)
_SPEECH = (
    r"(?:say|said|says|claim|claimed|claims|argue|argued|argues|tell|told|think|thought|"
    r"announce|announced|write|wrote|warn|warned|believe|believed|state|stated|allege|alleged|"
    r"accuse|accused|deny|denied|insist|insisted|respond|responded|react|reacted|promise|"
    r"promised|demand|demanded|want|wanted|propose|proposed|testify|testified|admit|admitted)"
)
# Who the question asks about: "what did <X> say", "according to <X>", "how did <X> respond"
_SPEAKER = [
    re.compile(
        r"\baccording\s++to\s++([^,?;.]{2,80}?)(?=\s(?:what|who|how|when|where|why|which|is|"
        r"are|was|were|did|does|do|has|have|had)\b|[,?;.]|$)",
        re.I,
    ),
    re.compile(
        rf"\b(?:what|how|why|when)\s++(?:did|does|do|has|have|had)\s++(.{{2,80}}?)\s++"
        rf"{_SPEECH}\b",
        re.I,
    ),
    re.compile(
        r"\b(?:what|how)\s++(?:is|was|are|were)\s++(.{2,80}?)(?:'s|’s)\s++"
        r"(?:view|position|response|reaction|stance|argument|claim)\b",
        re.I,
    ),
]
_COMPARISON = re.compile(
    r"\b(?:compare[ds]?|comparison|differ(?:s|ed|ence|ent)?|versus|vs\.?|both|agree[ds]?|"
    r"disagree[ds]?|contradict(?:s|ed)?|consistent|same|which\s++(?:outlet|article|report|"
    r"one|source|was|came)\b[^?]{0,80}?\b(?:first|earlier|later|more|most|less))\b",
    re.I,
)
# A yes/no question that sets reports against each other: comparison words, a change
# or contrast between them, or two mentions of reports ("the TechCrunch article ...
# while The Verge article ...").
_CONTRAST = re.compile(
    r"\b(?:consisten(?:t|cy)|inconsisten(?:t|cy)|change[ds]?|shift(?:ed)?|whereas|contrast|"
    r"compared|similar(?:ly)?|unchanged|discrepanc(?:y|ies))\b",
    re.I,
)
_REPORTS = re.compile(
    r"\b(?:articles?|reports?|reported|reporting|stor(?:y|ies)|coverage|covered|"
    r"discuss(?:ed|es)|published|portray(?:s|ed))\b",
    re.I,
)
# A question asking for a quantity: "how many", "how much", "what percentage".
_QUANTITY = re.compile(
    r"\bhow\s++(?:many|much|long|old|far|big|large|high|often)\b"
    r"|\b(?:what|which)\s++(?:percentage|share|number|amount|price|score|age|figure|sum)\b",
    re.I,
)
KINDS = ("factoid", "attribution", "summary", "yesno", "comparison")
# How people ask, not what about: "give me the gist of", "in a nutshell", "for me".
# Rare words like "gist" or "nutshell" would otherwise pull in any article using them.
_ASKING = re.compile(
    r"\b(?:(?:can|could|would|will)\s(?:you|u)\s|please\b|(?:tell|give|show)\sme\b|"
    r"i\s(?:want|need|would\slike)\s(?:to\sknow\b)?|summari[sz]e|(?:short\s|quick\s)?summary|"
    r"sum\sup|(?:the\s)?gist|overview|recap|brief\sme|(?:quick\s)?run\s?down|"
    r"(?:the\s)?short\sversion|in\sa\snutshell|in\sa\s(?:couple|few)\sof\s(?:sentences|words|lines)|"
    r"in\sbrief|for\sme|(?:what'?s|what\sis)\sthe\s(?:story|deal)\swith|explain)\b",
    re.I,
)


def topic_text(question: str) -> str:
    """``question`` without the words of asking, for search.

    >>> topic_text("Give me the gist of the mystery dog illness story, please")
    'of the mystery dog illness story,'
    >>> topic_text("Can you explain why?")
    'Can you explain why?'
    """
    cleaned = " ".join(_ASKING.sub(" ", " ".join(question.split())).split())
    return cleaned if len(cleaned.split()) >= 2 else question


@dataclass(frozen=True)
class QuestionKind:
    """A question's kind, and the speaker it asks about (attribution questions)."""

    kind: str
    speaker: str | None = None
    compares: bool = False

    @property
    def is_yes_no(self) -> bool:
        """A question to answer with a verdict."""
        return self.kind == "yesno"


def compares_reports(text: str) -> bool:
    """Whether a yes/no question sets reports against each other (its verdict needs
    the reports compared, which the quotes alone do not do).

    >>> compares_reports("Did TechCrunch and Fortune name the same interim CEO?")
    True
    >>> compares_reports("Did the TechCrunch article report it before The Verge discussed it?")
    True
    >>> compares_reports("Did CZ plead guilty?")
    False
    """
    return bool(
        _COMPARISON.search(text) or _CONTRAST.search(text) or len(_REPORTS.findall(text)) >= 2
    )


def classify(question: str) -> QuestionKind:
    """The kind of ``question`` (see the module docstring).

    >>> classify("Did China support Putin's proposal?")
    QuestionKind(kind='yesno', speaker=None, compares=False)
    >>> classify("Can you summarise the article about Putin's offer?").kind
    'summary'
    >>> classify("Could you tell me what Biden signed?").kind
    'factoid'
    >>> classify("What did Sam Bankman-Fried's lawyers argue at his trial?")
    QuestionKind(kind='attribution', speaker="Sam Bankman-Fried's lawyers", compares=False)
    >>> classify("What does Kyiv say about the offer according to Podolyak?").speaker
    'Podolyak'
    """
    text = " ".join(question.split())
    request = _REQUEST.match(text)
    speaker = _speaker(text)
    if _SUMMARY.search(text):
        return QuestionKind("summary", speaker)
    if not request and _YES_NO.match(text):
        return QuestionKind("yesno", speaker, compares_reports(text))
    if speaker:
        return QuestionKind("attribution", speaker)
    if _COMPARISON.search(text):
        return QuestionKind("comparison")
    return QuestionKind("factoid")


def is_yes_no(question: str) -> bool:
    """Whether ``question`` asks for a yes or no (requests do not).

    >>> is_yes_no("Did Wired report it?"), is_yes_no("Who reported it?")
    (True, False)
    >>> is_yes_no("Between the report on May 1, 2023, and the next one, was there a change?")
    True
    >>> is_yes_no("Can you summarise the article?")
    False
    """
    text = " ".join(question.split())
    return not _REQUEST.match(text) and bool(_YES_NO.match(text))


def asks_quantity(question: str) -> bool:
    """Whether ``question`` asks for a number.

    >>> asks_quantity("weed in pregnancy study how many women"), asks_quantity("Who won?")
    (True, False)
    """
    return bool(_QUANTITY.search(question))


def _speaker(text: str) -> str | None:
    for pattern in _SPEAKER:
        match = pattern.search(text)
        if match:
            who = match.group(1).strip(" ,")
            who = re.sub(r"^(?:the\s++)?(?:report\s++by\s++)?", "", who, flags=re.I) or who
            if who.lower() not in ("you", "it", "they", "he", "she", "people", "we", "i"):
                return who
    return None
