import pytest
from django.urls import reverse

from policies.models import PolicyPage

DEFAULT_SLUGS = [
    "taking-part-is-voluntary",
    "how-to-disclose",
    "your-accounts-stay-yours",
    "your-right-to-speak",
    "using-the-artwork-responsibly",
    "what-this-portal-keeps",
    "contractors-and-partners",
]


def page_url(slug: str) -> str:
    return reverse("policies:page", args=[slug])


def test_the_index_lists_every_default_page_in_order(client, employee):
    client.force_login(employee)
    html = client.get(reverse("policies:index")).content.decode()
    positions = [html.index(page_url(slug)) for slug in DEFAULT_SLUGS]
    assert positions == sorted(positions)


def test_the_index_says_once_that_the_pages_are_guidance_not_legal_advice(client, employee):
    client.force_login(employee)
    html = client.get(reverse("policies:index")).content.decode()
    assert "not legal advice" in html


@pytest.mark.parametrize("slug", DEFAULT_SLUGS)
def test_an_employee_can_read_each_default_page(client, employee, slug):
    client.force_login(employee)
    response = client.get(page_url(slug))
    assert response.status_code == 200
    assert PolicyPage.objects.get(slug=slug).title in response.content.decode()


def test_a_signed_in_user_with_no_role_can_read_the_policies(client, outsider):
    client.force_login(outsider)
    response = client.get(page_url("contractors-and-partners"))
    assert response.status_code == 200
    assert "I work with [Company]" in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(page_url("taking-part-is-voluntary"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_page_shows_when_it_last_changed_and_links_to_its_change_log(client, employee):
    policy = PolicyPage.objects.get(slug="how-to-disclose")
    client.force_login(employee)
    html = client.get(policy.get_absolute_url()).content.decode()
    assert "Last changed" in html
    assert reverse("policies:history", args=[policy.slug]) in html


def test_the_footer_of_every_page_links_to_the_policies(client, employee):
    client.force_login(employee)
    for url in [reverse("assets:home"), reverse("policies:index")]:
        html = client.get(url).content.decode()
        footer = html[html.index('<footer class="site-footer">') :]
        assert reverse("policies:index") in footer
        assert page_url("taking-part-is-voluntary") in footer


def test_an_employee_cannot_edit_a_policy_page(client, employee):
    client.force_login(employee)
    response = client.post(
        reverse("policies:edit", args=["how-to-disclose"]), {"title": "Hacked", "body": "x"}
    )
    assert response.status_code == 403
    assert PolicyPage.objects.get(slug="how-to-disclose").title != "Hacked"


def test_an_employee_sees_no_edit_link(client, employee):
    client.force_login(employee)
    html = client.get(page_url("how-to-disclose")).content.decode()
    assert reverse("policies:edit", args=["how-to-disclose"]) not in html


def test_a_marketer_can_edit_a_policy_page(client, marketer):
    client.force_login(marketer)
    response = client.post(
        reverse("policies:edit", args=["how-to-disclose"]),
        {"title": "How to say you work here", "body": "Say it in the post."},
        follow=True,
    )
    html = response.content.decode()
    assert "How to say you work here" in html
    assert "Say it in the post." in html


def test_the_preview_shows_the_new_text_without_saving_it(client, marketer):
    client.force_login(marketer)
    response = client.post(
        reverse("policies:edit", args=["how-to-disclose"]),
        {"title": "Draft title", "body": "**Draft** text", "preview": ""},
    )
    assert "<strong>Draft</strong> text" in response.content.decode()
    assert PolicyPage.objects.get(slug="how-to-disclose").title != "Draft title"


def test_every_save_keeps_the_previous_version_with_its_date(db):
    policy = PolicyPage.objects.get(slug="your-right-to-speak")
    first_text, first_date = policy.body, policy.updated_at
    policy.body = "Second text."
    policy.save()
    second_date = policy.updated_at
    policy.body = "Third text."
    policy.save()

    versions = list(policy.versions.values_list("body", "saved_at"))
    assert versions == [("Second text.", second_date), (first_text, first_date)]
    assert policy.updated_at > second_date > first_date


def test_a_save_that_changes_nothing_keeps_no_version(db):
    policy = PolicyPage.objects.get(slug="your-right-to-speak")
    policy.save()
    assert policy.versions.count() == 0


def test_the_change_log_shows_the_date_and_the_lines_removed_and_added(client, employee):
    policy = PolicyPage.objects.get(slug="your-right-to-speak")
    policy.body = "Nothing here limits you.\n\nSay what you think."
    policy.save()
    client.force_login(employee)
    html = client.get(reverse("policies:history", args=[policy.slug])).content.decode()
    assert '<span class="added">+Say what you think.</span>' in html
    assert "-Nothing in this portal" in html
    assert "First published" in html
