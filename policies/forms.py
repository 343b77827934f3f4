from django import forms
from django.utils.translation import gettext_lazy as _

from assets.forms import SideBySide, language_fields
from assets.models import Asset
from policies.models import Announcement, PolicyPage


class PolicyPageForm(SideBySide, forms.ModelForm):
    class Meta:
        model = PolicyPage
        fields = language_fields("title", "body")
        widgets = {name: forms.Textarea(attrs={"rows": 24}) for name in language_fields("body")}
        labels = {"title": _("Title"), "body": _("Text")}


class AnnouncementForm(SideBySide, forms.ModelForm):
    class Meta:
        model = Announcement
        fields = [*language_fields("title", "text"), "collection", "asset"]
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in language_fields("text")}
        labels = {
            "title": _("Title"),
            "text": _("Text"),
            "collection": _("Collection"),
            "asset": _("Artwork"),
        }
        help_texts = {"collection": _("Name a collection or one asset, not both.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Staff could not open a link to a draft or archived asset.
        if "asset" in self.fields:  # the admin leaves it out once published
            self.fields["asset"].queryset = Asset.objects.published()

    def clean(self) -> dict:
        # The model's constraints say what to choose (one target, announced once).
        data = super().clean()
        published = Announcement.objects.filter(pk=self.instance.pk, published_at__isnull=False)
        if self.instance.pk and published.exists():
            raise forms.ValidationError(
                _("It was published while you were editing: it stays as it was sent.")
            )
        return data


class PublishForm(forms.Form):
    email = forms.BooleanField(required=False, label=_("Also send it once by email"))
    publish_anyway = forms.BooleanField(required=False, label=_("Publish anyway"))

    def __init__(self, *args, warned: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.warned = warned

    def clean(self) -> dict:
        # The warning never blocks, but it must have been read: one explicit tick.
        data = super().clean()
        if self.warned and not data.get("publish_anyway"):
            raise forms.ValidationError(
                _(
                    "Not published: this announcement may read as pressure. Change the marked "
                    "words, or tick “Publish anyway” if you are sure."
                )
            )
        return data
