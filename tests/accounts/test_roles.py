import pytest
from django.contrib.auth.models import Group, Permission

pytestmark = pytest.mark.django_db


def test_the_three_roles_exist_with_their_permissions():
    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    assert codenames("Employees") == {
        "view_asset",
        "view_collection",
        "view_tag",
        "view_guideline",
    }
    assert {"add_asset", "change_asset", "delete_asset", "publish_asset"} <= codenames("Marketing")
    assert "add_asset" not in codenames("Leadership")
    assert {"add_guideline", "change_guideline"} <= codenames("Marketing")
    assert "change_guideline" not in codenames("Leadership") | codenames("Employees")


def test_anonymous_visitors_are_sent_to_the_sign_in_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_a_person_signs_in_with_their_password_and_lands_on_the_library(client, employee):
    response = client.post(
        "/accounts/login/", {"username": "erin", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_shows_the_form_again_without_saying_which_part_was_wrong(
    client, employee
):
    response = client.post("/accounts/login/", {"username": "erin", "password": "nope"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please enter a correct username and password" in page


def test_a_user_in_no_group_sees_a_polite_page_not_an_error(client, outsider):
    client.force_login(outsider)
    response = client.get("/")
    page = response.content.decode()
    assert "ask your administrator" in page
    assert "olive" in page
    assert "Forbidden" not in page


def test_a_permission_given_to_the_person_counts_beside_their_roles(client, employee):
    client.force_login(employee)
    assert client.get("/library/").status_code == 403
    employee.user_permissions.add(Permission.objects.get(codename="change_asset"))
    # The home page needs the role's view_asset; its menu shows the person's own permission.
    home = client.get("/")
    assert home.status_code == 200
    assert 'href="/library/"' in home.content.decode()
    assert client.get("/library/").status_code == 200


def test_an_administrator_holds_every_permission_without_a_role(client, staff):
    client.force_login(staff)
    assert client.get("/library/").status_code == 200
    assert client.get("/library/upload/").status_code == 200
