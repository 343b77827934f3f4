"""django-axes, configured to keep nothing that identifies a person's machine.

Axes records each failed sign-in with the client's IP address and user agent. The
portal locks by username only, so neither is needed, and its privacy rules say
neither is kept: the address is never read and the browser string is blanked
before axes writes its row.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.http import HttpRequest


def no_client_address(request: HttpRequest) -> None:
    return None


class AnonymousDatabaseHandler(AxesDatabaseHandler):
    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        if request is not None:
            request.axes_user_agent = ""
            request.axes_http_accept = ""
        super().user_login_failed(sender, credentials, request, **kwargs)
