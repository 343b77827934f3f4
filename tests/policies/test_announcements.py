import re
import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from assets.models import Asset
from policies.models import AlreadyPublished, Announcement
from policies.tasks import announcement_email, sweep_announcement_emails
from tests.factories import make_announcement, make_asset

ALL_STAFF = "all-staff@example.com"
VOLUNTARY = "Using this artwork is your choice: nobody checks, and nothing changes if you don't."
PAGE_1 = reverse("policies:page", args=["taking-part-is-voluntary"])


def publish(client, announcement: Announcement, **data):
    return client.post(reverse("policies:publish", args=[announcement.pk]), data, follow=True)


@pytest.fixture
def all_staff_email(settings):
    settings.ALL_STAFF_EMAIL = ALL_STAFF
    return ALL_STAFF


def test_a_marketer_writes_an_announcement_and_sees_the_preview(client, marketer):
    asset = make_asset(title="Spring frame")
    client.force_login(marketer)
    response = client.post(
        reverse("policies:announcement_new"),
        {"title_en": "New spring frame", "text_en": "Have a look.", "asset": asset.pk},
        follow=True,
    )
    html = response.content.decode()
    assert "What staff will see" in html
    assert "New spring frame" in html
    assert asset.get_absolute_url() in html
    assert Announcement.objects.get().created_by == marketer


def test_an_announcement_names_a_collection_or_an_asset_not_both(client, marketer):
    announcement = make_announcement()
    asset = make_asset()
    client.force_login(marketer)
    response = client.post(
        reverse("policies:announcement_new"),
        {
            "title_en": "T",
            "text_en": "x",
            "asset": asset.pk,
            "collection": announcement.collection.pk,
        },
    )
    assert "Choose either a collection or one asset." in response.content.decode()


def test_only_published_assets_can_be_announced(client, marketer):
    draft = make_asset(status=Asset.Status.DRAFT)
    client.force_login(marketer)
    response = client.post(
        reverse("policies:announcement_new"), {"title_en": "T", "text_en": "x", "asset": draft.pk}
    )
    assert response.status_code == 200
    assert not Announcement.objects.exists()


def test_an_employee_cannot_write_or_publish_announcements(client, employee):
    announcement = make_announcement()
    client.force_login(employee)
    assert client.get(reverse("policies:announcement_new")).status_code == 403
    assert client.post(reverse("policies:publish", args=[announcement.pk])).status_code == 403
    announcement.refresh_from_db()
    assert not announcement.is_published


def test_the_published_banner_shows_on_the_home_page_ending_with_the_voluntary_line(
    client, marketer, employee
):
    announcement = make_announcement(title="Spring frames are in")
    client.force_login(marketer)
    publish(client, announcement)
    client.force_login(employee)
    html = client.get(reverse("assets:home")).content.decode()
    banner = html[html.index('class="announcement"') : html.index("</section>")]
    assert "Spring frames are in" in banner
    assert re.search(re.escape(VOLUNTARY) + r'\s*<a href="' + PAGE_1, banner)


def test_a_draft_announcement_is_not_shown_to_staff(client, employee):
    make_announcement(title="Not yet")
    client.force_login(employee)
    assert "Not yet" not in client.get(reverse("assets:home")).content.decode()


def test_the_banner_goes_after_the_announcement_days(client, employee, settings):
    settings.ANNOUNCEMENT_DAYS = 14
    announcement = make_announcement(title="Old news")
    announcement.publish()
    Announcement.objects.update(published_at=timezone.now() - timedelta(days=15))
    client.force_login(employee)
    assert "Old news" not in client.get(reverse("assets:home")).content.decode()


def test_the_banner_is_closed_by_a_script_file_not_by_the_server(client, employee):
    make_announcement().publish()
    client.force_login(employee)
    html = client.get(reverse("assets:home")).content.decode()
    assert '<button type="button" class="link-button dismiss" hidden>Close</button>' in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert '<script src="/static/js/announcements.js" defer>' in scripts
    assert all(" src=" in script for script in scripts), "no inline script"


def test_the_model_refuses_a_second_publish(db):
    announcement = make_announcement()
    announcement.publish()
    with pytest.raises(AlreadyPublished):
        announcement.publish()


def test_a_stale_copy_cannot_publish_a_second_time(db):
    announcement = make_announcement()
    stale = Announcement.objects.get(pk=announcement.pk)
    announcement.publish()
    # The stale copy still thinks it is a draft; the database knows better.
    with pytest.raises(AlreadyPublished):
        stale.publish()


def test_the_view_refuses_a_second_publish_with_a_clear_message(client, marketer):
    announcement = make_announcement()
    client.force_login(marketer)
    publish(client, announcement)
    first = Announcement.objects.get().published_at
    html = publish(client, announcement).content.decode()
    assert "has already been published. It is sent once." in html
    assert "There is no second send and no reminder." in html
    assert Announcement.objects.get().published_at == first


def test_a_published_announcement_offers_no_way_to_send_it_again(client, marketer):
    announcement = make_announcement()
    client.force_login(marketer)
    html = publish(client, announcement).content.decode().lower()
    assert reverse("policies:publish", args=[announcement.pk]) not in html
    assert reverse("policies:announcement_edit", args=[announcement.pk]) not in html
    assert "remind" not in html.replace("no reminder", "")


def test_a_published_announcement_cannot_be_edited(client, marketer):
    announcement = make_announcement(title="As sent")
    announcement.publish()
    client.force_login(marketer)
    client.post(
        reverse("policies:announcement_edit", args=[announcement.pk]),
        {"title_en": "Changed", "text_en": "x", "collection": announcement.collection.pk},
    )
    assert Announcement.objects.get().title == "As sent"


def test_the_email_goes_once_to_the_single_all_staff_address(
    client, marketer, all_staff_email, mailoutbox, django_capture_on_commit_callbacks
):
    announcement = make_announcement()
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        publish(client, announcement, email="on")
    with django_capture_on_commit_callbacks(execute=True):
        publish(client, announcement, email="on")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [ALL_STAFF]
    assert message.cc == message.bcc == []
    assert Announcement.objects.get().emailed_at is not None


@pytest.fixture
def lists_per_language(settings):
    settings.ALL_STAFF_EMAIL = ALL_STAFF
    settings.ALL_STAFF_EMAIL_BY_LANGUAGE = {"de": "alle@example.com", "fr": "tous@example.com"}


def sent_to(mailoutbox) -> dict:
    return {message.to[0]: message for message in mailoutbox}


def test_each_all_staff_list_gets_the_announcement_in_its_own_language(
    client, marketer, lists_per_language, mailoutbox, django_capture_on_commit_callbacks
):
    announcement = make_announcement(
        title="New spring frames",
        text="Fresh frames are in the portal.",
        title_de="Neue Frühlingsrahmen",
        text_de="Frische Rahmen sind im Portal.",
        title_fr="Nouveaux cadres de printemps",
        text_fr="De nouveaux cadres sont dans le portail.",
    )
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        publish(client, announcement, email="on")
    messages = sent_to(mailoutbox)
    assert len(mailoutbox) == 3
    german, french, english = (
        messages["alle@example.com"],
        messages["tous@example.com"],
        messages[ALL_STAFF],
    )
    assert german.subject == "Neue Frühlingsrahmen"
    assert "Frische Rahmen sind im Portal." in german.body
    assert "Im Markenportal ansehen:" in german.body
    assert f"Mitmachen ist freiwillig: http://testserver{PAGE_1}" in german.body
    assert french.subject == "Nouveaux cadres de printemps"
    assert "De nouveaux cadres sont dans le portail." in french.body
    assert "La participation est facultative :" in french.body
    assert english.subject == "New spring frames"
    assert english.body.strip().splitlines()[-2:] == [
        VOLUNTARY,
        f"Taking part is voluntary: http://testserver{PAGE_1}",
    ]


def test_a_list_gets_the_english_text_where_the_announcement_has_no_translation(
    client, marketer, lists_per_language, mailoutbox, django_capture_on_commit_callbacks
):
    announcement = make_announcement(title="New spring frames", text="Fresh frames are in.")
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        publish(client, announcement, email="on")
    german = sent_to(mailoutbox)["alle@example.com"]
    assert german.subject == "New spring frames"
    assert "Fresh frames are in." in german.body
    # The portal's own lines are still in the reader's language.
    assert "Im Markenportal ansehen:" in german.body


def test_the_marketers_language_does_not_choose_the_emails(
    client, marketer, all_staff_email, mailoutbox, django_capture_on_commit_callbacks
):
    announcement = make_announcement(title="New spring frames", title_fr="Nouveaux cadres")
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        url = reverse("policies:publish", args=[announcement.pk])
        client.post(url, {"email": "on"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert [message.subject for message in mailoutbox] == ["New spring frames"]
    assert "See it in the brand portal:" in mailoutbox[0].body


def test_the_preview_names_each_list_with_its_language(client, marketer, lists_per_language):
    announcement = make_announcement()
    client.force_login(marketer)
    html = client.get(reverse("policies:announcement", args=[announcement.pk])).content.decode()
    assert f"{ALL_STAFF} (English), alle@example.com (Deutsch), tous@example.com (Français)" in html


def test_a_german_list_alone_turns_the_email_on(
    client, marketer, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.ALL_STAFF_EMAIL = ""
    settings.ALL_STAFF_EMAIL_BY_LANGUAGE = {"de": "alle@example.com", "fr": ""}
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        publish(client, make_announcement(), email="on")
    assert [message.to for message in mailoutbox] == [["alle@example.com"]]


def test_the_email_is_plain_text_with_no_tracking_pixel_or_per_person_link(
    client, marketer, all_staff_email, mailoutbox, django_capture_on_commit_callbacks
):
    asset = make_asset(title="Spring frame")
    announcement = make_announcement(asset=asset)
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        publish(client, announcement, email="on")
    message = mailoutbox[0]
    assert message.content_subtype == "plain"
    assert getattr(message, "alternatives", []) == []
    assert message.attachments == []
    assert "<img" not in message.body
    # The only links are the asset and page 1: the same for everyone, no query strings.
    links = re.findall(r"https?://\S+", message.body)
    assert links == [
        f"http://testserver{asset.get_absolute_url()}",
        f"http://testserver{PAGE_1}",
    ]
    assert marketer.email not in message.body


def test_the_email_ends_with_the_voluntary_sentence_and_the_link_to_page_1(
    client, marketer, all_staff_email, mailoutbox, django_capture_on_commit_callbacks
):
    announcement = make_announcement()
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        publish(client, announcement, email="on")
    last_lines = mailoutbox[0].body.strip().splitlines()[-2:]
    assert last_lines == [VOLUNTARY, f"Taking part is voluntary: http://testserver{PAGE_1}"]


def test_no_email_is_sent_unless_the_marketer_asks_for_it(
    client, marketer, all_staff_email, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        publish(client, make_announcement())
    assert mailoutbox == []


def test_no_email_is_offered_or_sent_without_an_all_staff_address(
    client, marketer, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.ALL_STAFF_EMAIL = ""
    announcement = make_announcement()
    client.force_login(marketer)
    preview = client.get(reverse("policies:announcement", args=[announcement.pk]))
    assert 'name="email"' not in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        publish(client, announcement, email="on")
    assert mailoutbox == []


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_publishes_cannot_both_succeed(real_services):
    announcement = make_announcement()
    copies = [Announcement.objects.get(pk=announcement.pk) for _ in range(2)]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def publish_copy(copy: Announcement) -> None:
        start.wait()
        try:
            copy.publish()
            outcomes.append("published")
        except AlreadyPublished:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=publish_copy, args=[copy]) for copy in copies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["published", "refused"]


def test_a_second_announcement_for_the_same_collection_is_refused_with_a_clear_message(
    client, marketer
):
    first = make_announcement()
    first.publish()
    client.force_login(marketer)
    response = client.post(
        reverse("policies:announcement_new"),
        {"title_en": "Reminder: spring frames", "text_en": "x", "collection": first.collection.pk},
    )
    html = response.content.decode()
    assert "This collection has already been announced." in html
    assert "An artwork is announced at most once, ever." in html
    assert Announcement.objects.count() == 1


def test_a_second_announcement_for_the_same_asset_is_refused_even_while_the_first_is_a_draft(
    client, marketer
):
    asset = make_asset()
    make_announcement(asset=asset)
    client.force_login(marketer)
    response = client.post(
        reverse("policies:announcement_new"),
        {"title_en": "Again", "text_en": "x", "asset": asset.pk},
    )
    assert "This asset has already been announced." in response.content.decode()
    assert Announcement.objects.count() == 1


def test_the_database_refuses_a_second_announcement_for_the_same_artwork(db):
    first = make_announcement()
    with pytest.raises(IntegrityError), transaction.atomic():
        Announcement.objects.create(title="Again", text="x", collection=first.collection)


@pytest.mark.parametrize("target", ["neither", "both"])
def test_a_form_naming_neither_or_both_says_what_to_choose_not_the_constraint(
    client, marketer, target
):
    announcement = make_announcement()
    data = {"title_en": "T", "text_en": "x"}
    if target == "both":
        data |= {"asset": make_asset().pk, "collection": announcement.collection.pk}
    client.force_login(marketer)
    html = client.post(reverse("policies:announcement_new"), data).content.decode()
    assert "Choose either a collection or one asset." in html
    assert "onstraint" not in html
    assert "announcement_names" not in html


def test_an_edit_form_opened_before_the_publish_cannot_undo_it(client, marketer):
    announcement = make_announcement(title="As sent")
    client.force_login(marketer)
    url = reverse("policies:announcement_edit", args=[announcement.pk])
    assert client.get(url).status_code == 200
    announcement.publish(email=True)
    client.post(
        url, {"title_en": "Changed", "text_en": "x", "collection": announcement.collection.pk}
    )
    saved = Announcement.objects.get()
    assert (saved.title, saved.published_at, saved.email_status) == (
        "As sent",
        announcement.published_at,
        Announcement.EmailStatus.REQUESTED,
    )


def test_a_stale_copy_saved_after_the_publish_is_refused_and_changes_nothing(db):
    announcement = make_announcement(title="As sent")
    stale = Announcement.objects.get(pk=announcement.pk)
    announcement.publish()
    stale.title = "Changed"
    with pytest.raises(AlreadyPublished):
        stale.save()
    saved = Announcement.objects.get()
    assert (saved.title, saved.published_at) == ("As sent", announcement.published_at)


@pytest.fixture
def mail_server_down(settings, unused_port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", unused_port


def test_a_failed_email_is_recorded_with_its_error_and_shown_to_marketing(
    client, marketer, all_staff_email, mail_server_down, django_capture_on_commit_callbacks
):
    announcement = make_announcement()
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        publish(client, announcement, email="on")
    saved = Announcement.objects.get()
    assert saved.email_status == Announcement.EmailStatus.FAILED
    assert saved.emailed_at is None
    assert "refused" in saved.email_error.lower()
    html = client.get(reverse("policies:announcements")).content.decode()
    assert f"The email could not be sent: {saved.email_error}. It is not sent again." in html
    assert "Emailed once" not in html


def test_a_sent_email_reads_emailed_once_to_marketing(
    client, marketer, all_staff_email, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        publish(client, make_announcement(), email="on")
    assert Announcement.objects.get().email_status == Announcement.EmailStatus.SENT
    assert ". Emailed once " in client.get(reverse("policies:announcements")).content.decode()


def test_the_sweep_sends_an_email_whose_queue_message_was_lost_exactly_once(
    client, marketer, all_staff_email, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=False):  # the message never arrives
        publish(client, make_announcement(), email="on")
    html = client.get(reverse("policies:announcements")).content.decode()
    assert "The email is waiting to be sent." in html
    Announcement.objects.update(published_at=timezone.now() - timedelta(minutes=5))
    assert sweep_announcement_emails() == 1
    assert sweep_announcement_emails() == 0
    assert len(mailoutbox) == 1
    assert Announcement.objects.get().email_status == Announcement.EmailStatus.SENT


def test_a_second_copy_of_the_email_task_sends_nothing(
    client, marketer, all_staff_email, mailoutbox, django_capture_on_commit_callbacks
):
    announcement = make_announcement()
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        publish(client, announcement, email="on")
    announcement_email(announcement.pk)
    assert len(mailoutbox) == 1


def test_an_email_whose_worker_stopped_mid_send_is_not_sent_again_and_says_so(
    client, marketer, all_staff_email, mailoutbox, settings
):
    announcement = make_announcement()
    announcement.publish(email=True)
    long_ago = timezone.now() - timedelta(hours=1)
    Announcement.objects.update(email_status="claimed", email_claimed_at=long_ago)
    Announcement.objects.update(published_at=long_ago)
    assert sweep_announcement_emails() == 0
    client.force_login(marketer)
    html = client.get(reverse("policies:announcements")).content.decode()
    assert "stopped before it said whether the mail server took it" in html
    assert mailoutbox == []


def test_without_a_mail_server_no_email_is_offered_or_sent_and_the_page_says_so(
    client, marketer, all_staff_email, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MAIL_ENABLED = False
    announcement = make_announcement()
    client.force_login(marketer)
    preview = client.get(reverse("policies:announcement", args=[announcement.pk])).content
    assert 'name="email"' not in preview.decode()
    assert "Email is off: the portal has no mail server" in preview.decode()
    with django_capture_on_commit_callbacks(execute=True):
        publish(client, announcement, email="on")
    announcement.refresh_from_db()
    assert mailoutbox == []
    assert announcement.email_status == Announcement.EmailStatus.NONE


def test_an_email_asked_for_before_mail_was_switched_off_is_recorded_as_failed(
    client, marketer, all_staff_email, settings, mailoutbox, django_capture_on_commit_callbacks
):
    announcement = make_announcement()
    client.force_login(marketer)
    with django_capture_on_commit_callbacks() as queued:
        publish(client, announcement, email="on")
    settings.MAIL_ENABLED = False
    for callback in queued:
        callback()
    announcement.refresh_from_db()
    assert mailoutbox == []
    assert announcement.email_status == Announcement.EmailStatus.FAILED
    assert announcement.email_error == "no mail server is configured (EMAIL_URL)"
