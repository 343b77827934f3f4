"""/metrics: off by default, behind a bearer token, and never a label that names anyone or
anything counted."""

import pytest
import redis
from django.contrib.auth import get_user_model
from django.template import TemplateDoesNotExist
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from accounts.tasks import password_reset_send
from assets.renditions.presets import load_presets
from assets.renditions.rendering import renditions_make
from portal.celery import app as celery_app
from tests.factories import image_bytes, make_asset
from tracking.services import count_token

pytestmark = pytest.mark.django_db

TOKEN = "m" * 40
# Label names that would tie a number to a person, an artwork, a size or a file.
FORBIDDEN_LABELS = {
    "user", "username", "email", "ip", "client", "session",
    "asset", "slug", "title", "preset", "size", "file", "filename", "path", "url", "kind",
    "week", "count",
}  # fmt: skip


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_ENABLED = True
    settings.METRICS_TOKEN = TOKEN


def scrape(client) -> list:
    response = client.get(reverse("ops:metrics"), headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return list(text_string_to_metric_families(response.content.decode()))


def value(families, sample: str, **labels) -> float:
    return sum(
        s.value
        for family in families
        for s in family.samples
        if s.name == sample and labels.items() <= s.labels.items()
    )


@pytest.fixture
def photo():
    asset = make_asset(title="Harbour at dawn", data=image_bytes("JPEG", (400, 300)))
    renditions_make(asset=asset)
    return asset


def test_metrics_are_not_found_unless_enabled(client):
    response = client.get(reverse("ops:metrics"), headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Token {TOKEN}"])
def test_metrics_need_the_bearer_token(client, metrics_on, header):
    headers = {"Authorization": header} if header else {}
    response = client.get(reverse("ops:metrics"), headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert b"portal_" not in response.content


def test_request_time_and_status_are_by_route_name(client, metrics_on, employee, photo):
    client.force_login(employee)
    before = scrape(client)
    client.get(photo.get_absolute_url())
    client.get("/assets/no-such-artwork/")
    after = scrape(client)
    seconds = "portal_request_duration_seconds_count"
    assert (
        value(after, seconds, view="assets:detail", method="GET")
        - value(before, seconds, view="assets:detail", method="GET")
        == 2
    )
    statuses = "portal_responses_total"
    assert (
        value(after, statuses, view="assets:detail", status="200")
        - value(before, statuses, view="assets:detail", status="200")
        == 1
    )
    assert (
        value(after, statuses, view="assets:detail", status="404")
        - value(before, statuses, view="assets:detail", status="404")
        == 1
    )


def test_health_checks_and_scrapes_are_not_measured(client, metrics_on):
    client.get(reverse("ops:healthz"))
    families = scrape(client)
    views = {s.labels.get("view") for family in families for s in family.samples}
    assert not views & {"ops:healthz", "ops:readyz", "ops:metrics"}


def test_celery_task_durations_and_failures_are_by_task_name(
    client, metrics_on, employee, django_capture_on_commit_callbacks
):
    before = scrape(client)
    with django_capture_on_commit_callbacks(execute=True):
        make_asset(data=image_bytes("JPEG", (400, 300)))  # its sizes are made by a task
    # A message naming a template a deploy removed; not thrown here, as a worker keeps going.
    reset = {"email": employee.email, "domain": "testserver", "use_https": True}
    result = password_reset_send.apply(
        kwargs={**reset, "email_template_name": "gone.txt", "subject_template_name": "gone"},
        throw=False,
    )
    assert isinstance(result.result, TemplateDoesNotExist)
    after = scrape(client)

    def more(sample: str, **labels) -> float:
        return value(after, sample, **labels) - value(before, sample, **labels)

    rendering = "assets.tasks.make_renditions"
    assert more("portal_celery_task_duration_seconds_count", task=rendering) == 1
    assert more("portal_celery_task_failures_total", task=rendering) == 0
    assert more("portal_celery_task_failures_total", task="accounts.tasks.password_reset_send") == 1


def test_renditions_waiting_are_the_pending_rows(client, metrics_on):
    # Outside a commit, the task that would make the sizes is never sent.
    asset = make_asset(data=image_bytes("JPEG", (400, 300)))
    waiting = asset.renditions.filter(status="pending").count()
    assert waiting > 0
    assert value(scrape(client), "portal_renditions_waiting") == waiting


def test_queue_length_is_per_queue(real_services, client, metrics_on, settings):
    store = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    store.delete("celery")
    celery_app.conf.task_always_eager = False
    try:
        for _ in range(3):
            celery_app.send_task("assets.tasks.sweep_renditions", queue="celery")
        assert value(scrape(client), "portal_celery_queue_length", queue="celery") == 3
    finally:
        store.delete("celery")


def test_no_label_names_a_person_an_artwork_a_size_or_a_count(
    client, metrics_on, employee, marketer, photo
):
    """After real pages, downloads and a count, every label is a route, method, status, task
    or queue: nothing that would publish uptake outside the weekly release."""
    client.force_login(employee)
    size = photo.current_renditions().filter(status="ready").first()
    for url in [
        reverse("assets:home"),
        photo.get_absolute_url(),
        reverse("assets:rendition", args=[photo.slug, size.preset]),
        reverse("assets:original", args=[photo.slug]),
        reverse("assets:rendition-zip", args=[photo.slug]),
        reverse("assets:preview-image", args=[photo.slug, "thumbnail"]),
        f"/assets/{photo.slug}/sizes/no-such-size/",
    ]:
        assert client.get(url).status_code in (200, 302, 404)
    token = count_token(asset_slug=photo.slug, day=timezone.localdate())
    count = {"asset": photo.slug, "preset": size.preset, "kind": "download", "token": token}
    client.post(reverse("tracking:count"), count)  # may be refused: the labels are the point
    client.force_login(marketer)
    client.get(reverse("assets:library"))

    named = {photo.slug, photo.title, *(preset.slug for preset in load_presets())}
    named |= set(get_user_model().objects.values_list("username", flat=True))
    labels = [
        (name, value)
        for family in scrape(client)
        for sample in family.samples
        for name, value in sample.labels.items()
    ]
    assert ("view", "assets:rendition") in labels  # the downloads were measured...
    assert not {name for name, _ in labels} & FORBIDDEN_LABELS
    assert not [value for _, value in labels if value in named or photo.slug in value]
    assert ("view", "tracking:count") not in labels  # ...and the count was not
