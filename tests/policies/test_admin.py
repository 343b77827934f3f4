import pytest
from django.urls import reverse

from policies.models import Announcement, PolicyPage
from tests.factories import make_announcement


@pytest.mark.parametrize("model", ["policypage", "announcement"])
def test_staff_can_open_the_admin_list(client, staff, model):
    client.force_login(staff)
    assert client.get(reverse(f"admin:policies_{model}_changelist")).status_code == 200


def test_a_save_in_the_admin_keeps_the_previous_version(client, staff):
    policy = PolicyPage.objects.get(slug="your-right-to-speak")
    client.force_login(staff)
    client.post(
        reverse("admin:policies_policypage_change", args=[policy.pk]),
        {
            "title_en": policy.title,
            "title_de": policy.title_de,
            "title_fr": policy.title_fr,
            "slug": policy.slug,
            "order": policy.order,
            "body_en": "New text.",
            "body_de": policy.body_de,
            "body_fr": policy.body_fr,
            "versions-TOTAL_FORMS": 0,
            "versions-INITIAL_FORMS": 0,
        },
    )
    assert policy.versions.get(language="en").body != "New text."
    assert PolicyPage.objects.get(pk=policy.pk).body == "New text."


def test_a_published_announcement_is_read_only_in_the_admin(client, staff):
    announcement = make_announcement(title="As sent")
    announcement.publish()
    client.force_login(staff)
    html = client.get(
        reverse("admin:policies_announcement_change", args=[announcement.pk])
    ).content.decode()
    assert 'name="title_en"' not in html


def test_an_admin_page_opened_before_the_publish_cannot_undo_it(client, staff):
    announcement = make_announcement(title="As sent")
    client.force_login(staff)
    url = reverse("admin:policies_announcement_change", args=[announcement.pk])
    assert 'name="title_en"' in client.get(url).content.decode()
    announcement.publish(email=True)
    response = client.post(
        url, {"title_en": "Changed", "text_en": "x", "collection": announcement.collection.pk}
    )
    assert "It was published while you were editing" in response.content.decode()
    saved = Announcement.objects.get()
    assert (saved.title, saved.published_at, saved.email_status) == (
        "As sent",
        announcement.published_at,
        Announcement.EmailStatus.REQUESTED,
    )
