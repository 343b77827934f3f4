from django import template

from policies.models import Announcement

register = template.Library()


@register.simple_tag
def live_announcements() -> list[Announcement]:
    """Announcements for the home page banner; a tag so the assets app needs no import."""
    return list(Announcement.objects.live())
