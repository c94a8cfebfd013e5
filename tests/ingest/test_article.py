"""The article model: identity rules, content hash, URL canonicalisation, dates."""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ingest.article import (
    Article,
    article_id,
    canonical_url,
    normalize_date,
    normalize_text,
    to_timestamp,
)

BODY = "The central bank raised rates on Tuesday.\n\nMarkets fell after the announcement."


def _article(**kw: object) -> Article:
    fields: dict[str, object] = {
        "id": "a1",
        "title": "Bank raises rates",
        "body": BODY,
        "source": "Daily Ledger",
        "url": "https://ledger.example/rates",
        "published_at": "2023-10-30T09:00:00+00:00",
        "author": "Ann Writer",
    }
    fields.update(kw)
    return Article(**fields)  # type: ignore[arg-type]


# -- identity -----------------------------------------------------------------------


def test_record_id_wins_over_url_and_text() -> None:
    assert article_id("mhr-a001", "https://x.org/a", "T", "B") == "mhr-a001"
    assert article_id(42, None, "T", "B") == "42"  # type: ignore[arg-type]


def test_record_id_is_made_safe_for_chroma_and_shells() -> None:
    assert article_id("  a b/c:d  ", None, "T", "B") == "a_b_c_d"
    assert article_id("x" * 300, None, "T", "B") == "x" * 200


@pytest.mark.parametrize("blank", ["", "   ", "///"])
def test_blank_or_unusable_record_id_falls_back_to_url(blank: str) -> None:
    assert article_id(blank, "https://x.org/a", "T", "B") == article_id(
        None, "https://x.org/a", "", ""
    )


def test_url_identity_is_a_hash_of_the_canonical_url() -> None:
    expected = "u" + hashlib.sha256(b"https://x.org/a").hexdigest()[:16]
    assert article_id(None, "https://x.org/a", "Title", "Body") == expected
    # title and body do not matter once there is a URL
    assert article_id(None, "https://x.org/a", "Other", "Other body") == expected


@pytest.mark.parametrize(
    "variant",
    [
        "HTTPS://X.ORG/a",
        "https://x.org/a/",
        "https://x.org/a#comments",
        "https://x.org:443/a",
        "https://x.org/a?utm_source=twitter&utm_medium=social",
        "https://x.org/a?fbclid=IwAR0&gclid=abc&ref=home&mc_cid=9&ocid=1&cmpid=2",
        "  https://x.org/a  ",
    ],
)
def test_url_variants_of_one_page_share_an_id(variant: str) -> None:
    assert article_id(None, variant, "", "") == article_id(None, "https://x.org/a", "", "")


@pytest.mark.parametrize(
    "other",
    [
        "https://x.org/b",
        "https://x.org/a?id=2",
        "https://y.org/a",
        "https://x.org:8443/a",
        "http://x.org:443/a",  # 443 is not http's default port
    ],
)
def test_different_pages_get_different_ids(other: str) -> None:
    assert article_id(None, other, "", "") != article_id(None, "https://x.org/a", "", "")


def test_canonical_url_keeps_real_parameters_sorted() -> None:
    assert canonical_url("https://x.org/a?b=2&utm_campaign=z&a=1") == "https://x.org/a?a=1&b=2"
    assert canonical_url("https://x.org/a?b=2&a=1") == canonical_url("https://x.org/a?a=1&b=2")
    assert canonical_url("http://X.org:80/") == "http://x.org"
    assert canonical_url("https://x.org:8443/a") == "https://x.org:8443/a"


def test_text_identity_when_there_is_no_id_or_url() -> None:
    aid = article_id(None, None, "Storm hits coast", "Winds of 120 km/h were recorded.")
    assert aid.startswith("h") and len(aid) == 17
    assert set(aid[1:]) <= set("0123456789abcdef")
    # case and whitespace of the title, whitespace of the body do not change identity
    assert aid == article_id(
        None, None, "  STORM hits\tcoast ", "Winds of 120  km/h\nwere recorded."
    )
    assert aid != article_id(None, None, "Storm hits coast", "Winds of 130 km/h were recorded.")
    assert aid != article_id(None, None, "Storm hits city", "Winds of 120 km/h were recorded.")


# -- content hash --------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"body": BODY.replace("Tuesday", "Monday")},
        {"title": "Bank raises rates again"},
        {"source": "Evening Ledger"},
        {"source": None},
        {"url": "https://ledger.example/rates-2"},
        {"published_at": "2023-10-31T09:00:00+00:00"},
        {"author": "Bo Writer"},
    ],
)
def test_content_hash_changes_with_anything_a_reader_sees(change: dict[str, object]) -> None:
    assert _article(**change).content_hash != _article().content_hash


def test_content_hash_ignores_whitespace_unicode_form_and_bookkeeping() -> None:
    base = _article()
    spaced = _article(
        title="  Bank   raises rates\n",
        body="  " + BODY.replace(" ", "  ").replace("\n\n", "\n \n") + "\n\n",
    )
    assert spaced.content_hash == base.content_hash
    # bookkeeping that a reader does not see
    assert replace(base, id="other", origin="/x.txt", extra={"w": "x"}).content_hash == (
        base.content_hash
    )
    composed = _article(title="Café opens", body="Crème brûlée.")
    decomposed = _article(title="Cafe\u0301 opens", body="Cre\u0300me bru\u0302le\u0301e.")
    assert composed.content_hash == decomposed.content_hash
    assert len(base.content_hash) == 64


def test_fields_do_not_bleed_into_each_other_in_the_hash() -> None:
    # "title|body" must not collide with the same characters split differently
    one = _article(title="A B", body="C")
    two = _article(title="A", body="B C")
    assert one.content_hash != two.content_hash


def test_normalize_text() -> None:
    assert normalize_text("  a\t b\n\nc  ") == "a b c"
    assert normalize_text("e\u0301") == "é"


def test_label_prefers_title_then_origin_then_id() -> None:
    assert _article().label == "Bank raises rates"
    assert _article(title="", origin="/tmp/x.txt").label == "/tmp/x.txt"
    assert _article(title="", origin="").label == "a1"


# -- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-10-30T14:05:00+00:00", "2023-10-30T14:05:00+00:00"),
        ("2023-10-30T14:05:00Z", "2023-10-30T14:05:00+00:00"),
        ("2023-10-30T14:05:00+02:00", "2023-10-30T14:05:00+02:00"),
        ("2023-10-30 14:05", "2023-10-30T14:05:00"),
        ("2024-06-14", "2024-06-14"),  # a date stays a date: no invented midnight
        (" 2024-06-14 ", "2024-06-14"),
        ("Mon, 30 Oct 2023 14:05:00 GMT", "2023-10-30T14:05:00+00:00"),
        ("Mon, 30 Oct 2023 14:05:00 +0200", "2023-10-30T14:05:00+02:00"),
        ("30 Oct 2023 14:05:00 -0500", "2023-10-30T14:05:00-05:00"),
        ("June 14, 2024", "2024-06-14"),
        ("14 June 2024", "2024-06-14"),
        ("Jan. 5, 2024", "2024-01-05"),
    ],
)
def test_normalize_date_strings(value: str, expected: str) -> None:
    assert normalize_date(value) == expected


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        "",
        "   ",
        "garbage",
        "yesterday",
        "2024-13-01",
        "2024-02-30",
        "30/02/2024",
        "12345",
        "Mon, 99 Foo 2023",
        True,
        float("nan"),
        1e30,
        ["2024-06-14"],
    ],
)
def test_normalize_date_garbage_gives_none(garbage: object) -> None:
    assert normalize_date(garbage) is None


def test_normalize_date_objects() -> None:
    assert normalize_date(date(2024, 6, 14)) == "2024-06-14"
    tz = timezone(timedelta(hours=2))
    assert normalize_date(datetime(2024, 6, 14, 9, 30, tzinfo=tz)) == "2024-06-14T09:30:00+02:00"
    # feedparser's *_parsed values are UTC struct_time tuples
    stamp = time.gmtime(1718357400)  # 2024-06-14 09:30:00 UTC
    assert normalize_date(stamp) == "2024-06-14T09:30:00+00:00"
    assert normalize_date((2024, 2, 30, 0, 0, 0, 0, 0, 0)) is None
    assert normalize_date(1718357400) == "2024-06-14T09:30:00+00:00"


def test_to_timestamp() -> None:
    assert to_timestamp("2024-06-14T09:30:00+00:00") == 1718357400
    assert to_timestamp("2024-06-14T11:30:00+02:00") == 1718357400
    # naive values and plain dates are taken as UTC
    assert to_timestamp("2024-06-14T09:30:00") == 1718357400
    assert to_timestamp("2024-06-14") == int(datetime(2024, 6, 14, tzinfo=UTC).timestamp())
    assert to_timestamp(None) is None and to_timestamp("nonsense") is None
    assert _article(published_at="2024-06-14").published_ts == 1718323200
