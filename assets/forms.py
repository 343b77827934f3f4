import math
from dataclasses import dataclass

from django import forms
from django.db import connections
from django.db.models import Exists, OuterRef, QuerySet, Value
from django.forms.boundfield import BoundField
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import translator

from assets.intake.validation import ImageRefused, check_frame
from assets.models import REVIEW_NONE, Asset, Collection, Review, Tag, content_languages
from assets.renditions.platforms import load_platforms
from assets.renditions.presets import platform_presets
from assets.renditions.translated import platform_text
from assets.search import INDEX_FIRST_SQL, Search, platform_kinds, search_for

# What the file chooser offers; the validator decides from the bytes, not from this.
ACCEPT = ".jpg,.jpeg,.png,.webp,.heic,.heif,.avif,.tif,.tiff,.svg,.svgz"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": ACCEPT})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleImageField, self).clean(file, initial) for file in files if file]


class CollectionChoiceField(forms.ModelChoiceField):
    """Names the collections that require review, so marketing knows before choosing one."""

    def label_from_instance(self, collection: Collection) -> str:
        if collection.requires_review:
            return _("%(name)s (requires review)") % {"name": collection.name}
        return collection.name


class UploadForm(forms.Form):
    # Empty files reach the validator, which names them in its refusal.
    files = MultipleImageField(
        label=_("Images"),
        help_text=_("JPEG, PNG, WebP, HEIC, AVIF, TIFF or SVG. Choose one or many."),
        allow_empty_file=True,
    )
    collection = CollectionChoiceField(
        Collection.objects.all(),
        label=_("Collection"),
        required=False,
        empty_label=_("No collection"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Guess from each file")), *Asset.Kind.choices],
        required=False,
        help_text=_("A default only: each file's kind can be changed in the results."),
    )
    publish = forms.BooleanField(
        label=_("Publish"),
        required=False,
        help_text=_("Publish straight away instead of saving as drafts."),
    )


class NewVersionForm(forms.Form):
    # Empty files reach the validator, which names them in its refusal.
    file = forms.FileField(
        label=_("New version"),
        help_text=_(
            "JPEG, PNG, WebP, HEIC, AVIF, TIFF or SVG. The page, its link, tags and "
            "counts stay; the current file is kept in the version history."
        ),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=300,
        required=False,
        help_text=_("What changed, e.g. “new tagline”. Shown to marketing only."),
    )


class VersionNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


def _box(box: object) -> dict[str, float]:
    """A box drawn on the picture, checked: x, y, w, h fractions inside it."""
    try:
        x, y, w, h = (float(box[key]) for key in "xywh")
    except (KeyError, TypeError, ValueError):
        raise forms.ValidationError(_("A box needs x, y, w and h.")) from None
    if not (0 <= x and 0 <= y and 0 < w and 0 < h and x + w <= 1.0001 and y + h <= 1.0001):
        raise forms.ValidationError(_("A box must lie inside the picture."))
    return {"x": round(x, 4), "y": round(y, 4), "w": round(w, 4), "h": round(h, 4)}


class KindForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Asset.Kind.choices)


def language_fields(*names: str) -> list[str]:
    """Each field once per language, the default language first: title_en, title_de, …"""
    return [f"{name}_{code}" for name in names for code, _ in content_languages()]


@dataclass(frozen=True)
class LanguageRow:
    """One text in every language, edited side by side (templates/snippets/form_rows.html)."""

    label: str
    columns: list[tuple[str, BoundField]]  # (language name, field)


class SideBySide:
    """A form mixin whose ``rows()`` put a translated field's languages in one row: the fields
    of ``translated_model`` (a ModelForm's own model by default) named field_<language>."""

    translated_model = None

    def rows(self) -> list[BoundField | LanguageRow]:
        model = self.translated_model or self._meta.model
        translated = translator.get_options_for_model(model).all_fields
        names = dict(content_languages())
        # A ModelForm's labels name the text (Meta.labels["title"]), else the model's field does.
        labels = getattr(getattr(self, "_meta", None), "labels", None) or {}
        rows: list[BoundField | LanguageRow] = []
        by_name: dict[str, LanguageRow] = {}
        for field in self:
            base, _, code = field.name.rpartition("_")
            if base not in translated or code not in names:
                rows.append(field)
                continue
            if base not in by_name:
                label = labels.get(base) or capfirst(model._meta.get_field(base).verbose_name)
                by_name[base] = LanguageRow(label, [])
                rows.append(by_name[base])
            # The browser checks spelling and hyphenates in the column's language.
            field.field.widget.attrs["lang"] = code
            by_name[base].columns.append((names[code], field))
        return rows


class AssetForm(SideBySide, forms.ModelForm):
    tag_names = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separated by commas, for example: logo, dark")
    )
    # A bare "campaign.example.com" is taken as https, the default Django 6 moves to.
    signature_link = Asset._meta.get_field("signature_link").formfield(assume_scheme="https")
    allowed_uses = forms.MultipleChoiceField(
        label=_("Allowed uses"),
        choices=Asset.Use.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Asset
        fields = [
            *language_fields("title", "description", "usage_notes", "alt_text"),
            "collection",
            "kind",
            "credit_photographer",
            "credit_agency",
            "licence",
            "allowed_uses",
            "not_before",
            "available_until",
            "focal_x",
            "focal_y",
            "background",
            *language_fields("ring_text"),
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
        field_classes = {"collection": CollectionChoiceField}
        widgets = {
            # Set by dragging a box on the picture (static/js/focal-point.js).
            "crop_overrides": forms.HiddenInput(),
            "keep_box": forms.HiddenInput(),
            "text_box": forms.HiddenInput(),
            "not_before": forms.DateInput(attrs={"type": "date"}),
            "available_until": forms.DateInput(attrs={"type": "date"}),
            # Set by a click or the arrow keys on the picture (static/js/focal-point.js).
            "focal_x": forms.HiddenInput(),
            "focal_y": forms.HiddenInput(),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in language_fields("description", "usage_notes")
            },
        }
        labels = {
            "title": _("Title"),
            "description": _("Description"),
            "usage_notes": _("Usage notes"),
            "collection": _("Collection"),
            "kind": _("Kind"),
            "available_until": _("Available until"),
            "background": _("Background"),
            "focal_x": _("Focal point, across"),
            "focal_y": _("Focal point, down"),
            "ring_text": _("Ring text"),
            "text_area": _("Employees' own text: lines sit at the"),
            "text_align": _("Lines are aligned to the"),
            "text_max_lines": _("Lines at most"),
            "text_colour": _("Colour of employees' own text"),
            "text_light_colour": _("The brand's light colour"),
            "text_dark_colour": _("The brand's dark colour"),
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
        self.fields["collection"].empty_label = _("No collection")
        if self.instance.is_published:
            self.fields["collection"].help_text = _(
                "Moved into a collection that requires review, this published artwork becomes "
                "a draft until a brand lead approves its current version."
            )
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
        not_before, until = data.get("not_before"), data.get("available_until")
        if not_before and until and until < not_before:
            self.add_error("available_until", _("“Usable until” comes before the embargo ends."))
        return data

    def clean_crop_overrides(self) -> dict[str, dict[str, float]]:
        """Per size, a box inside the picture: x, y, w, h as fractions."""
        value = self.cleaned_data["crop_overrides"] or {}
        slugs = {preset.slug for preset in platform_presets()}
        if not isinstance(value, dict) or not set(value) <= slugs:
            raise forms.ValidationError(_("Crop boxes must name platform sizes."))
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


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    options: list[FacetOption]


@dataclass(frozen=True)
class Counted:
    """A listing page's facets, how many assets pass its filters, and its page: the page's
    number and the ids on it."""

    facets: list[Facet]
    total: int
    number: int
    ids: list[int]


def _page_number(page: str | None) -> int:
    """A page number as asked for; the first page for anything that is not one."""
    try:
        return max(int(page or 1), 1)
    except ValueError:
        return 1


class AssetFilterForm(forms.Form):
    """The browse filters employees and marketing share; every field is optional.

    Each filter is also a facet: its options carry how many assets each would show with the
    other filters (and the search) as they are, so combining them never leads to nothing.
    """

    TAGS_SHOWN = 30
    # The filters that are columns of the asset's row, and that column.
    ROW_FACETS = {
        "collection": "collection_id",
        "kind": "kind",
        "platform": "kind",
        "orientation": "orientation",
        "status": "status",
        "review": "review_now",
    }

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    collection = forms.ModelChoiceField(
        Collection.objects.all(), label=_("Collection"), required=False, to_field_name="slug"
    )
    tag = forms.ModelChoiceField(
        Tag.objects.all(), label=_("Tag"), required=False, to_field_name="slug"
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Asset.Kind.choices, required=False)
    platform = forms.ChoiceField(label=_("Platform"), required=False)
    orientation = forms.ChoiceField(
        label=_("Orientation"), choices=Asset.Orientation.choices, required=False
    )
    # Marketing's library only (its assets come with_review_state).
    status = forms.ChoiceField(label=_("Status"), choices=Asset.Status.choices, required=False)
    review = forms.ChoiceField(
        label=_("Review"),
        choices=[(REVIEW_NONE, _("Not submitted")), *Review.Action.choices],
        required=False,
    )

    def __init__(
        self, *args, assets: QuerySet[Asset], names_from_assets: bool, with_status: bool, **kwargs
    ) -> None:
        """``assets`` is what the page lists before filters; with ``names_from_assets`` only
        the collections and tags on those are accepted (employees: a name used only on drafts
        can be an embargoed project's)."""
        super().__init__(*args, **kwargs)
        self.assets = assets
        # The platforms' names only: platforms_translated() translates every slot's steps too.
        self.fields["platform"].choices = [
            (p.slug, platform_text(p.name)) for p in load_platforms()
        ]
        if not with_status:
            del self.fields["status"], self.fields["review"]
        if names_from_assets:
            shown = assets.values("pk")
            self.fields["collection"].queryset = Collection.objects.filter(
                assets__in=shown
            ).distinct()
            self.fields["tag"].queryset = Tag.objects.filter(assets__in=shown).distinct()
        self._search: Search | None = None
        if self.is_valid() and self.cleaned_data["q"].strip():
            self._search = search_for(self.cleaned_data["q"], within=assets)

    def results(self, ids: list[int]) -> QuerySet[Asset]:
        """The assets of ``ids`` (a page ``counted`` found), a search's with its matched words
        marked; unordered, as the ids hold the page's order already."""
        assets = self.assets.filter(pk__in=ids)
        return self._search.marked(assets) if self._search else assets

    def counted(self, *, order_by: tuple[str, ...], page: str | None, per_page: int) -> Counted:
        """Each filter with its options and counts, how many assets the filters let through,
        and the ids on page ``page`` of those (best match first when searching, else in
        ``order_by``; the last page when ``page`` is past it). A filter that is not valid is
        left out.

        One statement reads the assets that match the search once, and counts everything
        from that set: the row's filters once per combination of their values (under the
        tag), each tag (under the row's filters), and the page. Three queries had each
        matched the search again, 13-17 ms each where most of the library matches. Each
        facet then adds up the combinations the other filters let through.
        """
        matches = self._search.ranked(self.assets) if self._search else self.assets
        order = [*matches.query.order_by] if self._search else [*order_by]
        tag = self.cleaned_data.get("tag")
        tagged = Exists(Asset.tags.through.objects.filter(asset=OuterRef("pk"), tag=tag))
        matches = matches.annotate(tagged=tagged if tag else Value(True))
        number = _page_number(page)
        combos, tag_counts, ids = self._read_once(matches, order, number, per_page)
        chosen = [name for name in self.ROW_FACETS if self._chosen(name)]
        total = sum(count for _, count in self._passing(combos, chosen))
        if not ids and number > 1:
            # Past the last page (a link kept from a longer list): the last page instead.
            number = max(math.ceil(total / per_page), 1)
            ids = self._read_once(matches, order, number, per_page)[2] if total else []
        collections = {
            pk: (slug, name)
            for pk, slug, name in Collection.objects.filter(
                pk__in={values["collection_id"] for values, _ in combos}
            ).values_list("pk", "slug", "name")
        }
        facets = []
        for name, column in self.ROW_FACETS.items():
            if name not in self.fields:
                continue
            per_value: dict[tuple, int] = {}
            others = [other for other in chosen if other != name]
            for values, count in self._passing(combos, others):
                key = (values[column],)
                if name == "collection":
                    key = collections.get(values[column], ("", ""))
                per_value[key] = per_value.get(key, 0) + count
            facets.append(self._facet(name, [(*key, count) for key, count in per_value.items()]))
        names = Tag.objects.filter(pk__in=self._tags_that_may_show(tag_counts))
        tags = [
            (slug, name, tag_counts[pk])
            for pk, slug, name in names.values_list("pk", "slug", "name")
        ]
        facets.insert(1, self._facet("tag", tags))
        return Counted(facets, total, number, ids)

    def _passing(self, combos: list[tuple[dict, int]], names: list[str]) -> list[tuple[dict, int]]:
        """The combinations that the filters ``names`` let through, as chosen."""
        # Only a chosen filter holds a combination back (hundreds of them, five facets each),
        # and mostly none is chosen: then nothing is asked of each.
        if not names:
            return combos
        return [
            (values, count)
            for values, count in combos
            if all(self._lets_through(values, name) for name in names)
        ]

    def _tags_that_may_show(self, tag_counts: dict[int, int]) -> list[int]:
        """The ids of the tags the facet may show: each used at least as often as the
        TAGS_SHOWN-th most used (ties there go by name, so all of them), and the chosen one.
        Fetching the names of the other hundreds cost a millisecond."""
        counts = sorted(tag_counts.values(), reverse=True)
        least = counts[self.TAGS_SHOWN - 1] if len(counts) >= self.TAGS_SHOWN else 0
        shown = [pk for pk, count in tag_counts.items() if count >= least]
        chosen = self.cleaned_data.get("tag")
        if chosen and chosen.pk in tag_counts and tag_counts[chosen.pk] < least:
            shown.append(chosen.pk)
        return shown

    def _read_once(
        self, matches: QuerySet[Asset], order: list[str], number: int, per_page: int
    ) -> tuple[list[tuple[dict, int]], dict[int, int], list[int]]:
        """In one statement: the combinations of the row's columns among ``matches`` that
        have the chosen tag, with their counts; each tag's count under the chosen row
        filters; the ids of page ``number`` of those passing every filter, in ``order``.

        The SQL is made of this form's column names and the query's own; every value goes in
        as a parameter.
        """
        if matches.query.is_empty():
            return [], {}, []  # a search of nothing but "or" or "-"
        connection = connections[matches.db]
        quote = connection.ops.quote_name
        columns = [column for name, column in self.ROW_FACETS.items() if name in self.fields]
        columns = list(dict.fromkeys(columns))
        names = dict.fromkeys(["pk", *columns, "tagged", *(n.lstrip("-") for n in order)])
        sql, params = matches.order_by().values(*names).query.sql_with_params()
        filters, filter_params = ["1 = 1"], []
        for name, column in self.ROW_FACETS.items():
            if value := self._row_value(name):
                values = platform_kinds(value) if name == "platform" else (value,)
                marks = ", ".join(["%s"] * len(values)) or "NULL"
                filters.append(f"m.{quote(column)} IN ({marks})")
                filter_params += values
        where = " AND ".join(filters)
        row = [f"m.{quote(column)}" for column in columns]
        ordering = ", ".join(
            f"m.{quote(name.lstrip('-'))} {'DESC' if name.startswith('-') else 'ASC'}"
            for name in order
        )
        values = ", ".join(row)
        # The page's part names no row column but its id: an unused one is not worked out for
        # the rows a deep page skips (the library's review state, 4,800 of them at page 200).
        nulls = ", ".join(["NULL"] * len(row[1:]))
        # Three parts, told apart by their first column and as wide as the row's columns:
        # the combinations, the tags, the page. A search's matches are read once and kept
        # (matching again cost 10-20 ms a part); the other pages' rows are read from the facet
        # index by each part, which is faster than keeping them (11 against 18 ms at home). Only
        # PostgreSQL is told: older SQLite knows neither word.
        hint = ""
        if connection.vendor == "postgresql":
            hint = "MATERIALIZED " if self._search else "NOT MATERIALIZED "
        statement = (
            f"WITH m AS {hint}({sql}) "  # noqa: S608 (names only; values are parameters)
            f"SELECT 0, {values}, COUNT(*) FROM m WHERE m.tagged GROUP BY {values} "
            f"UNION ALL SELECT 1, t.tag_id, {nulls}, COUNT(*) "
            f"FROM {quote(Asset.tags.through._meta.db_table)} t INNER JOIN m ON m.pk = t.asset_id "
            f"WHERE {where} GROUP BY t.tag_id "
            f"UNION ALL SELECT * FROM (SELECT 2, m.pk, {nulls}, 0 FROM m "
            f"WHERE m.tagged AND {where} ORDER BY {ordering} LIMIT %s OFFSET %s) AS page"
        )
        offset = (number - 1) * per_page
        # A search's matches are asked of the GIN index (see assets.search.index_first).
        index_first = bool(self._search) and connection.vendor == "postgresql"
        if index_first:
            statement = INDEX_FIRST_SQL + statement
        with connection.cursor() as cursor:
            cursor.execute(statement, [*params, *filter_params, *filter_params, per_page, offset])
            if index_first:
                cursor.nextset()  # past set_config's row
            rows = cursor.fetchall()
        combos = [(dict(zip(columns, r[1:-1], strict=True)), r[-1]) for r in rows if r[0] == 0]
        tag_counts = {r[1]: r[-1] for r in rows if r[0] == 1}
        return combos, tag_counts, [r[1] for r in rows if r[0] == 2]

    def _chosen(self, name: str) -> str:
        value = self.cleaned_data.get(name)
        return getattr(value, "slug", value) or ""

    def _row_value(self, name: str) -> str | int:
        """The chosen value as the row holds it (a collection's id, not its slug)."""
        if name == "collection" and (collection := self.cleaned_data.get("collection")):
            return collection.pk
        return self._chosen(name)

    def _lets_through(self, values: dict, name: str) -> bool:
        """Whether a combination of row values passes the filter ``name`` as chosen."""
        chosen = self._row_value(name)
        if not chosen:
            return True
        if name == "platform":
            return values["kind"] in platform_kinds(chosen)
        return values[self.ROW_FACETS[name]] == chosen

    def _facet(self, name: str, rows: list[tuple]) -> Facet:
        return Facet(name, self.fields[name].label or name.title(), self._options(name, rows))

    def _options(self, name: str, rows: list[tuple]) -> list[FacetOption]:
        """The facet's options from its count rows: choices in their order, names by name,
        tags by use (the most used only); the chosen one always."""
        chosen = self.cleaned_data.get(name)
        label = str(chosen) if isinstance(chosen, Collection | Tag) else ""
        chosen = getattr(chosen, "slug", chosen) or ""
        if name in ("collection", "tag"):
            counted = sorted((row for row in rows if row[0]), key=lambda row: row[1].lower())
            if name == "tag":
                counted.sort(key=lambda row: -row[2])
                counted = counted[: self.TAGS_SHOWN] + [
                    row for row in counted[self.TAGS_SHOWN :] if row[0] == chosen
                ]
        else:
            choices = self.fields[name].choices
            found = dict(rows)
            if name == "platform":
                # A platform counts the kinds of artwork made into its sizes.
                found = {
                    slug: sum(found.get(k, 0) for k in platform_kinds(slug)) for slug, _ in choices
                }
            counted = [(value, text, found.get(value, 0)) for value, text in choices]
            label = dict(choices).get(chosen, "")
        options = [
            FacetOption(v, text, n, v == chosen) for v, text, n in counted if n or v == chosen
        ]
        if chosen and not any(option.selected for option in options):
            # Asked for and matching nothing here: still shown, so it can be cleared.
            options.append(FacetOption(chosen, label, 0, True))
        return options
