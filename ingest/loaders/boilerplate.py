"""Precision first: lines of extracted text that belong to the page, not the article.

trafilatura keeps whole blocks; some are the site's, not the story's: "Read more: ..."
links between paragraphs, newsletter and subscription prompts, "Continue reading",
copyright lines and share prompts at the end. :func:`clean_text` drops such lines
(short ones only: a long paragraph that mentions a newsletter is the story's).
:func:`recovered_text` takes the text a page carries only in its JSON (JSON-LD
``articleBody``) when the HTML shows much less of it.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

# A line that starts like this links elsewhere ("Read more: ...", "Lesen Sie auch: ...").
_LINK_LINE = re.compile(
    r"^(?:read more|read also|also read|see also|related|more on this|more from|"
    r"recommended|lesen sie auch|lesen sie mehr|mehr zum thema|mehr dazu|auch interessant|"
    r"das könnte sie auch interessieren|weiterlesen|lire aussi|à lire aussi|voir aussi|"
    r"lea también|lea más|lee también|leer más|te puede interesar|le puede interesar|"
    r"ver también|leggi anche|potrebbe interessarti|click here|klicken sie hier|lea|"
    r"puedes ver|mira también|te recomendamos|siehe auch|schon gelesen|ebenfalls interessant|"
    r"notas relacionadas|contenido relacionado|related articles|related stories)\b",
    re.I,
)
# A short line saying this is a prompt of the site's, wherever it stands.
_PROMPT_LINE = re.compile(
    r"newsletter|subscribe|sign up|signing up|abonnieren|suscríbete|abonnez|iscriviti|"
    r"follow us|folgen sie uns|síguenos|siguenos|suivez-nous|seguici|download (?:our|the)|"
    r"get the .{1,40} app|app herunterladen|all rights reserved|alle rechte vorbehalten|"
    r"share this|teilen mit|share on|wird geladen|loading\.\.\.|"
    r"affiliate|references to products|we recommend the best",
    re.I,
)
# A short line saying any of this is the site talking (newsletter, sharing, rights).
_SITE_LINE = re.compile(
    r"newsletter|subscribe|sign up for|sign up to|abonnieren|suscríbete|abonnez|iscriviti|"
    r"continue reading|weiterlesen|all rights reserved|alle rechte vorbehalten|"
    r"tous droits réservés|todos los derechos reservados|tutti i diritti riservati|"
    r"^©|^\(c\) |^copyright\b|share this|share on|teilen auf|follow us|folgen sie uns|"
    r"síguenos|suivez-nous|seguici|download (?:our|the) app|app herunterladen|"
    r"cookies? (?:settings|policy|einstellungen)|datenschutz|privacy policy|"
    r"advertisement$|^anzeige$|^werbung$|^publicidad$|^publicité$|^pubblicità$|"
    r"telegram|whatsapp|instagram|facebook|twitter|únete|hazte miembro|unterstütze|"
    r"síguenos|siguenos|kommentare|comments|commentaires|comentarios|weitere themen|"
    r"top-themen|more stories|more news|weitere artikel|nächsten artikel|titelbild|"
    r"beitragsbild|crédits? photos?|bildquelle|fotos?:|photos?:|image:|quellenangaben|"
    r"letzte änderung|last modified|aktualisiert am|support us|donate|spenden",
    re.I,
)
# A short heading like this in the last part of a text starts the site's own block.
_SECTION_END = re.compile(
    r"^(?:weitere (?:themen|artikel|beiträge|nachrichten|news|infos|tipps|\w+tipps)|"
    r"auch auf|vorschau auf|top-themen|top-artikel|meistgelesen|"
    r"more (?:stories|news|from|on)|most (?:read|popular)|you may also like|"
    r"you might also like|recommended|trending|popular now|related|"
    r"das könnte sie auch interessieren|mehr zum thema|mehr aus|mehr von|lesen sie auch|"
    r"notas relacionadas|contenido relacionado|te puede interesar|lo más leído|"
    r"à lire aussi|sur le même sujet|les plus lus|leggi anche|i più letti|"
    r"tú también puedes|hacemos periodismo|support (?:our|independent) journalism|"
    r"unterstützen sie|unterstütze)\b",
    re.I,
)
# Where such a heading may start the site's block: the last part of the text.
SECTION_END_FROM = 0.6
# Lines up to this long can be the site's; longer ones are taken for the story's.
SITE_LINE_MAX_CHARS = 160
# A link line this short is a heading over a list of links ("NOTAS RELACIONADAS").
LINK_HEADING_MAX_CHARS = 40
# A trailing line this short without closing punctuation reads as a link to a story.
HEADLINE_MAX_CHARS = 120
_SENTENCE_ENDS = (".", "!", "?", "…", '"', "“", "”", "»", "«", "'", ")", ":", ";")
_VISIBLE_TEXT = etree.XPath(
    ".//text()[not(ancestor::script or ancestor::style or ancestor::noscript or "
    "ancestor::template or ancestor::svg)][not(parent::comment())]"
)


def clean_text(text: str) -> str:
    """``text`` without link lines anywhere and without site lines at its end.

    >>> clean_text("The harbour reopened.\\nRead more: Storm closes harbour\\nShips wait.\\n"
    ...            "Sign up for our newsletter\\n© 2024 Tide Media")
    'The harbour reopened.\\nShips wait.'
    """
    lines = _without_link_blocks(text.split("\n"))
    lines = [line for line in lines if not _is_prompt_line(line)]
    while lines and _is_site_line(lines[-1]):
        lines.pop()
    return "\n".join(_without_link_list(_cut_at_section_end(lines))).strip()


def _cut_at_section_end(lines: list[str]) -> list[str]:
    """``lines`` up to a closing section heading ("Weitere Themen", "Most read")
    standing in the last part of the text."""
    total = sum(len(line) + 1 for line in lines)
    seen = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if (
            seen >= SECTION_END_FROM * total
            and len(stripped) <= SITE_LINE_MAX_CHARS
            and _SECTION_END.match(stripped)
        ):
            return lines[:i]
        seen += len(line) + 1
    return lines


def _without_link_list(lines: list[str]) -> list[str]:
    """``lines`` without a trailing run of headline-like lines (other stories' links):
    short, no closing punctuation. Kept when it would be most of the text (a list)."""
    end = len(lines)
    while end > 0 and _is_headline_like(lines[end - 1]):
        end -= 1
    dropped = sum(len(line) for line in lines[end:])
    if end == len(lines) or dropped * 2 > sum(len(line) for line in lines):
        return lines
    kept = lines[:end]
    while kept and _is_site_line(kept[-1]):
        kept.pop()
    return kept


def _is_headline_like(line: str) -> bool:
    stripped = line.strip()
    return (
        not stripped
        or _is_site_line(stripped)
        or (len(stripped) <= HEADLINE_MAX_CHARS and not stripped.endswith(_SENTENCE_ENDS))
    )


def _without_link_blocks(lines: list[str]) -> list[str]:
    """``lines`` without link lines; a link heading alone ("Related", "Mehr zum Thema")
    takes the headline-like lines after it along (the linked stories)."""
    kept: list[str] = []
    skipping = False
    for line in lines:
        if _is_link_line(line):
            skipping = len(line.strip()) <= LINK_HEADING_MAX_CHARS
            continue
        if skipping and _is_headline_like(line):
            continue
        skipping = False
        kept.append(line)
    return kept


def _is_link_line(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) <= SITE_LINE_MAX_CHARS and bool(_LINK_LINE.match(stripped))


def _is_prompt_line(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) <= SITE_LINE_MAX_CHARS and bool(_PROMPT_LINE.search(stripped))


def _is_site_line(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return True
    return len(stripped) <= SITE_LINE_MAX_CHARS and bool(_SITE_LINE.search(stripped))


def recovered_text(text: str, json_body: str) -> str:
    """The article text a page carries in its JSON when its HTML shows much less.

    >>> recovered_text("Photo: ships in the harbour.", "The harbour reopened. " * 40)[:21]
    'The harbour reopened.'
    """
    if not json_body:
        return text
    body = json_body
    if "<" in body:
        from ingest.loaders.feed import html_fragment_to_text

        body = html_fragment_to_text(body)
    body = "\n".join(" ".join(line.split()) for line in body.splitlines() if line.strip())
    body = clean_text(body)
    if len(body) >= 2 * len(text) and len(body) - len(text) >= 400:
        return body
    return text


def visible_text(tree: Any) -> str:
    """The page's visible text, whitespace collapsed (scripts and styles left out)."""
    return visible_nodes(tree).replace("\n", " ")


def visible_nodes(tree: Any) -> str:
    """The page's visible text with a line break where one text node (element text)
    ends and the next begins, whitespace inside each collapsed.

    Replacing the line breaks by spaces gives :func:`visible_text`, character for
    character, so offsets found in one hold in the other. A name in a byline ends with
    its element: ``<i>von Anna Berg</i><h2>Grenzen</h2>`` is ``von Anna Berg\\nGrenzen``.

    >>> import lxml.html
    >>> visible_nodes(lxml.html.fromstring("<p>Von <a>Anna  Berg</a></p><h2>Grenzen</h2>"))
    'Von\\nAnna Berg\\nGrenzen'
    """
    body = tree.find("body")
    root = body if body is not None else tree
    return "\n".join(flat for node in _VISIBLE_TEXT(root) if (flat := " ".join(node.split())))
