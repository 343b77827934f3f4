"""The German and French contractors' pages say what a share link from Marketing shows and
keeps, as 0005 made the English one say: 0007's translations were made from the text before it."""

from django.db import migrations
from django.utils import timezone

SLUG = "contractors-and-partners"
SECTIONS = {
    "de": (
        "## Links vom Marketing",
        """

## Links vom Marketing

Statt eines Kontos kann Ihnen das Marketing einen Link zum Teilen schicken. Er öffnet nur das für Sie ausgewählte Bildmaterial, das in diesem Moment veröffentlicht ist, nie Entwürfe, und er endet an dem Tag, den das Marketing festgelegt hat (spätestens nach 90 Tagen), oder früher, wenn das Marketing ihn beendet. Zum Öffnen brauchen Sie kein Konto; der Link setzt kein Cookie und wird nicht gezählt. Das Portal speichert weder, wer ihn geöffnet hat, noch, was heruntergeladen wurde. Hat der Link ein Passwort, haben Sie es auf anderem Weg erhalten; nach einigen falschen Versuchen nimmt der Link eine Viertelstunde lang kein Passwort an.
""",
    ),
    "fr": (
        "## Liens envoyés par le marketing",
        """

## Liens envoyés par le marketing

Au lieu d'un compte, le marketing peut vous envoyer un lien de partage. Il n'ouvre que les visuels choisis pour vous qui sont publiés à ce moment-là, jamais les brouillons, et il prend fin à la date fixée par le marketing (au plus 90 jours) ou plus tôt si le marketing y met fin. L'ouvrir ne demande aucun compte, ne dépose aucun cookie et n'est pas compté : le portail n'enregistre ni qui l'a ouvert ni ce qui a été téléchargé. Si le lien a un mot de passe, il vous a été communiqué séparément ; après quelques essais erronés, le lien n'accepte plus de mot de passe pendant un quart d'heure.
""",
    ),
}


def add_sections(apps, schema_editor) -> None:
    PolicyPage = apps.get_model("policies", "PolicyPage")
    page = PolicyPage.objects.using(schema_editor.connection.alias).filter(slug=SLUG).first()
    if page is None:
        return
    for language, (heading, section) in SECTIONS.items():
        body = getattr(page, f"body_{language}")
        # No text in this language yet (the English one is shown), or the section is there.
        if not body or heading in body:
            continue
        # As a save from the edit page does: the text it replaces stays in this language's
        # change log.
        page.versions.create(
            language=language,
            title=getattr(page, f"title_{language}") or "",
            body=body,
            saved_at=getattr(page, f"updated_at_{language}") or page.updated_at_en,
        )
        setattr(page, f"body_{language}", body.rstrip("\n") + section)
        setattr(page, f"updated_at_{language}", timezone.now())
        page.save(update_fields=[f"body_{language}", f"updated_at_{language}"])


def remove_sections(apps, schema_editor) -> None:
    PolicyPage = apps.get_model("policies", "PolicyPage")
    for page in PolicyPage.objects.using(schema_editor.connection.alias).filter(slug=SLUG):
        for language, (_heading, section) in SECTIONS.items():
            if body := getattr(page, f"body_{language}"):
                body = body.replace(section.rstrip("\n"), "").rstrip("\n") + "\n"
                setattr(page, f"body_{language}", body)
                page.save(update_fields=[f"body_{language}"])


class Migration(migrations.Migration):
    dependencies = [("policies", "0007_policy_pages_de_fr")]

    operations = [migrations.RunPython(add_sections, remove_sections)]
