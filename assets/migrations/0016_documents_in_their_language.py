from django.db import migrations

from assets.search import asset_document, documents_write

# The English document (0008) keeps its English words; these gain their own.
LANGUAGES = ("de", "fr")


def write_documents(apps, schema_editor) -> None:
    """The German and French documents again, with the kind and the platform and slot words
    in their language as well as in English."""
    Asset = apps.get_model("assets", "Asset")
    using = schema_editor.connection.alias
    assets = list(
        Asset.objects.using(using).select_related("collection").prefetch_related("tags")
    )
    for language in LANGUAGES:
        rows = [(asset.pk, asset_document(asset, language)) for asset in assets]
        documents_write(rows, using=using, language=language)


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0015_sizes_kept_with_versions"),
    ]

    operations = [
        migrations.RunPython(write_documents, migrations.RunPython.noop),
    ]
