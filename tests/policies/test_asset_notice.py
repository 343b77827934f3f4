import pytest
from django.urls import reverse

from assets.models import Asset
from tests.factories import make_asset

POLICY_LINKS = [
    reverse("policies:page", args=[slug])
    for slug in ["taking-part-is-voluntary", "how-to-disclose", "what-this-portal-keeps"]
]


def test_an_asset_page_links_to_pages_1_2_and_6_next_to_the_download(client, employee):
    asset = make_asset()
    client.force_login(employee)
    html = client.get(asset.get_absolute_url()).content.decode()
    download = html.index(reverse("assets:original", args=[asset.slug]))
    notice = html[download : html.index("</p>", html.index('class="policy-notice"'))]
    for link in POLICY_LINKS:
        assert link in notice


@pytest.mark.parametrize("status", Asset.Status.values)
def test_every_asset_page_marketing_can_open_carries_the_notice(client, marketer, status):
    asset = make_asset(status=status)
    client.force_login(marketer)
    html = client.get(asset.get_absolute_url()).content.decode()
    assert 'class="policy-notice"' in html
