"""The default policy pages in German and French, translated from 0002's English. Frozen
here like the English; later edits happen in the portal, each language in its own change log.
A page changed in the portal already keeps its own text."""

from django.db import migrations
from django.utils import timezone

PAGES = {
    "taking-part-is-voluntary": {
        "de": (
            "Mitmachen ist freiwillig",
            """\
Die Motive in diesem Portal sind ein Angebot. Verwenden Sie sie, wenn sie Ihnen gefallen, und lassen Sie sie weg, wenn nicht. Beides ist in Ordnung.

## Ein Nein hat keine Folgen

- Niemand prüft, ob Sie die Motive verwenden. Ein Nein ändert nichts: weder an Ihren Beurteilungen noch an Ihrem Gehalt, Ihren Projekten oder daran, wie Kolleginnen und Kollegen mit Ihnen umgehen.
- Das Portal speichert nicht, wer was heruntergeladen hat. Es führt wöchentliche Summen, und kleine Summen werden nicht angezeigt. Siehe [Was dieses Portal speichert](/policies/what-this-portal-keeps/).
- Ihre Führungskraft erfährt nicht, ob Sie mitgemacht haben. Das Portal könnte es ihr nicht einmal auf Nachfrage sagen.

## Aufhören, wann Sie wollen

- Sie können die Motive jederzeit von Ihren Profilen entfernen. Sie müssen niemandem Bescheid geben.
- Wenn Sie das Unternehmen verlassen, nehmen Sie sie bitte herunter, zusammen mit allem, was sagt, dass Sie hier arbeiten.

## Sie werden höchstens einmal gefragt

Wenn neue Motive erscheinen, darf das Marketing sie einmal ankündigen: mit einem Banner auf der Startseite für kurze Zeit und höchstens einer E-Mail an alle Mitarbeitenden. Es gibt keine Erinnerungen und kein Nachfassen. Wenn jemand Sie zum Mitmachen drängt, handelt er gegen diese Seite, und Sie können ihn darauf hinweisen.
""",
        ),
        "fr": (
            "Participer est facultatif",
            """\
Les visuels de ce portail sont une proposition. Utilisez-les s'ils vous plaisent, ignorez-les sinon. Les deux sont très bien.

## Dire non n'a aucune conséquence

- Personne ne vérifie si vous utilisez les visuels. Dire non ne change rien : ni vos évaluations, ni votre salaire, ni vos projets, ni la façon dont vos collègues vous traitent.
- Le portail n'enregistre pas qui a téléchargé quoi. Il tient des totaux hebdomadaires, et les petits totaux sont masqués. Voir [Ce que ce portail conserve](/policies/what-this-portal-keeps/).
- Votre responsable n'est pas informé de votre participation. Le portail ne pourrait pas le lui dire, même si on le lui demandait.

## Arrêtez quand vous voulez

- Retirez les visuels de vos profils à tout moment. Vous n'avez à prévenir personne.
- Si vous quittez l'entreprise, retirez-les, ainsi que tout ce qui indique que vous y travaillez.

## On vous le propose une fois, au plus

Quand de nouveaux visuels arrivent, le marketing peut les annoncer une fois : un bandeau sur la page d'accueil pendant une courte période et, au plus, un e-mail à l'ensemble du personnel. Il n'y a ni rappel ni relance. Si quelqu'un vous pousse à participer, il va à l'encontre de cette page, et vous pouvez la lui montrer.
""",
        ),
    },
    "how-to-disclose": {
        "de": (
            "So machen Sie kenntlich, dass Sie hier arbeiten",
            """\
Wenn Sie über die Produkte oder Dienstleistungen des Unternehmens posten, sollen Ihre Leserinnen und Leser wissen, dass Sie hier arbeiten. Ihre Meinung zählt mehr, wenn man weiß, woher sie kommt. In den USA verlangen das die Endorsement Guides der FTC.

## Sagen Sie es im Beitrag selbst

Eine Zeile in Ihrem Profiltext wird leicht übersehen, und viele öffnen Ihr Profil nie. Schreiben Sie es in den Beitrag, möglichst am Anfang:

- „Ich arbeite bei [Unternehmen].“
- „#[Unternehmen]Mitarbeiter“
- „Anzeige“ oder „#Werbung“, wenn Sie für den Beitrag etwas bekommen haben.

Schreiben Sie es schlicht und gut sichtbar. Verstecken Sie es nicht in einer Reihe von Hashtags, und verlassen Sie sich nicht darauf, dass die Kennzeichnung der Plattform das für Sie erledigt.

## Das Motiv ist keine Kennzeichnung

Ein Rahmen oder Banner, der zeigt, dass Sie hier arbeiten, hilft, aber er steht in Ihrem Profil, und der Beitrag wird ohne ihn weitergegeben. Sagen Sie es auch im Beitrag.

## Sagen Sie nur, was Sie selbst denken

Niemand darf von Ihnen verlangen, etwas zu loben, das Sie nicht überzeugt, oder zu verschweigen, dass Sie hier arbeiten. Teilen Sie Ihre eigene Sicht oder gar nichts.

## Wenn Sie es vergessen haben

Bearbeiten Sie den Beitrag und ergänzen Sie die Zeile. Das ist alles.

Diese Seite ist bei jedem Motiv im Portal verlinkt, damit sie da ist, wann immer Sie etwas herunterladen.
""",
        ),
        "fr": (
            "Comment indiquer que vous travaillez ici",
            """\
Lorsque vous publiez sur les produits ou les services de l'entreprise, vos lecteurs doivent savoir que vous y travaillez. Votre avis compte davantage quand on sait d'où il vient. Aux États-Unis, les Endorsement Guides de la FTC l'exigent.

## Dites-le dans la publication elle-même

Une ligne dans votre bio passe facilement inaperçue, et beaucoup de lecteurs n'ouvrent jamais votre profil. Écrivez-le dans la publication, dès le début :

- « Je travaille chez [Entreprise]. »
- « #Salarié[Entreprise] »
- « Publicité » ou « #pub », si vous avez reçu quelque chose pour cette publication.

Restez simple et visible. Ne le cachez pas au milieu d'une rangée de hashtags, et ne comptez pas sur le libellé de la plateforme pour le faire à votre place.

## Le visuel n'est pas une mention

Un cadre ou une bannière indiquant que vous travaillez ici aide, mais il reste sur votre profil, et la publication circule sans lui. Dites-le aussi dans la publication.

## Ne dites que ce que vous pensez

Personne ne peut vous demander de vanter quelque chose qui ne vous convainc pas, ni de cacher que vous travaillez ici. Donnez votre propre avis, ou rien du tout.

## Si vous avez oublié

Modifiez la publication et ajoutez la ligne. C'est tout.

Cette page est liée depuis chaque visuel du portail : elle est là chaque fois que vous téléchargez quelque chose.
""",
        ),
    },
    "your-accounts-stay-yours": {
        "de": (
            "Ihre Konten bleiben Ihre",
            """\
Ihre Social-Media-Konten sind privat. Das Unternehmen hat keinen Anspruch darauf.

Niemand im Unternehmen wird Sie bitten,

- ein Passwort oder einen Anmeldecode weiterzugeben oder Ihr Konto mit einer App des Unternehmens zu verbinden;
- sich anzumelden, während jemand zusieht, oder Screenshots, Fotos oder Beiträge aus Ihrem Konto herauszugeben;
- eine Freundschafts- oder Folgeanfrage einer Führungskraft oder eines Kollegen anzunehmen;
- Ihre Privatsphäre-Einstellungen zu ändern.

Wenn es doch jemand tut, dürfen Sie Nein sagen, und das Nein wird Ihnen nicht zur Last gelegt. In Kalifornien, New York und etwa zwei Dutzend weiteren US-Bundesstaaten ist das Gesetz; hier gilt es als Regel für alle.

Dieses Portal bittet Sie nie, ein Konto zu verbinden, und kann Ihre Profile nicht sehen.
""",
        ),
        "fr": (
            "Vos comptes restent les vôtres",
            """\
Vos comptes sur les réseaux sociaux sont personnels. L'entreprise n'a aucun droit sur eux.

Personne dans l'entreprise ne vous demandera :

- de communiquer un mot de passe ou un code de connexion, ni de relier votre compte à une application de l'entreprise ;
- de vous connecter sous le regard de quelqu'un, ni de fournir des captures d'écran, des photos ou des publications de votre compte ;
- d'accepter une demande d'ami ou d'abonnement d'un responsable ou d'un collègue ;
- de modifier vos paramètres de confidentialité.

Si quelqu'un le fait, vous pouvez refuser, et ce refus ne vous sera pas reproché. La Californie, New York et une vingtaine d'autres États américains en ont fait une loi ; ici, c'est la règle pour tout le monde.

Ce portail ne vous demande jamais de relier un compte et n'a aucun moyen de voir vos profils.
""",
        ),
    },
    "your-right-to-speak": {
        "de": (
            "Ihr Recht, frei zu sprechen",
            """\
Nichts in diesem Portal, auf diesen Seiten oder in den Motiven schränkt ein, was Sie sagen dürfen.

- Sie dürfen mit Kolleginnen und Kollegen oder mit wem auch immer über Ihr Gehalt, Ihre Arbeitszeit und Ihre Arbeitsbedingungen sprechen, online wie offline.
- Sie dürfen das Unternehmen kritisieren, mit oder ohne diese Motive in Ihrem Profil.
- Wer die Motive verwendet, verpflichtet sich nicht, nur Gutes zu sagen.

Wenn eine Bitte über dieses Portal etwas anderes zu sagen scheint, betrachten Sie sie als Versehen und verweisen Sie auf diese Seite.
""",
        ),
        "fr": (
            "Votre liberté de parole",
            """\
Rien dans ce portail, dans ces pages ni dans les visuels ne limite ce que vous pouvez dire.

- Vous pouvez parler de votre salaire, de vos horaires et de vos conditions de travail avec vos collègues ou avec qui que ce soit, en ligne ou non.
- Vous pouvez critiquer l'entreprise, avec ou sans ces visuels sur votre profil.
- Utiliser les visuels ne vous engage pas à ne dire que du bien.

Si une demande faite par ce portail semble dire le contraire, considérez-la comme une erreur et renvoyez à cette page.
""",
        ),
    },
    "using-the-artwork-responsibly": {
        "de": (
            "Die Motive verantwortungsvoll verwenden",
            """\
Die Motive zeigen, dass hier ein echter Mensch arbeitet. Sie sollen Ihr Konto nicht wie das des Unternehmens aussehen lassen.

## Bleiben Sie Sie selbst

- Behalten Sie Ihren eigenen Namen und Ihr eigenes Foto.
- Verwenden Sie einen Rahmen um Ihr Foto oder ein Banner- bzw. Titelbild statt des Logos als Profilbild. LinkedIn erwartet auf dem Foto einen echten Menschen.
- Fügen Sie Ihrem Profil kein „offiziell“, kein Abzeichen und kein Häkchen hinzu. X und TikTok werten ein Firmenlogo zusammen mit einem firmenähnlichen Namen als Identitätsanmaßung und können das Konto sperren.

## Wissen, wo es zu sehen ist

- Auf Facebook sind Ihr Profilbild und Ihr Titelbild immer öffentlich.
- Ein YouTube-Profilbild kann auch in Gmail und Google Meet erscheinen.
""",
        ),
        "fr": (
            "Utiliser les visuels de façon responsable",
            """\
Les visuels montrent qu'une vraie personne travaille ici. Ils ne doivent pas faire passer votre compte pour celui de l'entreprise.

## Restez vous-même

- Gardez votre propre nom et votre propre photo.
- Utilisez un cadre autour de votre photo, ou une bannière ou une image de couverture, plutôt que le logo comme photo de profil. LinkedIn attend une vraie personne sur la photo.
- N'ajoutez pas « officiel », de badge ni de coche à votre profil. X et TikTok considèrent un logo d'entreprise associé à un nom ressemblant à celui de l'entreprise comme une usurpation d'identité et peuvent suspendre le compte.

## Sachez où il apparaît

- Sur Facebook, votre photo de profil et votre photo de couverture sont toujours publiques.
- Une photo de profil YouTube peut aussi apparaître dans Gmail et Google Meet.
""",
        ),
    },
    "what-this-portal-keeps": {
        "de": (
            "Was dieses Portal speichert",
            """\
Dieses Portal ist so gebaut, dass es so wenig wie möglich über Sie weiß. Es zählt Downloads nur als Summen, damit das Marketing sieht, welche Motive sich lohnen, und es speichert nicht, wer was getan hat.
""",
        ),
        "fr": (
            "Ce que ce portail conserve",
            """\
Ce portail est conçu pour en savoir le moins possible sur vous. Il compte les téléchargements en totaux, pour que le marketing voie quels visuels valent la peine d'être créés, et il ne garde aucune trace de qui a fait quoi.
""",
        ),
    },
    "contractors-and-partners": {
        "de": (
            "Freie Mitarbeitende und Partner",
            """\
Wenn Sie als Auftragnehmerin, Freelancer oder Partner mit dem Unternehmen arbeiten, gilt dasselbe Angebot, mit zwei Unterschieden.

- **Prüfen Sie zuerst Ihren Vertrag.** Verwenden Sie die Motive nur, wo Ihr Vertrag Ihnen erlaubt, die Marke des Unternehmens zu nutzen. Sagt er nichts dazu, fragen Sie vorher Ihre Ansprechperson im Unternehmen.
- **Beschreiben Sie die Beziehung, wie sie ist.** Schreiben Sie „Ich arbeite mit [Unternehmen]“ oder „Ich bin als Auftragnehmer für [Unternehmen] tätig“, nicht „Ich arbeite bei [Unternehmen]“. Auch eine geschäftliche Beziehung müssen Sie in Ihren Beiträgen kenntlich machen: siehe [So machen Sie kenntlich, dass Sie hier arbeiten](/policies/how-to-disclose/).

Die Motive zu verwenden ist nie eine Bedingung Ihres Vertrags oder weiterer Aufträge.
""",
        ),
        "fr": (
            "Prestataires et partenaires",
            """\
Si vous travaillez avec l'entreprise comme prestataire, indépendant ou partenaire, la même proposition s'applique, avec deux différences.

- **Vérifiez d'abord votre contrat.** N'utilisez les visuels que là où votre contrat vous autorise à utiliser la marque de l'entreprise. S'il n'en dit rien, demandez d'abord à votre contact dans l'entreprise.
- **Décrivez la relation telle qu'elle est.** Dites « Je travaille avec [Entreprise] » ou « Je suis prestataire pour [Entreprise] », et non « Je travaille chez [Entreprise] ». Une relation d'affaires doit elle aussi être indiquée dans vos publications : voir [Comment indiquer que vous travaillez ici](/policies/how-to-disclose/).

Utiliser les visuels n'est jamais une condition de votre contrat ni de l'obtention d'autres missions.
""",
        ),
    },
}


def add_translations(apps, schema_editor) -> None:
    PolicyPage = apps.get_model("policies", "PolicyPage")
    pages = PolicyPage.objects.using(schema_editor.connection.alias)
    for slug, languages in PAGES.items():
        for language, (title, body) in languages.items():
            pages.filter(slug=slug, **{f"body_{language}__isnull": True}).update(
                **{
                    f"title_{language}": title,
                    f"body_{language}": body,
                    f"updated_at_{language}": timezone.now(),
                }
            )


def remove_translations(apps, schema_editor) -> None:
    PolicyPage = apps.get_model("policies", "PolicyPage")
    for language in ("de", "fr"):
        PolicyPage.objects.using(schema_editor.connection.alias).filter(
            slug__in=PAGES
        ).update(**{f"title_{language}": None, f"body_{language}": None})


class Migration(migrations.Migration):
    dependencies = [("policies", "0006_languages")]

    operations = [migrations.RunPython(add_translations, remove_translations)]
