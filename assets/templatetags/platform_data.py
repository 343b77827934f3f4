from django import template

from assets.renditions.translated import platform_text

register = template.Library()

# A preset's platforms, name and advice in the reader's language: {{ preset.slot|platform_text }}.
register.filter("platform_text", platform_text)
