from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0003_asset_frame_kind_personal_tools"),
        ("assets", "0004_asset_versions"),
    ]

    operations = []
