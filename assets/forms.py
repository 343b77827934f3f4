from django import forms
from django.utils.text import slugify

from assets.models import Asset, Collection, Tag
from assets.validation import ImageRefused, check_frame


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp,.svg"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleImageField, self).clean(file, initial) for file in files if file]


class UploadForm(forms.Form):
    # Empty files reach the validator, which names them in its refusal.
    files = MultipleImageField(
        label="Images",
        help_text="JPEG, PNG, WebP or SVG. Choose one or many.",
        allow_empty_file=True,
    )
    collection = forms.ModelChoiceField(Collection.objects.all(), required=False)
    kind = forms.ChoiceField(choices=Asset.Kind.choices, initial=Asset.Kind.PHOTO)
    publish = forms.BooleanField(
        required=False, help_text="Publish straight away instead of saving as drafts."
    )


class AssetForm(forms.ModelForm):
    tag_names = forms.CharField(
        label="Tags", required=False, help_text="Separated by commas, for example: logo, dark"
    )

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
            "text_area",
            "text_colour",
            "signature_public",
        ]
        widgets = {
            "available_until": forms.DateInput(attrs={"type": "date"}),
            "focal_x": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
            "focal_y": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "usage_notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "focal_x": "Focal point, across (0–1)",
            "focal_y": "Focal point, down (0–1)",
            "ring_text": "Ring text",
            "text_area": "Where employees' own text goes",
            "text_colour": "Colour of employees' own text",
            "signature_public": "Email-signature banner is public",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Optional like the other presentation fields: left out, it keeps the default.
        self.fields["text_area"].required = False
        if self.instance.pk:
            self.initial["tag_names"] = ", ".join(tag.name for tag in self.instance.tags.all())

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == Asset.Kind.FRAME and self.instance.pk:
            with self.instance.original.open("rb") as original:
                try:
                    check_frame(original)
                except ImageRefused as refusal:
                    self.add_error("kind", str(refusal)[:1].upper() + str(refusal)[1:] + ".")
        return data

    def clean_text_area(self) -> str:
        return self.cleaned_data["text_area"] or Asset.TextArea.BOTTOM

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
