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
        reverse("policies:edit", args=["how-to-disclose"]), {"title_en": "Hacked", "body_en": "x"}
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
        {"title_en": "How to say you work here", "body_en": "Say it in the post."},
        follow=True,
    )
    html = response.content.decode()
    assert "How to say you work here" in html
    assert "Say it in the post." in html


def test_the_preview_shows_the_new_text_without_saving_it(client, marketer):
    client.force_login(marketer)
    response = client.post(
        reverse("policies:edit", args=["how-to-disclose"]),
        {"title_en": "Draft title", "body_en": "**Draft** text", "preview": ""},
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


@pytest.mark.parametrize(
    ("language", "title"),
    [("de", "Mitmachen ist freiwillig"), ("fr", "Participer est facultatif")],
)
def test_a_default_page_reads_in_the_readers_language(client, employee, language, title):
    client.force_login(employee)
    response = client.get(page_url("taking-part-is-voluntary"), HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert title in html
    assert "not yet translated" not in html


@pytest.mark.parametrize(
    ("language", "heading", "words"),
    [
        ("de", "Links vom Marketing", "Link zum Teilen"),
        ("fr", "Liens envoyés par le marketing", "lien de partage"),
    ],
)
def test_the_contractors_page_says_what_a_share_link_shows_in_german_and_french(
    client, employee, language, heading, words
):
    client.force_login(employee)
    page = client.get(page_url("contractors-and-partners"), HTTP_ACCEPT_LANGUAGE=language)
    html = page.content.decode()
    assert heading in html and words in html
    assert "not yet translated" not in html
    # The text before the section stays in that language's change log, as an edit keeps it.
    history = reverse("policies:history", args=["contractors-and-partners"])
    log = client.get(history, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<span class="added">+## {heading}</span>' in log


def test_a_page_without_a_german_version_shows_the_english_and_says_so(client, employee):
    PolicyPage.objects.create(slug="parking", title="Parking", body="Park in the east lot.")
    client.force_login(employee)
    html = client.get(page_url("parking"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Park in the east lot." in html
    # The notice itself is in the reader's language; the page's text is the English one.
    assert "Diese Seite ist noch nicht übersetzt. Sie wird auf Englisch angezeigt." in html
    english = client.get(page_url("parking"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "not yet translated" not in english


def test_each_language_keeps_its_own_change_log(client, employee, marketer):
    client.force_login(marketer)
    german = PolicyPage.objects.get(slug="your-right-to-speak").body_de
    client.post(
        reverse("policies:edit", args=["your-right-to-speak"]),
        {
            "title_en": "Your right to speak",
            "body_en": "Say what you like.",
            "title_de": "Ihr Recht, frei zu sprechen",
            "body_de": german,
            "title_fr": "Votre liberté de parole",
            "body_fr": "Dites ce que vous voulez.",
        },
    )
    client.force_login(employee)
    history = reverse("policies:history", args=["your-right-to-speak"])
    english = client.get(history, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "+Say what you like." in english
    french = client.get(history, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "+Dites ce que vous voulez." in french
    assert "Say what you like." not in french
    german_log = client.get(history, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "<h2>Changed" not in german_log


def test_the_edit_page_shows_and_saves_the_three_languages_side_by_side(client, marketer):
    client.force_login(marketer)
    url = reverse("policies:edit", args=["how-to-disclose"])
    form = client.get(url).content.decode()
    for language in ("en", "de", "fr"):
        assert f'name="body_{language}"' in form
        assert f'lang="{language}"' in form
    client.post(
        url,
        {
            "title_en": "Say you work here",
            "body_en": "Say it in the post.",
            "title_de": "Sagen Sie, dass Sie hier arbeiten",
            "body_de": "Sagen Sie es im Beitrag.",
            "title_fr": "Dites que vous travaillez ici",
            "body_fr": "Dites-le dans la publication.",
        },
    )
    page = PolicyPage.objects.get(slug="how-to-disclose")
    assert (page.body_en, page.body_de, page.body_fr) == (
        "Say it in the post.",
        "Sagen Sie es im Beitrag.",
        "Dites-le dans la publication.",
    )
