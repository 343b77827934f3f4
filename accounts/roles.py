"""The portal's three roles and the one check every view uses."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

EMPLOYEES = "Employees"
MARKETING = "Marketing"
LEADERSHIP = "Leadership"
ROLES = (EMPLOYEES, MARKETING, LEADERSHIP)


def has_any_role(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and (user.is_superuser or user.groups.exists())


def role_required(permission: str) -> Callable:
    """Let the view run only for users holding `permission`.

    A signed-in user in no group gets a polite page asking them to see their
    administrator; a user with a role but not this permission gets a 403.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.user.has_perm(permission):
                return view(request, *args, **kwargs)
            if not has_any_role(request.user):
                return render(request, "accounts/no_role.html", status=403)
            raise PermissionDenied

        return wrapper

    return decorator
