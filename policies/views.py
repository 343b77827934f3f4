from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import role_required
from policies.forms import AnnouncementForm, PolicyPageForm, PublishForm
from policies.models import (
    ARTWORK_ANNOUNCED_ONCE,
    AlreadyPublished,
    Announcement,
    PolicyPage,
    all_staff_addresses,
)
from policies.services import announcement_publish

# Reading a policy needs only a signed-in account (the middleware sees to that),
# not a role: a contractor with no group must be able to read what applies to them.


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "policies/index.html", {"pages": PolicyPage.objects.all()})


@require_safe
def page(request: HttpRequest, slug: str) -> HttpResponse:
    policy = get_object_or_404(PolicyPage, slug=slug)
    return render(request, "policies/page.html", {"page": policy})


@require_safe
def history(request: HttpRequest, slug: str) -> HttpResponse:
    policy = get_object_or_404(PolicyPage, slug=slug)
    return render(request, "policies/history.html", {"page": policy, "changes": policy.changes()})


@role_required("policies.change_policypage")
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    policy = get_object_or_404(PolicyPage, slug=slug)
    form = PolicyPageForm(request.POST or None, instance=policy)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" not in request.POST:
            form.save()
            messages.success(request, _("Saved. The previous text is kept in the change log."))
            return redirect(policy)
        preview = form.instance.html()
    return render(request, "policies/edit.html", {"page": policy, "form": form, "preview": preview})


@require_safe
@role_required("policies.view_announcement")
def announcements(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "policies/announcements.html",
        {"announcements": Announcement.objects.select_related("collection", "asset")},
    )


@role_required("policies.add_announcement")
def announcement_new(request: HttpRequest) -> HttpResponse:
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        announcement = form.save(commit=False)
        announcement.created_by = request.user
        if _save_announcement(form, announcement):
            return redirect("policies:announcement", announcement.pk)
    return render(request, "policies/announcement_form.html", {"form": form})


@role_required("policies.change_announcement")
def announcement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = get_object_or_404(Announcement, pk=pk)
    if announcement.is_published:
        messages.error(request, _("A published announcement stays as it was sent."))
        return redirect("policies:announcement", announcement.pk)
    form = AnnouncementForm(request.POST or None, instance=announcement)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save_announcement(form, form.instance)
        except AlreadyPublished:
            messages.error(request, _("It was published while you were editing: it stays as sent."))
            return redirect("policies:announcement", announcement.pk)
        if saved:
            return redirect("policies:announcement", announcement.pk)
    context = {"form": form, "announcement": announcement}
    return render(request, "policies/announcement_form.html", context)


def _save_announcement(form: AnnouncementForm, announcement: Announcement) -> bool:
    """Save, or tell the form what to choose when another save took the same artwork."""
    try:
        with transaction.atomic():
            announcement.save()
    except IntegrityError:
        form.add_error(None, ARTWORK_ANNOUNCED_ONCE)
        return False
    return True


@require_safe
@role_required("policies.view_announcement")
def announcement(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview: the banner exactly as staff will see it, and the pressure check."""
    announcement = get_object_or_404(
        Announcement.objects.select_related("collection", "asset"), pk=pk
    )
    context = {
        "announcement": announcement,
        "pressure": announcement.pressure(),
        "all_staff_email": _addresses_shown(),
        "mail_enabled": settings.MAIL_ENABLED,
        "announcement_days": settings.ANNOUNCEMENT_DAYS,
    }
    return render(request, "policies/announcement.html", context)


def _addresses_shown() -> str:
    """The all-staff lists, each with its language once there is more than one."""
    addresses = all_staff_addresses()
    if len(addresses) < 2:
        return "".join(addresses.values())
    names = dict(settings.LANGUAGES)
    return ", ".join(f"{address} ({names[language]})" for language, address in addresses.items())


@require_POST
@role_required("policies.publish_announcement")
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = get_object_or_404(Announcement, pk=pk)
    form = PublishForm(request.POST, warned=bool(announcement.pressure()))
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect("policies:announcement", announcement.pk)
    try:
        announcement_publish(
            announcement=announcement,
            email=form.cleaned_data.get("email", False),
            base_url=request.build_absolute_uri("/"),
        )
    except AlreadyPublished as error:
        messages.error(
            request, _("%(error)s There is no second send and no reminder.") % {"error": error}
        )
    else:
        until = date_format(localtime(announcement.shown_until))
        messages.success(
            request,
            _("Published. The banner shows on the home page until %(until)s.") % {"until": until},
        )
    return redirect("policies:announcement", announcement.pk)
