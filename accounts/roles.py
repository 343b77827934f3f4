"""The portal's four roles and the one check every view uses."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

EMPLOYEES = "Employees"
MARKETING = "Marketing"
LEADERSHIP = "Leadership"
# Approves artwork in collections that require review; usually held beside Marketing.
BRAND_LEAD = "Brand lead"
ROLES = (EMPLOYEES, MARKETING, LEADERSHIP, BRAND_LEAD)


def has_any_role(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and (user.is_superuser or user.groups.exists())


def roles_for_claim(value: object, role_map: dict[str, str]) -> set[str]:
    """The roles an identity provider's claim (a string or a list of them) maps to.

    A "*" entry maps everyone the provider signs in, whatever the claim holds.
    """
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    roles = {role_map[item] for item in values if isinstance(item, str) and item in role_map}
    if "*" in role_map:
        roles.add(role_map["*"])
    return roles


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

        # Read by the request-size limit (portal.middleware), before the view runs.
        wrapper.required_permission = permission
        return wrapper

    return decorator


def grant_permissions(apps, role: str, app_label: str, codenames: list[str]) -> None:
    """For data migrations: give a role some permissions of an app.

    Permissions are normally made after all migrations have run; a migration
    that hands them to a role needs them now, so they are made here first.
    """
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=role)
    group.permissions.add(*_permissions(apps, app_label, codenames))


def revoke_permissions(apps, role: str, app_label: str, codenames: list[str]) -> None:
    for group in apps.get_model("auth", "Group").objects.filter(name=role):
        group.permissions.remove(*_permissions(apps, app_label, codenames))


def _permissions(apps, app_label: str, codenames: list[str]):
    return apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
