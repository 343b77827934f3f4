import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction

from accounts.roles import EMPLOYEES, ROLES
from audit.models import AuditEntry
from audit.services import audit_record


def provider_username(*, issuer: str, subject: str) -> str:
    """An opaque, stable username for the provider's subject: it shows no name or address."""
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()
    return f"oidc-{digest[:32]}"


@transaction.atomic
def provider_user_sign_in(*, issuer: str, subject: str, roles: set[str]) -> AbstractBaseUser:
    """The account of a person the identity provider vouched for, its roles set from the claim.

    Found by the provider's subject, never by email: an address can pass to someone else.
    Nothing else from the provider is kept, and the account has no usable password. The
    roles are replaced at every sign-in, so someone who left marketing loses that role.
    """
    user, _ = get_user_model().objects.get_or_create(
        username=provider_username(issuer=issuer, subject=subject),
        defaults={"password": make_password(None)},
    )
    before = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    user.groups.remove(*user.groups.filter(name__in=ROLES).exclude(name__in=roles))
    user.groups.add(*Group.objects.filter(name__in=roles))
    after = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    # Staff roles only: an employee's sign-in (Employees alone, every time) is never written down.
    if before - {EMPLOYEES} != after - {EMPLOYEES}:
        change = (
            f"{', '.join(sorted(before)) or 'no role'} → {', '.join(sorted(after)) or 'no role'}"
        )
        audit_record(actor=None, action=AuditEntry.Action.ROLES_CHANGED, target=f"{user}: {change}")
    return user
