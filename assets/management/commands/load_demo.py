"""Demo data: Fjordlight, a small fictional ferry and coastal-travel company.

Everything is drawn here with Pillow (no binary files) from fixed seeds, so two runs make the
same bytes and a second run adds nothing. Passwords are made once and kept in
``var/demo-passwords.txt``, so ``make run`` can restart without new ones.
"""

import datetime
import io
import math
import random
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import F
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from accounts.roles import EMPLOYEES, LEADERSHIP, MARKETING
from assets.models import Asset, Collection, Tag
from assets.services import DuplicateAsset, asset_create, renditions_request

DEMO_USERS = [("employee", EMPLOYEES), ("marketing", MARKETING), ("leadership", LEADERSHIP)]
COMPANY = "Fjordlight"
NAVY, TEAL, SAND, FOAM, CORAL = "#0b2545", "#13807a", "#f2e3c6", "#e8f4f2", "#ee6c4d"
DEMO_AGE = datetime.timedelta(weeks=10)
COLLECTIONS = [
    ("Brand basics", "brand-basics", "The Fjordlight mark and frame, for profiles and slides."),
    ("Our places", "our-places", "Photos from our harbour offices."),
    ("Spring sailings 2026", "spring-2026", "This season's campaign: banners and the poster."),
]


class Command(BaseCommand):
    help = (
        "Load Fjordlight, a small fictional company: a logo, campaign banners, a poster, office "
        "photos and a profile frame, and one demo user per role. Only with DEBUG on. "
        "Passwords are made once; --new-passwords makes new ones."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--new-passwords", action="store_true", help="Forget the kept passwords."
        )

    def handle(self, *args, new_passwords: bool = False, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo users are refused when DEBUG is off.")
        marketer = self.create_users(new_passwords=new_passwords)
        collections = {
            slug: Collection.objects.update_or_create(
                slug=slug, defaults={"name": name, "description": text, "order": order}
            )[0]
            for order, (name, slug, text) in enumerate(COLLECTIONS)
        }
        made = []
        for number, item in enumerate(demo_assets()):
            try:
                asset = asset_create(
                    file=item["file"],
                    filename=item["filename"],
                    title=item["title"],
                    uploaded_by=marketer,
                    collection=collections[item["collection"]],
                    kind=item["kind"],
                    publish=number != 0,  # one draft, so marketing sees both states
                )
            except DuplicateAsset:
                continue
            for field in ("description", "usage_notes", "ring_text", "background"):
                setattr(asset, field, item.get(field, ""))
            for language in ("de", "fr"):
                # An employee reading German or French meets no English sentence in the demo.
                title, description, notes, *ring = item[language]
                setattr(asset, f"title_{language}", title)
                setattr(asset, f"description_{language}", description)
                setattr(asset, f"usage_notes_{language}", notes)
                setattr(asset, f"ring_text_{language}", ring[0] if ring else "")
            asset.keep_box = item.get("keep_box")
            asset.text_box = item.get("text_box")
            asset.text_dark_colour = NAVY
            asset.save()
            renditions_request(asset=asset)  # a background changes the files
            asset.tags.set(
                Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
                for name in item["tags"]
            )
            made.append(asset.pk)
        # Fjordlight's artwork has been in the library for a while, so the demo weeks of the
        # uptake page (released next, by name: assets does not import tracking) can hold it.
        Asset.objects.filter(pk__in=made).update(created_at=F("created_at") - DEMO_AGE)
        self.stdout.write(f"Demo library ready ({len(made)} new assets).")
        call_command("release_demo_weeks", stdout=self.stdout)

    def create_users(self, *, new_passwords: bool):
        User = get_user_model()
        kept = _kept_passwords() if not new_passwords else {}
        self.stdout.write(
            f"Demo users (kept in {_passwords_file()}; "
            "`manage.py load_demo --new-passwords` makes new ones):"
        )
        for username, role in [*DEMO_USERS, ("admin", None)]:
            user, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.com"}
            )
            password = kept.get(username)
            if not password or not user.check_password(password):
                password = kept[username] = secrets.token_urlsafe(9)
                user.set_password(password)
            user.is_staff = user.is_superuser = role is None
            user.save()
            if role:
                user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {username:<11} {password}   ({role or 'administrator'})")
        _keep_passwords(kept)
        return User.objects.get(username="marketing")


def _passwords_file() -> Path:
    return Path(settings.BASE_DIR) / "var" / "demo-passwords.txt"


def _kept_passwords() -> dict[str, str]:
    path = _passwords_file()
    if not path.exists():
        return {}
    pairs = (line.split(" ", 1) for line in path.read_text().splitlines() if " " in line)
    return {name: password for name, password in pairs}


def _keep_passwords(passwords: dict[str, str]) -> None:
    path = _passwords_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{name} {password}\n" for name, password in passwords.items()))
    path.chmod(0o600)  # demo only, but still nobody else's to read


# ---------------------------------------------------------------------------------------------
# The artwork


def demo_assets() -> list[dict]:
    """Every demo asset, in upload order (the first stays a draft)."""
    return [
        {
            "title": "Spring sailings poster",
            # Title, description, usage notes (and ring text) in German and French.
            "de": (
                "Plakat Frühlingsfahrten",
                "Das Kampagnenplakat für Bildschirme im Büro und für den Druck.",
                "Entwurf: Die Termine werden noch bestätigt.",
            ),
            "fr": (
                "Affiche des traversées de printemps",
                "L'affiche de la campagne, pour les écrans des bureaux et l'impression.",
                "Brouillon : les dates sont encore en cours de confirmation.",
            ),
            "filename": "spring-poster.jpg",
            "kind": Asset.Kind.ILLUSTRATION,
            "collection": "spring-2026",
            "file": _jpeg(poster()),
            "description": "The campaign poster, for office screens and print.",
            "usage_notes": "Draft: the dates are still being confirmed.",
            "tags": ["campaign", "spring"],
        },
        {
            "title": "Fjordlight logo",
            # Title, description, usage notes (and ring text) in German and French.
            "de": (
                "Fjordlight-Logo",
                "Das Leuchtturm-Zeichen mit dem Schriftzug.",
                "Halten Sie rundum einen Schutzraum in der Höhe der Leuchtturmlampe frei. Auf "
                "Fotos nur auf einer ruhigen Fläche verwenden; nie verzerren oder umfärben.",
                "Segeln mit Fjordlight",
            ),
            "fr": (
                "Logo Fjordlight",
                "Le phare avec le logotype.",
                "Laissez autour une zone de protection de la hauteur de la lanterne du phare. Sur "
                "les photos, placez-le sur une zone calme ; ne le déformez ni ne le recolorez "
                "jamais.",
                "Naviguez avec Fjordlight",
            ),
            "filename": "fjordlight-logo.svg",
            "kind": Asset.Kind.LOGO,
            "collection": "brand-basics",
            "file": io.BytesIO(logo_svg()),
            "description": "The lighthouse mark with the wordmark.",
            "usage_notes": "Keep clear space around it the height of the lighthouse's lamp. "
            "On photos, use it on a calm area; never stretch or recolour it.",
            "ring_text": "Sail with Fjordlight",
            "tags": ["logo", "brand"],
        },
        {
            "title": "Fjordlight mark on navy",
            # Title, description, usage notes (and ring text) in German and French.
            "de": (
                "Fjordlight-Zeichen auf Marineblau",
                "Das Zeichen allein, für kleine Quadrate.",
                "Am besten für Profilbilder von Teamkonten und für Folienecken.",
            ),
            "fr": (
                "Emblème Fjordlight sur bleu marine",
                "L'emblème seul, pour les petits carrés.",
                "Idéal pour les photos de profil des comptes d'équipe et les coins de "
                "diapositives.",
            ),
            "filename": "fjordlight-mark.png",
            "kind": Asset.Kind.LOGO,
            "collection": "brand-basics",
            "file": _png(logo_png()),
            "description": "The mark alone, for small squares.",
            "usage_notes": "Best for profile pictures of team accounts and slide corners.",
            "background": NAVY,
            "tags": ["logo", "brand", "dark"],
        },
        {
            "title": "Fjordlight profile frame",
            # Title, description, usage notes (and ring text) in German and French.
            "de": (
                "Fjordlight-Profilrahmen",
                "Ein Rahmen für Ihr eigenes Profilfoto.",
                "Legen Sie ihn auf dieser Seite über Ihr eigenes Foto; das Foto bleibt auf Ihrem "
                "Gerät. Verwenden Sie ihn, so lange Sie möchten, oder gar nicht.",
            ),
            "fr": (
                "Cadre de profil Fjordlight",
                "Un cadre pour votre propre photo de profil.",
                "Posez-le sur votre propre photo sur cette page ; la photo reste sur votre "
                "appareil. Utilisez-le aussi longtemps que vous le souhaitez, ou pas du tout.",
            ),
            "filename": "fjordlight-frame.png",
            "kind": Asset.Kind.FRAME,
            "collection": "brand-basics",
            "file": _png(frame_overlay()),
            "description": "A frame for your own profile photo.",
            "usage_notes": "Put it over your own photo on this page; the photo stays on your "
            "device. Use it for as long as you like, or not at all.",
            "tags": ["profile", "frame"],
        },
        {
            "title": "Spring sailings banner",
            # Title, description, usage notes (and ring text) in German and French.
            "de": (
                "Banner Frühlingsfahrten",
                "Das Kampagnenbanner, gestaltet für Titelbilder von Profilen.",
                "Passt für Titelbilder auf LinkedIn, X und Bluesky. Wenn Sie über die Kampagne "
                "posten, sagen Sie, dass Sie bei Fjordlight arbeiten.",
            ),
            "fr": (
                "Bannière des traversées de printemps",
                "La bannière de la campagne, mise en page pour les en-têtes de profil.",
                "Convient aux en-têtes LinkedIn, X et Bluesky. Si vous publiez à propos de la "
                "campagne, dites que vous travaillez chez Fjordlight.",
            ),
            "filename": "spring-banner.jpg",
            "kind": Asset.Kind.ILLUSTRATION,
            "collection": "spring-2026",
            "file": _jpeg(banner("Spring sailings", "Twelve harbours, one ticket", SAND, NAVY)),
            "description": "The campaign banner, laid out for profile headers.",
            "usage_notes": "Fits LinkedIn, X and Bluesky headers. If you post about the "
            "campaign, say that you work at Fjordlight.",
            "tags": ["campaign", "spring", "banner"],
            "keep_box": BANNER_WORDS,
            "text_box": BANNER_TEXT,
        },
        {
            "title": "Night crossing banner",
            # Title, description, usage notes (and ring text) in German and French.
            "de": (
                "Banner Nachtfahrt",
                "Die dunkle Variante des Kampagnenbanners.",
                "Wirkt gut im dunklen Modus und als Hintergrund für Videoanrufe.",
            ),
            "fr": (
                "Bannière traversée de nuit",
                "La variante sombre de la bannière de la campagne.",
                "Rend bien en mode sombre et comme arrière-plan pour appels vidéo.",
            ),
            "filename": "night-banner.jpg",
            "kind": Asset.Kind.ILLUSTRATION,
            "collection": "spring-2026",
            "file": _jpeg(banner("Night crossings", "Sleep at sea, wake in Bergen", NAVY, SAND)),
            "description": "The dark variant of the campaign banner.",
            "usage_notes": "Reads well in dark mode and as a video-call background.",
            "tags": ["campaign", "banner", "dark"],
            "keep_box": BANNER_WORDS,
            "text_box": BANNER_TEXT,
        },
        *[
            {
                "title": f"{place} office",
                # Title, description, usage notes (and ring text) in German and French.
                "de": (
                    f"Büro {place}",
                    f"Unser Hafenbüro in {place}.",
                    "Ein ruhiger Hintergrund für Videoanrufe; die Fensterseite ist rechts, damit "
                    "Ihr Namensschild lesbar bleibt.",
                ),
                "fr": (
                    f"Bureau de {place}",
                    f"Notre bureau du port à {place}.",
                    "Un arrière-plan calme pour les appels vidéo ; le côté fenêtre est à droite, "
                    "pour que votre nom reste lisible.",
                ),
                "filename": f"{slugify(place)}-office.jpg",
                "kind": Asset.Kind.PHOTO,
                "collection": "our-places",
                "file": _jpeg(office_photo(seed)),
                "description": f"Our harbour office in {place}.",
                "usage_notes": "A calm background for video calls; the window side is on the "
                "right, so your name label stays readable.",
                "tags": ["office", "photo", slugify(place)],
            }
            for seed, place in enumerate(["Bergen", "Ålesund", "Tromsø"])
        ],
    ]


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size)


def _jpeg(image: Image.Image) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    buffer.seek(0)
    return buffer


def _png(image: Image.Image) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def _lighthouse(draw: ImageDraw.ImageDraw, cx: float, base: float, height: float) -> None:
    """The mark: a striped lighthouse with its beam, drawn at any size."""
    w = height * 0.28
    top = base - height
    draw.polygon(
        [(cx - w / 2, base), (cx + w / 2, base), (cx + w * 0.3, top), (cx - w * 0.3, top)],
        fill=CORAL,
    )
    for band in (0.3, 0.62):
        y = base - height * band
        half = w / 2 - (w * 0.2) * band
        draw.rectangle((cx - half, y - height * 0.08, cx + half, y), fill="#ffffff")
    draw.rectangle((cx - w * 0.36, top - height * 0.18, cx + w * 0.36, top), fill=NAVY)
    draw.polygon(
        [
            (cx, top - height * 0.1),
            (cx + height * 0.9, top - height * 0.35),
            (cx + height * 0.9, top),
        ],
        fill="#ffd166",
    )


def logo_svg() -> bytes:
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="1120" height="360"
     viewBox="0 0 1120 360">
  <path d="M70 330 L130 330 L118 110 L82 110 Z" fill="{CORAL}"/>
  <rect x="87" y="230" width="26" height="22" fill="#ffffff"/>
  <rect x="85" y="160" width="30" height="22" fill="#ffffff"/>
  <rect x="74" y="70" width="52" height="40" fill="{NAVY}"/>
  <path d="M100 86 L260 40 L260 120 Z" fill="#ffd166"/>
  <text x="290" y="230" font-family="sans-serif" font-size="128" font-weight="700"
        fill="{NAVY}">{COMPANY}</text>
  <path d="M290 270 Q 450 300 620 270 T 1060 270" stroke="{TEAL}" stroke-width="14" fill="none"/>
</svg>""".encode()


def logo_png() -> Image.Image:
    image = Image.new("RGBA", (1600, 1600), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((100, 100, 1500, 1500), fill=NAVY)
    _lighthouse(draw, 700, 1250, 900)
    draw.arc((300, 1150, 1300, 1450), 200, 340, fill=TEAL, width=40)
    return image


def frame_overlay() -> Image.Image:
    """A ring with the campaign line, transparent in the middle: the hole for a person's photo."""
    size = 1024
    image = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    outer, inner = size, size * 0.78
    c = size
    draw.ellipse((c - outer, c - outer, c + outer, c + outer), fill=TEAL)
    draw.ellipse((c - inner, c - inner, c + inner, c + inner), fill=(0, 0, 0, 0))
    text, font = "#SPRINGSAILINGS · FJORDLIGHT · ", _font(120)
    radius = (outer + inner) / 2
    for index, letter in enumerate(text):
        angle = math.radians(200 + index * (140 / len(text)))
        glyph = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((80, 80), letter, font=font, fill="#ffffff", anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        x, y = c + radius * math.cos(angle), c + radius * math.sin(angle)
        image.alpha_composite(glyph, (int(x - 80), int(y - 80)))
    _lighthouse(draw, c + inner * 0.62, c + inner * 0.95, 330)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def _waves(image: Image.Image, colour: str, rows: int, seed: int) -> None:
    draw = ImageDraw.Draw(image)
    rng = random.Random(seed)
    w, h = image.size
    for row in range(rows):
        y = h * (0.62 + row * 0.38 / rows)
        points = [
            (x, y + math.sin(x / (w / 9) + row + rng.random()) * h * 0.02)
            for x in range(0, w + 40, 40)
        ]
        draw.line(points, fill=colour, width=max(2, h // 90))


# The lighthouse and the words of banner(), which no crop of a wider or taller size may cut.
BANNER_WORDS = {"x": 0.15, "y": 0.18, "w": 0.72, "h": 0.45}
# Where employees' own names go on banner(): the teal sea below the words, right of the
# lighthouse and of where profile photos sit.
BANNER_TEXT = {"x": 0.38, "y": 0.68, "w": 0.56, "h": 0.28}


def banner(title: str, tagline: str, paper: str, ink: str) -> Image.Image:
    """4:1 artwork; the words sit centre-right, where profile photos never cover them."""
    width, height = 3168, 792
    image = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, int(height * 0.66), width, height), fill=TEAL)
    _waves(image, FOAM, 4, seed=len(title))
    draw.ellipse((int(width * 0.08), 90, int(width * 0.08) + 260, 350), fill=CORAL)
    _lighthouse(draw, width * 0.22, height * 0.7, height * 0.55)
    draw.text((width * 0.66, height * 0.33), title, font=_font(150), fill=ink, anchor="mm")
    draw.text((width * 0.66, height * 0.5), tagline, font=_font(74), fill=ink, anchor="mm")
    return image


def poster() -> Image.Image:
    width, height = 1600, 2240
    image = Image.new("RGB", (width, height), SAND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, int(height * 0.6), width, height), fill=TEAL)
    _waves(image, FOAM, 6, seed=7)
    _lighthouse(draw, width * 0.3, height * 0.62, height * 0.4)
    draw.text(
        (width / 2, height * 0.12), "Spring sailings", font=_font(150), fill=NAVY, anchor="mm"
    )
    draw.text(
        (width / 2, height * 0.19),
        "Twelve harbours, one ticket",
        font=_font(70),
        fill=NAVY,
        anchor="mm",
    )
    draw.text((width / 2, height * 0.9), COMPANY, font=_font(110), fill="#ffffff", anchor="mm")
    return image


def office_photo(seed: int) -> Image.Image:
    """A harbour-front office at dusk: sky, water, a room with windows, lamps. Blurred a little
    so it compresses like a photo rather than a drawing."""
    rng = random.Random(seed)
    width, height = 2400, 1600
    sky = Image.linear_gradient("L").resize((width, height))
    image = Image.merge(
        "RGB",
        [sky.point(lambda v, k=k: int(60 + v * k)) for k in (0.55, 0.45, 0.35)],
    )
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, int(height * 0.55), width, height), fill=(30, 70, 90))
    for _ in range(14):
        x = rng.randrange(0, width)
        h = rng.randrange(200, 600)
        draw.rectangle(
            (x, height * 0.55 - h, x + rng.randrange(120, 300), height * 0.55),
            fill=tuple(rng.randrange(90, 160) for _ in range(3)),
        )
        for wy in range(int(height * 0.55 - h + 30), int(height * 0.55) - 40, 70):
            draw.rectangle((x + 20, wy, x + 50, wy + 30), fill=(255, 214, 140))
    draw.rectangle((0, 0, int(width * 0.18), height), fill=(58, 52, 48))
    draw.rectangle((0, int(height * 0.8), width, height), fill=(96, 78, 60))
    for lamp in range(3):
        x = int(width * (0.3 + lamp * 0.2))
        draw.line((x, 0, x, 180), fill=(20, 20, 20), width=8)
        draw.ellipse((x - 60, 160, x + 60, 260), fill=(255, 230, 170))
    return image.filter(ImageFilter.GaussianBlur(2))
