from django.db import migrations

from assets.search import documents_rewrite

# The English document (0008) keeps its English words; these gain their own.
LANGUAGES = ("de", "fr")


def write_documents(apps, schema_editor) -> None:
    """The German and French documents again, with the kind and the platform and slot words
    in their language as well as in English."""
    Asset = apps.get_model("assets", "Asset")
    documents_rewrite(Asset.objects.using(schema_editor.connection.alias), languages=LANGUAGES)


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0015_sizes_kept_with_versions"),
    ]

    operations = [
        migrations.RunPython(write_documents, migrations.RunPython.noop),
    ]
