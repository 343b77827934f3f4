"""Django's makemessages, which also adds the phrases of the platform data to the catalogues.

xgettext reads code and templates, not JSON, so the phrases of ``platforms.json`` and
``presets.json`` (``platforms.texts()``) are appended to the template catalogue before it is
merged into each language's: they are translated in the .po files like any string, and
tests/portal/test_catalogues.py fails while one is missing or untranslated.
"""

import json
import os

from django.core.management.commands import makemessages

from assets.renditions.platforms import texts
from assets.renditions.translated import CONTEXT


def pot_entry(text: str, note: str) -> str:
    # JSON's string escapes (\" \\ \n) are the PO file's too.
    quoted = json.dumps(text, ensure_ascii=False)
    return f'\n#. {note}\nmsgctxt "{CONTEXT}"\nmsgid {quoted}\nmsgstr ""\n'


class Command(makemessages.Command):
    help = f"{makemessages.Command.help} Adds the phrases of assets/renditions/*.json."

    def process_files(self, file_list) -> None:
        super().process_files(file_list)
        if self.domain == "django":
            # Appended to the catalogue the code's strings went to; msguniq, which runs next,
            # merges a phrase that two slots share.
            potfile = os.path.join(self.default_locale_path, "django.pot")
            makemessages.write_pot_file(potfile, "".join(pot_entry(*entry) for entry in texts()))
