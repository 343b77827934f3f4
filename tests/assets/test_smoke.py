from tests.factories import make_asset


def test_an_employee_sees_a_published_asset_on_the_home_page(client, employee):
    asset = make_asset(title="Summer logo")
    client.force_login(employee)
    response = client.get("/")
    assert asset.title in response.content.decode()
