import io
import random
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from PIL import Image, ImageDraw, ImageFont

from accounts.roles import EMPLOYEES, LEADERSHIP, MARKETING
from assets.models import Asset, Collection
from assets.services import DuplicateAsset, asset_create

DEMO_USERS = [("employee", EMPLOYEES), ("marketing", MARKETING), ("leadership", LEADERSHIP)]
COLLECTIONS = [
    ("Brand basics", "brand-basics", "Logos and marks in every colourway."),
    ("Our places", "our-places", "Photos from our offices and events."),
    ("Campaign 2026", "campaign-2026", "Banners and illustrations for this year's campaign."),
]
PALETTES = [
    ("#2446c7", "#f0a500"),
    ("#0e7c66", "#f4efe6"),
    ("#b3261e", "#ffd8d0"),
    ("#3a2f80", "#9ee6ff"),
]


class Command(BaseCommand):
    help = (
        "Load demo collections, a dozen generated assets and one demo user per role, "
        "printing their passwords. Only with DEBUG on."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo users are refused when DEBUG is off.")
        marketer = self.create_users()
        collections = [
            Collection.objects.update_or_create(
                slug=slug, defaults={"name": name, "description": text, "order": order}
            )[0]
            for order, (name, slug, text) in enumerate(COLLECTIONS)
        ]
        made = 0
        for number, (title, kind, collection, image) in enumerate(demo_images(collections)):
            try:
                asset_create(
                    file=image,
                    filename=f"{title}.{'png' if kind == Asset.Kind.LOGO else 'jpg'}",
                    title=title,
                    uploaded_by=marketer,
                    collection=collection,
                    kind=kind,
                    publish=number != 0,  # one draft, so marketing sees both states
                )
                made += 1
            except DuplicateAsset:
                pass
        self.stdout.write(f"Demo library ready ({made} new assets).")

    def create_users(self):
        User = get_user_model()
        self.stdout.write("Demo users (passwords are new each time this runs):")
        for username, role in [*DEMO_USERS, ("admin", None)]:
            user, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.com"}
            )
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.is_staff = user.is_superuser = role is None
            user.save()
            if role:
                user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {username:<11} {password}   ({role or 'administrator'})")
        return User.objects.get(username="marketing")


def demo_images(collections: list[Collection]):
    """Yield (title, kind, collection, file) for twelve generated images."""
    basics, places, campaign = collections
    for index, (ink, paper) in enumerate(PALETTES):
        yield f"Logo {index + 1}", Asset.Kind.LOGO, basics, logo(ink, paper, index)
    for index in range(4):
        yield f"Office {index + 1}", Asset.Kind.PHOTO, places, photo(index)
    for index, (ink, paper) in enumerate(PALETTES):
        yield (
            f"Campaign banner {index + 1}",
            Asset.Kind.ILLUSTRATION,
            campaign,
            banner(ink, paper, index),
        )


def _encode(image: Image.Image, format: str) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, format, quality=88)
    buffer.seek(0)
    return buffer


def logo(ink: str, paper: str, seed: int) -> io.BytesIO:
    image = Image.new("RGBA", (1600, 1600), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((200, 200, 1400, 1400), fill=ink)
    draw.rounded_rectangle((520, 520 + seed * 20, 1080, 1080), radius=120, fill=paper)
    draw.text((800, 1250), "ACME", fill=paper, anchor="mm", font=ImageFont.load_default(180))
    return _encode(image, "PNG")


def photo(seed: int) -> io.BytesIO:
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize((3000, 2000)).convert("RGB")
    tint = Image.new("RGB", image.size, tuple(rng.randrange(60, 200) for _ in range(3)))
    image = Image.blend(image, tint, 0.6)
    draw = ImageDraw.Draw(image)
    for _ in range(30):
        x, y, size = rng.randrange(3000), rng.randrange(2000), rng.randrange(60, 400)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.rectangle((x, y, x + size, y + size * 1.5), fill=colour)
    draw.ellipse((1400, 900, 1600, 1100), fill="#ffffff", outline="#000000", width=12)
    return _encode(image, "JPEG")


def banner(ink: str, paper: str, seed: int) -> io.BytesIO:
    image = Image.new("RGB", (3168, 792), paper)
    draw = ImageDraw.Draw(image)
    for step in range(12):
        offset = step * 260 + seed * 40
        draw.polygon(
            [(offset, 792), (offset + 400, 0), (offset + 520, 0), (offset + 120, 792)], fill=ink
        )
    draw.text(
        (2300, 396), "We make things", fill=ink, anchor="mm", font=ImageFont.load_default(120)
    )
    return _encode(image, "JPEG")
