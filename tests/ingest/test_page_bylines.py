"""Authors and dates of real-world byline shapes (short excerpts written for these
tests, after the shapes of labelled pages that went wrong: names running into the
next element, byline words standing as elements of their own, dates beside names,
visible dates the structured data states as a later change, UTC midnights)."""

from __future__ import annotations

import json

import lxml.html
import pytest

from ingest.loaders.boilerplate import visible_nodes, visible_text
from ingest.loaders.bylines import choose_author
from ingest.loaders.dates import find_written_date, page_date
from ingest.loaders.html import html_to_article
from tests.ingest.test_page_metadata import STORY

H1 = "Harbour quay reopens after repairs"


def page(byline: str = "", head: str = "", end: str = "", nav: str = "") -> str:
    return (
        f"<html><head>{head}</head><body><nav><a href='/'>Home</a>{nav}</nav>"
        f"<article><h1>{H1}</h1>{byline}{STORY}{end}</article>"
        "<footer>Contact us</footer></body></html>"
    )


def ld(**fields: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(fields)}</script>'


def author(html: str) -> str | None:
    return html_to_article(html, "mem").author


def day(html: str) -> str:
    return (html_to_article(html, "mem").published_at or "")[:10]


# -- names end with their element -----------------------------------------------------


def test_visible_nodes_are_the_visible_text_with_node_breaks() -> None:
    tree = lxml.html.fromstring(page("<p>Von <a href='/a'>Anna  Berg</a></p>"))
    assert visible_nodes(tree).replace("\n", " ") == visible_text(tree)
    assert "Von\nAnna Berg\n" in visible_nodes(tree)


@pytest.mark.parametrize(
    ("byline", "name"),
    [
        # the next element is a subheading, a photo credit, a place
        ("<p><i>von Daniela Obers</i></p><h2>Grenzen, das Fundament</h2>", "Daniela Obers"),
        ("<span>06.11.2023 13:30 von Olga </span><span>Symbolbild imago</span>", "Olga"),
        ("<span>von Andreas Kürten</span><p>New York ist das Epizentrum.</p>", "Andreas Kürten"),
    ],
)
def test_a_name_in_the_text_ends_with_its_element(byline: str, name: str) -> None:
    assert author(page(byline)) == name


@pytest.mark.parametrize(
    ("element", "name"),
    [
        (
            "<div class='group-author'>Von <a href='/r/i'>Isabella.DiBiase</a> am "
            "<span>Samstag, 19. Oktober 2019 um 11:14 Uhr</span></div>",
            "Isabella.DiBiase",
        ),
        (
            "<div class='author-bio'><h3>Martin Junker</h3><a href='/m'>Alles von Martin "
            "Junker</a> <span>Kontakt | +49 30 1234 5678</span></div>",
            "Martin Junker",
        ),
        (
            "<div class='author'><a href='/h'>Houzz Redaktion Nord</a><span>vor 5 Stunden"
            "</span><a href='/m'>Mehr</a></div>",
            "Houzz Redaktion Nord",
        ),
        (
            "<p class='byline'>By <a href='/a'>Ana Ruiz</a> and <a href='/l'>Luis Gil</a></p>",
            "Ana Ruiz; Luis Gil",
        ),
    ],
)
def test_an_author_element_gives_the_names_it_starts_with(element: str, name: str) -> None:
    assert author(page(element)) == name


def test_entities_degrees_and_photo_credits_are_not_names() -> None:
    assert choose_author(["Redacci&oacute;n Diario Pagina Siete"], []) == (
        "Redacción Diario Pagina Siete"
    )
    assert choose_author(["Grant Tinsley, PhD"], []) == "Grant Tinsley"
    assert choose_author(["Text & Fotos: Ivan Valetny"], []) == "Ivan Valetny"


# -- who is named where ---------------------------------------------------------------


def test_a_person_in_the_byline_text_beats_the_outlet_in_the_markup() -> None:
    head = "<meta name='author' content='Coastal Times'><meta property='og:site_name' content='Coastal Times'>"
    assert author(page("<p>Von Lisa Petrich</p><p>Mi, 18. Oktober 2023</p>", head)) == (
        "Lisa Petrich"
    )


def test_the_outlet_named_in_a_text_byline_is_passed_over() -> None:
    head = "<meta property='og:site_name' content='Coastal Times'>"
    byline = "<p>By Coastal Times - January 17, 2020</p><p><em>Written by: Ana Ruiz</em></p>"
    assert author(page(byline, head)) == "Ana Ruiz"


def test_a_desk_is_the_author_only_when_no_one_is_named() -> None:
    assert author(page(head="<meta name='author' content='Redaktion'>")) == "Redaktion"
    assert choose_author(["Redaktion", "Anna Berg"], []) == "Anna Berg"


def test_a_lower_case_von_inside_a_sentence_is_no_byline() -> None:
    byline = "<p>Verbände lehnen das von Heiko Maas geplante Gesetz ab.</p>"
    assert author(page(byline)) is None


@pytest.mark.parametrize(
    ("byline", "name"),
    [
        ("<p>11.12.2019 - Amelie Loevenich</p>", "Amelie Loevenich"),
        ("<small>04.02.2022 | 13:10 Uhr | Uta Helkenberg</small>", "Uta Helkenberg"),
        ("<p>Hit Parader</p><span>by</span> <a href='/u/oz'>oz</a> <span>on</span>", "oz"),
        ("<p>Seguridad</p><span>Por</span><a href='/r'>Redacción Diario</a>", "Redacción Diario"),
        (
            "<p>© Kathrin Führes</p><span>Kathrin Führes</span> <span>am</span> "
            "<span>Mittwoch, 26.01.2022 - 14:30</span>",
            "Kathrin Führes",
        ),
        ("<a href='/u'>MikeNils</a><span>18.10.2019, 15:07 Uhr</span>", "MikeNils"),
    ],
)
def test_byline_shapes_next_to_the_headline(byline: str, name: str) -> None:
    assert author(page(byline)) == name


def test_a_credit_line_at_the_end_names_the_author() -> None:
    assert author(page(end="<p>Autorin: Uta Staschewski, Projektleiterin.</p>")) == (
        "Uta Staschewski"
    )
    assert author(page(end="<p>Von:</p><p>Götz Warnke</p>")) == "Götz Warnke"


# -- dates ----------------------------------------------------------------------------


def test_a_visible_date_the_data_states_as_a_change_is_the_date() -> None:
    head = (
        "<meta property='article:published_time' content='2021-11-29T14:13:37+00:00'>"
        "<meta property='article:modified_time' content='2022-01-12T14:27:30+00:00'>"
    )
    assert day(page("<p>Christoph Hein</p><p>12.01.2022</p>", head)) == "2022-01-12"


def test_a_structured_day_written_near_the_headline_stands() -> None:
    """The header's date of today (the 4th) is nearer, but the byline shows the 3rd."""
    found = page_date(
        ["2022-05-03T20:51:06.620Z"],
        before="Argentina México miércoles 4 de mayo de 2022 Escuchar artículo",
        after=" El periodista sostuvo que eso supondría el fin 3 de Mayo de 2022 Muratov",
    )
    assert found.startswith("2022-05-03")


def test_a_utc_afternoon_is_the_same_day_everywhere_near_utc() -> None:
    found = page_date(["2023-10-30T13:01:18+00:00"], before="31. Oktober 2023 Suche nach:")
    assert found == "2023-10-30T13:01:18+00:00"


def test_a_utc_time_on_the_hour_late_at_night_is_a_local_midnight() -> None:
    assert page_date(["2022-11-06T23:00:00.000Z"]) == "2022-11-07"
    assert page_date(["2022-11-06T23:04:10Z"]) == "2022-11-06T23:04:10+00:00"


def test_json_ld_date_created_stands_in_for_date_published() -> None:
    head = ld(**{"@type": "NewsArticle", "dateCreated": "2020-04-27T17:58:19+02:00"})
    assert day(page("<p>28.04.2020, 10:27 Uhr Kommentar</p>", head)) == "2020-04-27"


def test_cyrillic_month_names_and_registration_dates() -> None:
    assert find_written_date("Германия 15 августа 2016, 13:43") == "2016-08-15"
    text = "r23 Registriert: 18.09.2008, 05:56 Beitrag von r23 » 21.01.2009, 05:42"
    assert find_written_date(text) == "2009-01-21"


def test_the_headline_place_with_a_date_after_it_is_the_byline() -> None:
    """The headline is linked in the menu first; its byline stands under the h1."""
    menu = "".join(f"<a href='/s{i}'>Section number {i} of the site</a>" for i in range(30))
    nav = f"<a href='/q'>{H1}</a>{menu}"
    assert day(page("<p>25.01.2022</p>", nav=nav)) == "2022-01-25"


def test_an_organisation_in_the_markup_gives_way_to_a_person_credited() -> None:
    head = "<meta name='author' content='Hanns-Seidel-Stiftung e.V.'>"
    html = page(head=head, end="<p>Autorin: Uta Staschewski, Projektleiterin.</p>")
    assert author(html) == "Uta Staschewski"
    assert author(page(head=head)) == "Hanns-Seidel-Stiftung e.V."


def test_byline_words_split_over_elements_frame_the_name() -> None:
    element = (
        "<p class='author'><span>Beitrag</span><span>von</span> <a href='/u'>r23</a> » "
        "<span>21.01.2009, 05:42</span></p>"
    )
    assert author(page(element)) == "r23"


def test_the_copyright_holder_names_a_page_that_names_no_one_else() -> None:
    footer = "<p>Copyright (c) 2012- Gregory Szorc. All rights reserved.</p>"
    assert author(page(end=footer)) == "Gregory Szorc"
    assert author(page("<p>By Ana Ruiz</p>", end=footer)) == "Ana Ruiz"
