"""Page 6 is generated from the live settings, so it cannot drift from the code."""

from django.urls import reverse

from tracking.suppression import calibration

KEPT = reverse("policies:page", args=["what-this-portal-keeps"])


def test_page_6_states_the_anonymity_threshold_in_force(client, employee, settings):
    client.force_login(employee)
    settings.TRACKING_MIN_COUNT = 7
    assert "A number below 7 reads “fewer than 7”" in client.get(KEPT).content.decode()
    settings.TRACKING_MIN_COUNT = 12
    assert "A number below 12 reads “fewer than 12”" in client.get(KEPT).content.decode()


def test_page_6_states_the_retention_period_in_force(client, employee, settings):
    client.force_login(employee)
    settings.TRACKING_RETENTION_MONTHS = 24
    assert "deleted after 24 months" in client.get(KEPT).content.decode()
    settings.TRACKING_RETENTION_MONTHS = 1
    assert "deleted after 1 month." in client.get(KEPT).content.decode()


def test_page_6_states_how_long_an_announcement_is_shown(client, employee, settings):
    client.force_login(employee)
    settings.ANNOUNCEMENT_DAYS = 3
    assert "home page for 3 days" in client.get(KEPT).content.decode()


def test_page_6_names_the_calendar_week_as_the_reporting_period(client, employee):
    client.force_login(employee)
    html = client.get(KEPT).content.decode()
    assert "Counted by calendar week</strong> (ISO weeks, Monday to Sunday)" in html
    assert "no time finer than the week" in html


def test_page_6_states_the_privacy_budget_per_person_in_force_in_plain_words(
    client, employee, settings
):
    client.force_login(employee)
    settings.TRACKING_EPSILON = 1.0
    html = client.get(KEPT).content.decode()
    assert "by at most a factor of 2.7 (a privacy budget, ε, of 1.0 per person per week" in html
    assert "nobody reading the numbers can tell whether you counted" in html
    settings.TRACKING_EPSILON = 0.5
    html = client.get(KEPT).content.decode()
    assert "a factor of 1.6 (a privacy budget, ε, of 0.5 per person per week" in html


def test_page_6_states_the_bound_the_noise_and_the_year_from_opendp(client, employee, settings):
    client.force_login(employee)
    settings.TRACKING_WEEKLY_TOKENS, settings.TRACKING_EPSILON = 4, 1.0
    noise = calibration(bound=4, epsilon=1.0)
    html = client.get(KEPT).content.decode()
    assert "One person can add at most 4 counts a week" in html
    assert f"random noise of about ±{round(noise.noise_sd)} to every number" in html
    assert f"One count alone costs ε = {noise.count_epsilon:.2f}" in html
    assert f"at most ε = {round(noise.year_epsilon)} in all" in html


def test_page_6_says_counts_are_published_once_with_noise(client, employee):
    client.force_login(employee)
    html = client.get(KEPT).content.decode()
    assert "Each week is published once, with noise." in html
    assert "signing out clears your choice and anything waiting" in html
