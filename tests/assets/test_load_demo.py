import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest

from assets.models import Asset, Collection

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug(settings):
    # pytest-django runs tests with DEBUG off; demo data is for DEBUG on.
    settings.DEBUG = True


def test_demo_data_gives_each_role_a_user_whose_printed_password_works(debug, client, capsys):
    call_command("load_demo")
    output = capsys.readouterr().out
    passwords = dict(re.findall(r"^  (\w+)\s+(\S+)\s+\(", output, re.MULTILINE))
    assert set(passwords) == {"employee", "marketing", "leadership", "admin"}
    for username, password in passwords.items():
        # django-axes checks every sign-in against its request.
        assert client.login(request=HttpRequest(), username=username, password=password)
    assert Collection.objects.count() == 3
    assert Asset.objects.count() == 12
    assert Asset.objects.published().count() == 11


def test_demo_data_can_be_loaded_twice_without_duplicates(debug):
    call_command("load_demo")
    call_command("load_demo")
    assert Asset.objects.count() == 12


def test_demo_users_are_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refused when DEBUG is off"):
        call_command("load_demo")
    assert not Asset.objects.exists()
