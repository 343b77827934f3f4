from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from assets.forms import SideBySide
from assets.models import Asset, Collection, content_languages
from guidelines.models import Guideline, parse_swatches


class DontExampleField(forms.ModelMultipleChoiceField):
    """Each choice shows its thumbnail, title and status, so marketing sees what it picks."""

    def label_from_instance(self, asset: Asset) -> str:
        thumbnail = asset.preview_url("thumbnail")
        picture = (
            format_html('<img src="{}" alt="" width="80" height="60">', thumbnail)
            if thumbnail
            else format_html('<span class="thumb-pending">{}</span>', _("Preview being made"))
        )
        return format_html(
            '{} {} <span class="meta">{}</span>', picture, asset.title, asset.get_status_display()
        )


def _body_field() -> forms.CharField:
    return forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Markdown: ## for a heading, - for a list, [text](link). HTML is shown as text."
        ),
    )


class GuidelineForm(SideBySide, forms.Form):
    translated_model = Guideline
    swatches = forms.CharField(
        label=_("Colours"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One colour a line: name | HEX | C M Y K | Pantone (optional), for example "
            "“Sky | #1A4FD8 | 90 65 0 0 | Pantone 2728 C”. RGB is worked out from HEX."
        ),
    )
    dont_examples = DontExampleField(
        Asset.objects.none(),
        label=_("“Don't” examples"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "dont-choices"}),
        help_text=_(
            "The collection's drafts: a published asset is offered to employees, so it "
            "cannot also show what not to do. Keep an example as a draft."
        ),
    )

    def __init__(self, *args, collection: Collection, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The guidelines in each language, side by side before the colours: body_en, body_de, …
        bodies = [f"body_{code}" for code, _ in content_languages()]
        self.fields.update({name: _body_field() for name in bodies})
        self.order_fields(bodies)
        self.fields["dont_examples"].queryset = Asset.objects.filter(
            collection=collection, status=Asset.Status.DRAFT
        ).prefetch_related("renditions")

    @classmethod
    def initial_for(cls, guideline: Guideline | None) -> dict:
        if guideline is None:
            return {}
        return {
            **{
                f"body_{code}": getattr(guideline, f"body_{code}")
                for code, _ in content_languages()
            },
            "swatches": "\n".join(swatch.as_line() for swatch in guideline.swatch_list()),
            "dont_examples": list(guideline.dont_examples.all()),
        }

    def bodies(self) -> dict[str, str]:
        """The guidelines' text by language, from the cleaned form."""
        return {code: self.cleaned_data[f"body_{code}"] for code, _ in content_languages()}

    def clean_swatches(self) -> list:
        return parse_swatches(self.cleaned_data["swatches"])
