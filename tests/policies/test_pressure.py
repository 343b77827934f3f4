import pytest
from django.urls import reverse
from django.utils.html import escape

from policies.text import PRESSURE_PHRASES, check_pressure
from tests.factories import make_announcement


@pytest.mark.parametrize("phrase", PRESSURE_PHRASES)
def test_each_listed_phrase_is_flagged_in_a_sentence(phrase):
    check = check_pressure(f"New frames are here, and {phrase} use them.")
    assert check.phrases == [phrase]
    assert f'<mark class="pressure">{escape(phrase)}</mark>' in check.highlighted


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Swap your banner by Friday, please.", "by Friday"),
        ("Please update it by end of the week.", "by end of the week"),
        ("Let's get 100% of the team on board.", "100% of the team"),
        ("Your manager will be looking at who joined.", "Your manager"),
        ("Everyone else has switched already.", "Everyone else has"),
        ("We noticed some profiles are unchanged.", "We noticed"),
        ("If you still haven't, now is the time.", "still haven't"),
        ("Before tomorrow would be great.", "Before tomorrow"),
    ],
)
def test_deadlines_and_being_watched_are_flagged_and_highlighted(text, found):
    check = check_pressure(text)
    assert check.phrases[0] == found
    assert f'<mark class="pressure">{escape(found)}</mark>' in check.highlighted


@pytest.mark.parametrize(
    "text",
    [
        "Made by Fridays Studio, our design partner.",
        "The banner comes in mustard yellow.",
        "Our Mustang team made the header.",
        "No musty old logos this time.",
        "An unexpected tone for many.",
        "A remindful little sticker set.",
    ],
)
def test_the_same_letters_inside_other_words_are_not_flagged(text):
    assert check_pressure(text).phrases == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("You MUST try these", ["MUST"]),
        ("Don’t Forget the new banners", ["Don’t Forget"]),
        ("A friendly\nreminder", ["reminder"]),
        ("everyone   should", ["everyone   should"]),
    ],
)
def test_the_check_ignores_case_spacing_and_curly_apostrophes(text, found):
    assert check_pressure(text).phrases == found


def test_a_repeated_phrase_is_listed_once_and_marked_everywhere():
    check = check_pressure("You must. Really, you MUST.")
    assert check.phrases == ["must"]
    assert check.highlighted.count('<mark class="pressure">') == 2


def test_the_highlighted_text_escapes_html():
    check = check_pressure("<b>must</b>")
    assert check.highlighted == '<p>&lt;b&gt;<mark class="pressure">must</mark>&lt;/b&gt;</p>'


def test_the_preview_highlights_pressure_words_and_links_to_the_voluntary_page(client, marketer):
    announcement = make_announcement(
        title="Reminder", text="Everyone should use it, it's mandatory."
    )
    client.force_login(marketer)
    html = client.get(reverse("policies:announcement", args=[announcement.pk])).content.decode()
    assert "This may read as pressure" in html
    for word in ["Reminder", "Everyone should", "mandatory"]:
        assert f'<mark class="pressure">{word}</mark>' in html
    warning = html[html.index("pressure-warning") :]
    assert reverse("policies:page", args=["taking-part-is-voluntary"]) in warning


def test_a_warned_announcement_is_not_published_without_publish_anyway(client, marketer):
    announcement = make_announcement(text="This is mandatory.")
    client.force_login(marketer)
    response = client.post(reverse("policies:publish", args=[announcement.pk]), follow=True)
    announcement.refresh_from_db()
    assert not announcement.is_published
    assert "Not published: this announcement may read as pressure" in response.content.decode()


def test_a_warned_announcement_is_published_once_publish_anyway_is_ticked(client, marketer):
    announcement = make_announcement(text="This is mandatory.")
    client.force_login(marketer)
    page = client.get(reverse("policies:announcement", args=[announcement.pk])).content.decode()
    assert 'name="publish_anyway" required' in page
    client.post(reverse("policies:publish", args=[announcement.pk]), {"publish_anyway": "on"})
    announcement.refresh_from_db()
    assert announcement.is_published


def test_a_calm_announcement_publishes_without_the_extra_tick(client, marketer):
    announcement = make_announcement(text="New frames are in, if you'd like them.")
    client.force_login(marketer)
    page = client.get(reverse("policies:announcement", args=[announcement.pk])).content.decode()
    assert "publish_anyway" not in page
    client.post(reverse("policies:publish", args=[announcement.pk]))
    announcement.refresh_from_db()
    assert announcement.is_published


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Don't miss out on the spring frame!", "Don't miss out"),
        ("Last chance to switch your banner.", "Last chance"),
        ("We're counting on you to show the new look.", "We're counting on you"),
        ("Only 3 left in the first batch.", "Only 3 left"),
        ("Only a few frames left for launch day.", "Only a few frames left"),
        ("Hurry: the new header is here.", "Hurry"),
    ],
)
def test_scarcity_and_guilt_are_flagged_as_pressure(text, found):
    assert check_pressure(text).phrases == [found]


def test_a_calm_announcement_shows_no_warning(client, marketer):
    announcement = make_announcement(text="New frames are in, if you'd like them.")
    client.force_login(marketer)
    html = client.get(reverse("policies:announcement", args=[announcement.pk])).content.decode()
    assert "This may read as pressure" not in html
