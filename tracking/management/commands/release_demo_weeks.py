from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracking.models import iso_week
from tracking.services import demo_weeks_release


class Command(BaseCommand):
    help = (
        "Release the last few closed weeks with made-up counts of the published artwork, "
        "marked as demo data on the uptake page. Only with DEBUG on; manage.py load_demo runs it."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Made-up counts are refused when DEBUG is off.")
        released = demo_weeks_release()
        weeks = ", ".join(iso_week(release.week) for release in released)
        self.stdout.write(f"Demo uptake released: {weeks}." if weeks else "No demo week to add.")
