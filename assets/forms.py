from django import forms
from django.db.models import QuerySet
from django.utils.text import slugify

from assets.intake.validation import ImageRefused, check_frame
from assets.models import Asset, Collection, Tag
from assets.renditions.presets import platform_presets

# What the file chooser offers; the validator decides from the bytes, not from this.
ACCEPT = ".jpg,.jpeg,.png,.webp,.heic,.heif,.avif,.tif,.tiff,.svg,.svgz"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": ACCEPT})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleImageField, self).clean(file, initial) for file in files if file]


class UploadForm(forms.Form):
    # Empty files reach the validator, which names them in its refusal.
    files = MultipleImageField(
        label="Images",
        help_text="JPEG, PNG, WebP, HEIC, AVIF, TIFF or SVG. Choose one or many.",
        allow_empty_file=True,
    )
    collection = forms.ModelChoiceField(
        Collection.objects.all(), required=False, empty_label="No collection"
    )
    kind = forms.ChoiceField(
        choices=[("", "Guess from each file"), *Asset.Kind.choices],
        required=False,
        help_text="A default only: each file's kind can be changed in the results.",
    )
    publish = forms.BooleanField(
        required=False, help_text="Publish straight away instead of saving as drafts."
    )


class NewVersionForm(forms.Form):
    # Empty files reach the validator, which names them in its refusal.
    file = forms.FileField(
        label="New version",
        help_text="JPEG, PNG, WebP, HEIC, AVIF, TIFF or SVG. The page, its link, tags and "
        "counts stay; the current file is kept in the version history.",
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


def _box(box: object) -> dict[str, float]:
    """A box drawn on the picture, checked: x, y, w, h fractions inside it."""
    try:
        x, y, w, h = (float(box[key]) for key in "xywh")
    except (KeyError, TypeError, ValueError):
        raise forms.ValidationError("A box needs x, y, w and h.") from None
    if not (0 <= x and 0 <= y and 0 < w and 0 < h and x + w <= 1.0001 and y + h <= 1.0001):
        raise forms.ValidationError("A box must lie inside the picture.")
    return {"x": round(x, 4), "y": round(y, 4), "w": round(w, 4), "h": round(h, 4)}


class KindForm(forms.Form):
    kind = forms.ChoiceField(choices=Asset.Kind.choices)


class AssetForm(forms.ModelForm):
    tag_names = forms.CharField(
        label="Tags", required=False, help_text="Separated by commas, for example: logo, dark"
    )
    # A bare "campaign.example.com" is taken as https, the default Django 6 moves to.
    signature_link = Asset._meta.get_field("signature_link").formfield(assume_scheme="https")

    class Meta:
        model = Asset
        fields = [
            "title",
            "description",
            "usage_notes",
            "collection",
            "kind",
            "available_until",
            "focal_x",
            "focal_y",
            "background",
            "ring_text",
            "text_box",
            "text_area",
            "text_align",
            "text_max_lines",
            "text_colour",
            "text_light_colour",
            "text_dark_colour",
            "signature_public",
            "signature_link",
            "crop_overrides",
            "keep_box",
        ]
        widgets = {
            # Set by dragging a box on the picture (static/js/focal-point.js).
            "crop_overrides": forms.HiddenInput(),
            "keep_box": forms.HiddenInput(),
            "text_box": forms.HiddenInput(),
            "available_until": forms.DateInput(attrs={"type": "date"}),
            # Set by a click or the arrow keys on the picture (static/js/focal-point.js).
            "focal_x": forms.HiddenInput(),
            "focal_y": forms.HiddenInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "usage_notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "focal_x": "Focal point, across",
            "focal_y": "Focal point, down",
            "ring_text": "Ring text",
            "text_area": "Employees' own text: lines sit at the",
            "text_align": "Lines are aligned to the",
            "text_max_lines": "Lines at most",
            "text_colour": "Colour of employees' own text",
            "text_light_colour": "The brand's light colour",
            "text_dark_colour": "The brand's dark colour",
        }

    # A form or script that does not send these keeps what the asset has.
    KEPT_WHEN_MISSING = (
        "text_area",
        "text_align",
        "text_max_lines",
        "text_light_colour",
        "text_dark_colour",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.KEPT_WHEN_MISSING:
            self.fields[name].required = False
        self.fields["collection"].empty_label = "No collection"
        if self.instance.pk:
            self.initial["tag_names"] = ", ".join(tag.name for tag in self.instance.tags.all())

    def clean(self) -> dict:
        data = super().clean()
        for name in self.KEPT_WHEN_MISSING:
            if data.get(name) in ("", None) and name not in self.errors:
                data[name] = getattr(self.instance, name)
        if data.get("kind") == Asset.Kind.FRAME and self.instance.pk:
            with self.instance.original.open("rb") as original:
                try:
                    check_frame(original)
                except ImageRefused as refusal:
                    self.add_error("kind", str(refusal)[:1].upper() + str(refusal)[1:] + ".")
        return data

    def clean_crop_overrides(self) -> dict[str, dict[str, float]]:
        """Per size, a box inside the picture: x, y, w, h as fractions."""
        value = self.cleaned_data["crop_overrides"] or {}
        slugs = {preset.slug for preset in platform_presets()}
        if not isinstance(value, dict) or not set(value) <= slugs:
            raise forms.ValidationError("Crop boxes must name platform sizes.")
        return {slug: _box(box) for slug, box in value.items()}

    def clean_keep_box(self) -> dict[str, float] | None:
        """The part of an illustration no crop may cut, or None."""
        value = self.cleaned_data["keep_box"]
        if not value:
            return None
        return _box(value)

    def clean_text_box(self) -> dict[str, float] | None:
        """Where employees' own text goes, or None for each size's safe zone."""
        value = self.cleaned_data["text_box"]
        if not value:
            return None
        return _box(value)

    def clean_tag_names(self) -> list[str]:
        names = {name.strip()[:60] for name in self.cleaned_data["tag_names"].split(",")}
        return sorted(name for name in names if slugify(name))

    def save(self) -> Asset:
        asset = super().save()
        asset.tags.set(
            Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
            for name in self.cleaned_data["tag_names"]
        )
        return asset


class AssetFilterForm(forms.Form):
    """The browse filters employees and marketing share; every field is optional."""

    q = forms.CharField(label="Search", required=False, max_length=100)
    collection = forms.ModelChoiceField(
        Collection.objects.all(), required=False, to_field_name="slug", empty_label="All"
    )
    tag = forms.ModelChoiceField(
        Tag.objects.all(), required=False, to_field_name="slug", empty_label="All"
    )
    kind = forms.ChoiceField(choices=[("", "All"), *Asset.Kind.choices], required=False)

    def __init__(self, *args, visible: "QuerySet[Asset] | None", **kwargs) -> None:
        """`visible` is the artwork the viewer may see; None lists every name (marketing)."""
        super().__init__(*args, **kwargs)
        if visible is None:
            return
        # Only names that appear on artwork the viewer may see: a tag or collection
        # used only on drafts can be an embargoed project's name.
        shown = visible.values("pk")
        self.fields["collection"].queryset = Collection.objects.filter(assets__in=shown).distinct()
        self.fields["tag"].queryset = Tag.objects.filter(assets__in=shown).distinct()

    def filter(self, assets):
        if not self.is_valid():
            return assets
        data = self.cleaned_data
        if data["q"]:
            assets = assets.search(data["q"])
        if data["collection"]:
            assets = assets.filter(collection=data["collection"])
        if data["tag"]:
            assets = assets.filter(tags=data["tag"])
        if data["kind"]:
            assets = assets.filter(kind=data["kind"])
        return assets
