"""PostgreSQL out of reach: a clear 503 page, then recovery without a restart.

The shared PostgreSQL server is never stopped: the portal's connection is pointed at
a port nobody listens on, or its server-side session is ended.
"""

import psycopg
import pytest
from django.db import close_old_connections, connection

from portal.views import server_error

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def signed_in(postgresql, client, employee):
    client.force_login(employee)
    # The real server answers; the test client would re-raise the error instead.
    client.raise_request_exception = False
    assert client.get("/").status_code == 200
    return client


def test_an_unreachable_database_gives_a_503_page_with_retry_after(signed_in, unreachable_database):
    response = signed_in.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "The portal is back in a moment" in response.content.decode()


def test_requests_succeed_again_once_the_database_is_back(signed_in, unreachable_database):
    assert signed_in.get("/").status_code == 503
    unreachable_database()
    assert signed_in.get("/").status_code == 200


def test_a_connection_ended_by_the_server_is_replaced_without_an_error(signed_in):
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    close_old_connections()  # the start of the next request: health checks are due again
    assert signed_in.get("/").status_code == 200


def test_other_errors_still_get_the_plain_500_page(rf):
    try:
        raise ValueError("a bug, not an outage")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
