from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0004_rendition_display"),
        ("assets", "0005_merge_frame_kind_and_versions"),
    ]

    operations = []
