"""Facets: each filter's options say how many assets each would show with the other filters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assets.models import Asset
from tests.factories import make_listed_assets

pytestmark = pytest.mark.django_db


def counts(response, facet: str) -> dict[str, int]:
    found = {f.name: f for f in response.context["facets"]}[facet]
    return {option.value: option.count for option in found.options}


@pytest.fixture
def library():
    make_listed_assets(
        [
            {"title": "Summer ferry", "collection": "Summer", "tags": ["sea"]},
            {"title": "Summer logo", "collection": "Summer", "kind": "logo", "width": 800},
            {"title": "Summer frame", "collection": "Summer", "kind": "frame", "width": 800},
            {"title": "Winter ferry", "collection": "Winter", "tags": ["sea", "snow"]},
            {"title": "Winter tower", "collection": "Winter", "height": 1800, "tags": ["snow"]},
        ]
    )
    make_listed_assets(
        [{"title": "Summer draft", "collection": "Summer", "tags": ["secret"]}],
        status=Asset.Status.DRAFT,
    )


def test_every_facet_counts_published_artwork_only(client, employee, library):
    client.force_login(employee)
    page = client.get("/")
    assert counts(page, "collection") == {"summer": 3, "winter": 2}
    assert counts(page, "tag") == {"sea": 2, "snow": 2}
    assert counts(page, "kind") == {"photo": 3, "logo": 1, "frame": 1}
    assert counts(page, "orientation") == {"landscape": 2, "portrait": 1, "square": 2}
    # A profile frame is made into no platform's size; every other kind into each.
    assert counts(page, "platform")["linkedin"] == 4


def test_each_facet_counts_under_the_other_filters_but_not_its_own(client, employee, library):
    client.force_login(employee)
    page = client.get("/", {"collection": "winter", "tag": "snow"})
    assert [asset.title for asset in page.context["page"].object_list] == [
        "Winter tower",
        "Winter ferry",
    ]
    # Collections under the tag "snow"; tags under the collection "Winter".
    assert counts(page, "collection") == {"winter": 2}
    assert counts(page, "tag") == {"sea": 1, "snow": 2}
    assert counts(page, "orientation") == {"landscape": 1, "portrait": 1}


def test_facets_combine_with_a_search(client, employee, library):
    client.force_login(employee)
    page = client.get("/", {"q": "ferry", "orientation": "landscape"})
    assert sorted(asset.title for asset in page.context["page"].object_list) == [
        "Summer ferry",
        "Winter ferry",
    ]
    assert counts(page, "collection") == {"summer": 1, "winter": 1}
    assert counts(page, "orientation") == {"landscape": 2}


def test_the_platform_facet_leaves_out_kinds_without_its_sizes(client, employee, library):
    client.force_login(employee)
    page = client.get("/", {"platform": "teams", "collection": "summer"})
    assert sorted(asset.title for asset in page.context["page"].object_list) == [
        "Summer ferry",
        "Summer logo",
    ]
    assert counts(page, "kind") == {"photo": 1, "logo": 1}


def test_a_chosen_option_that_matches_nothing_still_shows_so_it_can_be_cleared(
    client, employee, library
):
    client.force_login(employee)
    page = client.get("/", {"collection": "winter", "kind": "logo"})
    assert counts(page, "kind")["logo"] == 0
    assert '<option value="logo" selected>Logo (0)</option>' in page.content.decode()


def test_the_tag_facet_shows_the_thirty_most_used_ties_by_name_and_the_chosen_one(client, employee):
    # Made in reverse order of name, so the ids' order is not the names'.
    quiet = [f"quiet {n:02}" for n in reversed(range(32))]
    make_listed_assets([{"tags": ["busy", "Anchor"]}, {"tags": ["busy"]}])
    make_listed_assets([{"tags": [name]} for name in quiet])
    client.force_login(employee)
    shown = list(counts(client.get("/"), "tag"))
    assert shown == ["busy", "anchor", *(f"quiet-{n:02}" for n in range(28))]
    chosen = counts(client.get("/", {"tag": "quiet-31"}), "tag")
    assert list(chosen)[-1] == "quiet-31"
    assert chosen["quiet-31"] == 1
    assert len(chosen) == 31


def test_marketing_counts_drafts_by_status_in_the_library(client, marketer, library):
    client.force_login(marketer)
    page = client.get("/library/", {"collection": "summer"})
    assert counts(page, "status") == {"published": 3, "draft": 1}
    assert counts(client.get("/library/", {"status": "draft"}), "tag") == {"secret": 1}


def _spread(count: int) -> list[dict]:
    """Assets across collections, tags, kinds and shapes, every tenth about a harbour.

    Each page's filters find some at 10 as at 1,000: an empty page skips its prefetch.
    """
    kinds = ["photo", "logo", "illustration", "frame"]
    return [
        {
            "title": f"{'Harbour' if n % 10 == 0 else 'Deck'} view {n}",
            "collection": f"Collection {n % 7}",
            "tags": [f"tag {n % 13}", f"tag {n % 5}"],
            "kind": kinds[n % 4],
            "height": 800 + (n % 3) * 400,
        }
        for n in range(count)
    ]


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("employee", "/"),
        ("employee", "/?q=deck&tag=tag-1"),
        ("employee", "/?q=harbuor&page=1"),  # a typo: close words are looked up
        ("employee", "/?kind=logo&platform=teams&orientation=square"),
        ("marketer", "/library/"),
        ("marketer", "/library/?status=draft&q=deck"),
        ("employee", "/api/v1/assets/?q=harbuor"),
    ],
)
def test_a_page_runs_as_many_queries_at_1000_assets_as_at_10(
    client, request, django_assert_num_queries, who, url
):
    client.force_login(request.getfixturevalue(who))
    make_listed_assets(_spread(10))
    make_listed_assets(_spread(10), status=Asset.Status.DRAFT)
    with CaptureQueriesContext(connection) as at_ten:
        assert client.get(url).status_code == 200
    make_listed_assets(_spread(1000))
    make_listed_assets(_spread(100), status=Asset.Status.DRAFT)
    with django_assert_num_queries(len(at_ten)):
        assert client.get(url).status_code == 200
