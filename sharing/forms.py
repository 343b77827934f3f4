from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from assets.models import Asset, Collection
from sharing.models import DEFAULT_DAYS, MAX_DAYS


class ShareLinkForm(forms.Form):
    name = forms.CharField(
        label=_("Who it is for"),
        max_length=120,
        help_text=_("Shown to marketing only, e.g. “Nordlys agency, spring”."),
    )
    collection = forms.ModelChoiceField(
        label=_("A whole collection"),
        queryset=Collection.objects.all(),
        required=False,
        empty_label=_("No collection: the artwork chosen below"),
        help_text=_("What is published in it when the link is opened, drafts never."),
    )
    assets = forms.ModelMultipleChoiceField(
        label=_("Or chosen artwork"),
        queryset=Asset.objects.published().order_by("title"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.IntegerField(
        label=_("Days until it ends"),
        min_value=1,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        help_text=format_lazy(
            _("At most {days} days; you can end it sooner at any time."), days=MAX_DAYS
        ),
    )
    password = forms.CharField(
        label=_("Password (optional)"),
        required=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Tell it to them another way than the link."),
    )
    include_sizes = forms.BooleanField(label=_("Platform sizes"), required=False, initial=True)
    include_originals = forms.BooleanField(label=_("Original files"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("collection")) == bool(data.get("assets")):
            raise forms.ValidationError(_("Choose a collection or some artwork, not both."))
        if not (data.get("include_sizes") or data.get("include_originals")):
            raise forms.ValidationError(_("Choose which files it gives: sizes, originals or both."))
        return data


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Password"), max_length=128, widget=forms.PasswordInput(render_value=False)
    )
