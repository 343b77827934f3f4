"""Policy text is Markdown from the database: nothing in it may run in a reader's browser."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from policies.models import PolicyPage


class Elements(HTMLParser):
    """The real elements of an HTML fragment, as a browser would build them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    @property
    def tags(self) -> set[str]:
        return {tag for tag, _ in self.found}

    @property
    def attributes(self) -> set[str]:
        return {name for _, attrs in self.found for name in attrs}

    @property
    def hrefs(self) -> list[str]:
        return [attrs["href"] for tag, attrs in self.found if attrs.get("href")]


def policy_body(client, user, body: str) -> str:
    PolicyPage.objects.create(slug="test-page", title="Test page", body=body)
    client.force_login(user)
    html = client.get(reverse("policies:page", args=["test-page"])).content.decode()
    return html[html.index('<div class="policy-body">') : html.index("</article>")]


def test_a_script_tag_is_shown_as_text_and_never_runs(client, employee):
    body = "Hello <script>alert('x')</script>\n\n<script>\nalert(1)\n</script>"
    html = policy_body(client, employee, body)
    assert "script" not in Elements(html).tags
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "[click](javascript:alert(1))",
        "[click](JavaScript:alert(1))",
        "[click](java&#115;cript:alert(1))",
        "<javascript:alert(1)>",
        '<a href="javascript:alert(1)">click</a>',
    ],
)
def test_a_javascript_link_loses_its_target(client, employee, link):
    hrefs = Elements(policy_body(client, employee, link)).hrefs
    assert not [href for href in hrefs if "script" in href.lower()]


@pytest.mark.parametrize(
    "body",
    [
        '<img src="x" onerror="alert(1)">',
        '<p onclick="alert(1)">Hi</p>',
        "<div onmouseover='alert(1)'>block</div>",
        "[link](https://example.com){onclick=alert(1)}",
    ],
)
def test_event_handlers_never_become_attributes(client, employee, body):
    elements = Elements(policy_body(client, employee, body))
    assert not [name for name in elements.attributes if name.startswith("on")]
    assert "img" not in elements.tags


def test_raw_html_is_shown_as_text(client, employee):
    body = '<iframe src="https://example.com"></iframe>\n\nA <b>bold</b> try.'
    html = policy_body(client, employee, body)
    assert Elements(html).tags == {"div", "p"}
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_plain_markdown_still_renders_headings_lists_and_links(client, employee):
    body = "## Heading\n\n- one\n- two\n\n[Page 1](/policies/taking-part-is-voluntary/)"
    html = policy_body(client, employee, body)
    assert "<h2>Heading</h2>" in html
    assert "<li>one</li>" in html
    assert Elements(html).hrefs == ["/policies/taking-part-is-voluntary/"]
