import pytest
from django.urls import reverse
from django.utils.html import escape

from policies.text import PRESSURE_PHRASES, check_pressure
from tests.factories import make_announcement

SENTENCES = {
    "en": "New frames are here, and {} use them.",
    "de": "Neue Rahmen sind da, und {} nutzen.",
    "fr": "Les nouveaux cadres sont là, et {} les utiliser.",
}


@pytest.mark.parametrize(
    ("language", "phrase"),
    [(language, phrase) for language, phrases in PRESSURE_PHRASES.items() for phrase in phrases],
)
def test_each_listed_phrase_is_flagged_in_a_sentence_of_its_language(language, phrase):
    check = check_pressure(SENTENCES[language].format(phrase), language=language)
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


@pytest.mark.parametrize(
    ("language", "text", "found"),
    [
        (
            "de",
            "Bitte alle bis Freitag den Frühlingsrahmen einsetzen. Eine Erinnerung an alle, "
            "die noch nicht umgestellt haben.",
            ["Bitte alle", "bis Freitag", "Erinnerung", "noch nicht"],
        ),
        (
            "de",
            "Ihre Führungskraft wird sehen, dass 80 % der Abteilung schon dabei sind. "
            "Nur noch zwei Tage übrig, die Deadline ist Montag!",
            ["Ihre Führungskraft", "80 % der Abteilung", "Nur noch zwei Tage übrig", "Deadline"],
        ),
        (
            "fr",
            "Merci à tous d'utiliser le nouveau bandeau avant vendredi. Petit rappel pour "
            "ceux qui ne l'ont pas encore fait.",
            ["Merci à tous", "avant vendredi", "rappel", "pas encore"],
        ),
        (
            "fr",
            "N’oubliez pas : votre responsable compte sur 100 % de l’équipe, "
            "il ne reste que trois jours.",
            [
                "N’oubliez pas",
                "votre responsable",
                "100 % de l’équipe",
                "il ne reste que trois jours",
            ],
        ),
    ],
)
def test_german_and_french_announcements_are_checked_with_their_own_phrases(language, text, found):
    assert check_pressure(text, language=language).phrases == found


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "de",
            "Ab sofort gibt es neue Rahmen. Es erwartet Sie ein frisches Design, wenn Sie mögen.",
        ),
        ("fr", "De nouveaux cadres sont disponibles, si vous le souhaitez. Très attendus !"),
    ],
)
def test_calm_german_and_french_announcements_are_not_flagged(language, text):
    assert check_pressure(text, language=language).phrases == []


def test_the_preview_checks_every_language_the_announcement_has(client, marketer):
    announcement = make_announcement(
        text="New frames are in, if you'd like them.",
        text_de="Neue Rahmen sind da. Bitte alle bis Freitag umstellen.",
        text_fr="De nouveaux cadres sont là. Merci à tous !",
    )
    client.force_login(marketer)
    html = client.get(reverse("policies:announcement", args=[announcement.pk])).content.decode()
    warning = html[html.index("pressure-warning") : html.index("</section>")]
    assert "<h3>German</h3>" in warning and "<h3>French</h3>" in warning
    assert "<h3>English</h3>" not in warning
    for phrase in ["Bitte alle", "bis Freitag", "Merci à tous"]:
        assert f'<mark class="pressure">{phrase}</mark>' in warning
    assert 'name="publish_anyway" required' in html


def test_a_german_marketer_reads_the_warning_in_german(client, marketer):
    announcement = make_announcement(text_fr="Rappel : merci à tous.")
    client.force_login(marketer)
    url = reverse("policies:announcement", args=[announcement.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Das könnte als Druck verstanden werden" in html
    assert "<h3>Französisch</h3>" in html
    assert '<mark class="pressure">Rappel</mark>' in html


def test_pressure_only_in_the_french_text_still_needs_publish_anyway(client, marketer):
    announcement = make_announcement(text_fr="Dernière chance pour le nouveau cadre.")
    client.force_login(marketer)
    client.post(reverse("policies:publish", args=[announcement.pk]))
    announcement.refresh_from_db()
    assert not announcement.is_published
