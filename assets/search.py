"""Full-text search: one weighted document per asset, ranked matches, close words for typos.

The document has four parts by weight: A the title; B the tags, the kind and the platform and
slot words of the sizes the asset is made into ("linkedin banner", "teams background"); C the
description and usage notes; D the collection's name. Python writes it whenever one of those
changes (the receivers below): a tag or a collection lives in another table, which neither a
generated column nor a trigger on the asset's row sees, and the platform words are data in
platforms.json, not in the database.

PostgreSQL keeps it in ``Asset.search_document`` (a tsvector with a GIN index), once per text
search configuration of the language; queries take ``websearch_to_tsquery`` syntax and rank by
``ts_rank`` (``ts_rank_cd`` took three times as long where 7,500 assets match). SQLite, the
embedded default, keeps it in the FTS5 table ``assets_search`` (porter stemmer, prefix index)
ranked by bm25. Both fall back to prefixes and close words from ``SearchTerm`` (pg_trgm
similarity; difflib on SQLite) when the words as typed find little.

Languages: each language of ``settings.LANGUAGES`` has a document of its own, made of that
language's text where there is some and the English text where there is none (an asset without
a German title is still found in German by its English one). ``CONFIGS`` names the language's
text search configurations, ``document_field`` and ``fts5_table`` where its document lives; a
query runs in the reader's language only. SQLite has no German or French stemmer, so those
tables split words only (and fold accents: "fruhling" finds "Frühling").
"""

import difflib
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connections, transaction
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from assets.models import Asset, Collection, Tag
from assets.renditions.platforms import load_platforms
from assets.renditions.presets import presets_for
from assets.renditions.translated import platform_text

DEFAULT_LANGUAGE = "en"
# The languages content has columns for (not every interface language: see settings).
LANGUAGES = tuple(settings.MODELTRANSLATION_LANGUAGES)
# 'simple' keeps every word as typed (names, other languages' words); the language's own adds
# stems ("banners" finds "banner", "Fahrten" finds "Fahrt") and drops stop words. A query
# matches if either does; the second is the language's.
CONFIGS = {"en": ("simple", "english"), "de": ("simple", "german"), "fr": ("simple", "french")}
WEIGHTS = ("A", "B", "C", "D")
# FTS5 column weights for bm25, in WEIGHTS order, as ts_rank's defaults (1, 0.4, 0.2, 0.1).
BM25_WEIGHTS = "10.0, 4.0, 2.0, 1.0"
# Fewer exact matches than this and close words and prefixes are searched as well.
FEW = 5
# Trigram similarity for a close word: "osol" and "oslo" share 2 of 8 trigrams.
CLOSE_SIMILARITY = 0.25
CLOSE_RATIO = 0.7  # difflib's ratio, on SQLite
ALSO_SIMILARITY, ALSO_RATIO = 0.5, 0.8
CLOSE_PER_WORD = 3
# The planner's price of reading a page out of order, for a search's statements (see
# ``index_first``). PostgreSQL's default, 4, is a spinning disk's.
RANDOM_PAGE_COST = "1.1"
# Marks around matched words, made HTML by ``marked`` after the text is escaped.
START, STOP = "\x02", "\x03"
WORD = re.compile(r"\w+")
# websearch_to_tsquery's parts: an optional "-", then "a phrase" or a word.
QUERY_PART = re.compile(r'(-?)(?:"([^"]*)"?|([^\s"]+))')
TRANSLATED = ("title", "description", "usage_notes")
FIELDS = {
    *TRANSLATED,
    *(f"{name}_{language}" for name in TRANSLATED for language in LANGUAGES),
    *("collection", "collection_id", "kind"),
}


def document_field(language: str) -> str:
    """The Asset field of the language's document on PostgreSQL."""
    return "search_document" if language == DEFAULT_LANGUAGE else f"search_document_{language}"


def fts5_table(language: str) -> str:
    """The FTS5 table of the language's document on SQLite."""
    return "assets_search" if language == DEFAULT_LANGUAGE else f"assets_search_{language}"


def reader_language() -> str:
    """The active language if the portal has documents in it, else English."""
    language = (translation.get_language() or DEFAULT_LANGUAGE).split("-")[0]
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


@cache
def _platform_names(kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The English platform and slot names of the sizes an asset of this kind is made into."""
    made = {preset.slug for preset in presets_for(kind)}
    platforms, slots = [], []
    for platform in load_platforms():
        taken = [slot.name for slot in platform.slots if slot.preset.slug in made]
        if taken:
            platforms.append(platform.name)
            slots += [name for name in taken if name not in slots]
    return tuple(platforms), tuple(slots)


def platform_words(kind: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The platform and slot names of the sizes an asset of this kind is made into, in the
    language and in English (people type "LinkedIn banner" in every language)."""
    platforms, slots = _platform_names(kind)
    with translation.override(language):
        platforms += tuple(map(platform_text, platforms))
        slots += tuple(map(platform_text, slots))
    # Each name once: repeated, "profile photo" (eight platforms have one) would outrank a
    # title that says it.
    names = [", ".join(dict.fromkeys(platforms)), ", ".join(dict.fromkeys(slots))]
    return ". ".join(names).strip(". ")


@cache
def platform_kinds(slug: str) -> tuple[str, ...]:
    """The kinds of artwork made into a size for this platform (a platform facet's filter)."""
    platform = next(platform for platform in load_platforms() if platform.slug == slug)
    slots = {slot.preset.slug for slot in platform.slots}
    return tuple(kind for kind in Asset.Kind.values if slots & {p.slug for p in presets_for(kind)})


def document_parts(
    *,
    title: str,
    description: str,
    usage_notes: str,
    kind: str,
    tags: list[str],
    collection: str,
    language: str = DEFAULT_LANGUAGE,
) -> tuple[str, str, str, str]:
    """The text of the document's four parts, A to D, in the language's document."""
    # The kind's name in English and in the document's language, whoever saves the asset.
    labels = [kind]
    if kind in Asset.Kind.values:
        label = Asset.Kind(kind).label
        with translation.override(None):
            labels = [str(label)]
        with translation.override(language):
            labels.append(str(label))
    return (
        title,
        ". ".join([*tags, *dict.fromkeys(labels), platform_words(kind, language)]),
        f"{description}\n{usage_notes}".strip(),
        collection,
    )


def documents_write(
    rows: list[tuple[int, tuple[str, str, str, str]]],
    *,
    using: str,
    language: str = DEFAULT_LANGUAGE,
) -> None:
    """Store the language's documents (asset id, parts A to D) and their words in ``using``'s
    database.

    Plain SQL on purpose: the migration that builds the first documents calls it too.
    """
    if not rows:
        return
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The SQL is built from CONFIGS and WEIGHTS only; the text goes in as parameters.
            cursor.executemany(
                f"UPDATE assets_asset SET {document_field(language)} = {vector_sql(language)} "  # noqa: S608
                "FROM (SELECT %s::text AS a, %s::text AS b, %s::text AS c, %s::text AS d) AS p "
                "WHERE id = %s",
                [(*parts, pk) for pk, parts in rows],
            )
        else:
            table = fts5_table(language)
            cursor.executemany(
                f"DELETE FROM {table} WHERE rowid = %s",  # noqa: S608
                [(pk,) for pk, _ in rows],
            )
            cursor.executemany(
                f"INSERT INTO {table} (rowid, a, b, c, d) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
                [(pk, *parts) for pk, parts in rows],
            )
        words = {word for _, parts in rows for word in WORD.findall(" ".join(parts).lower())}
        cursor.executemany(
            "INSERT INTO assets_searchterm (word) VALUES (%s) ON CONFLICT DO NOTHING",
            [(word[:100],) for word in sorted(words) if len(word) > 1],
        )


def vector_sql(language: str) -> str:
    """SQL for a tsvector of the columns a, b, c, d of ``p`` (parts A to D), in each text
    search configuration of the language."""
    return " || ".join(
        f"setweight(to_tsvector('{config}', p.{part}), '{weight}')"
        for part, weight in zip("abcd", WEIGHTS, strict=True)
        for config in CONFIGS[language]
    )


def asset_document(asset, language: str = DEFAULT_LANGUAGE) -> tuple:
    """The document parts of one asset in a language, fetched with its collection and tags (a
    historical model from a migration works as well as the real one, with or without the
    columns per language)."""

    def text(name: str) -> str:
        # The language's text, else the English, else the column from before languages.
        for field in (f"{name}_{language}", f"{name}_{DEFAULT_LANGUAGE}"):
            if value := getattr(asset, field, None):
                return value
        return "" if hasattr(asset, f"{name}_{DEFAULT_LANGUAGE}") else getattr(asset, name)

    return document_parts(
        title=text("title"),
        description=text("description"),
        usage_notes=text("usage_notes"),
        kind=asset.kind,
        tags=[tag.name for tag in asset.tags.all()],
        collection=asset.collection.name if asset.collection else "",
        language=language,
    )


def documents_rewrite(assets: QuerySet, *, languages: Iterable[str] = LANGUAGES) -> None:
    """Write the documents of ``assets`` again in each of ``languages``, in the queryset's
    database (a migration's historical model works as well as the real one)."""
    using = assets.db
    assets = list(assets.select_related("collection").prefetch_related("tags"))
    for language in languages:
        documents_write(
            [(asset.pk, asset_document(asset, language)) for asset in assets],
            using=using,
            language=language,
        )


def search_index_update(*, asset_ids: list[int], using: str = "default") -> None:
    """Write the documents of these assets again (after a change the receivers do not see,
    such as ``bulk_create`` or a queryset ``update``)."""
    documents_rewrite(Asset.objects.using(using).filter(pk__in=asset_ids))


@dataclass(frozen=True)
class Search:
    """What a person typed, made into the queries one database runs.

    ``tiers`` are queries from strict to loose: the words as typed, and when those find
    little, the words as prefixes, then prefixes or the closest words. A match of an earlier
    tier ranks before any match of a later one only.
    """

    vendor: str
    tiers: tuple
    language: str = DEFAULT_LANGUAGE

    def filter(self, assets: QuerySet[Asset]) -> QuerySet[Asset]:
        """The assets that match, unordered (for counting)."""
        if not self.tiers:
            return assets.none()
        # One match of all tiers at once: each match reads the whole document again, and
        # a broad query reads every row's.
        return assets.filter(self._matches(self._any()))

    def ranked(self, assets: QuerySet[Asset]) -> QuerySet[Asset]:
        """The matches among ``assets``, best first."""
        assets = self.filter(assets)
        if not self.tiers:
            return assets
        query = self._any()
        if self.vendor == "postgresql":
            rank = SearchRank(F(document_field(self.language)), query)
        else:
            table = fts5_table(self.language)
            rank = _fts5_value(table, f"-bm25({table}, {BM25_WEIGHTS})", query)
        assets = assets.annotate(rank=rank)
        order = []
        for number, tier in enumerate(self.tiers[:-1]):
            assets = assets.annotate(
                **{f"tier{number}": Case(When(self._matches(tier), then=1), default=0)}
            )
            order.append(f"-tier{number}")
        return assets.order_by(*order, "-rank", "-created_at")

    def marked(self, assets: QuerySet[Asset]) -> QuerySet[Asset]:
        """``assets``, matches of this search, with ``marked_title`` and ``marked_text``: the
        title and an excerpt of the description with the matched words marked."""
        if not self.tiers:
            return assets
        query = self._any()
        if self.vendor == "postgresql":
            title, text = (
                SearchHeadline(
                    self._text(field),
                    query,
                    config=CONFIGS[self.language][1],
                    start_sel=START,
                    stop_sel=STOP,
                    **how,
                )
                for field, how in [
                    ("title", {"highlight_all": True}),
                    ("description", {"max_words": 18, "min_words": 8, "max_fragments": 1}),
                ]
            )
        else:
            table = fts5_table(self.language)
            title = _fts5_value(table, f"highlight({table}, 0, '{START}', '{STOP}')", query)
            text = _fts5_value(table, f"snippet({table}, 2, '{START}', '{STOP}', '…', 14)", query)
        return assets.annotate(marked_title=title, marked_text=text)

    def _any(self):
        """A match of any tier, as one query."""
        if self.vendor == "postgresql":
            query = self.tiers[0]
            for looser in self.tiers[1:]:
                query = query | looser
            return query
        return " OR ".join(f"({query})" for query in self.tiers)

    def _matches(self, query) -> Q:
        if self.vendor == "postgresql":
            return Q(**{document_field(self.language): query})
        table = fts5_table(self.language)
        return Q(
            pk__in=RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [query])  # noqa: S608, S611
        )

    def _text(self, name: str):
        """The language's text of a field, else the English (as the document has it)."""
        english = F(f"{name}_{DEFAULT_LANGUAGE}")
        if self.language == DEFAULT_LANGUAGE:
            return english
        return Coalesce(NullIf(F(f"{name}_{self.language}"), Value("")), english)


def _fts5_value(table: str, expression: str, match: str) -> RawSQL:
    """One FTS5 function of the asset's row for the match. ``table`` and ``expression`` are
    made of this module's constants; the query goes in as a parameter."""
    return RawSQL(  # noqa: S611
        f"(SELECT {expression} FROM {table} "  # noqa: S608
        f"WHERE {table} MATCH %s AND rowid = assets_asset.id)",
        [match],
        output_field=FloatField() if "bm25" in expression else None,
    )


def search_for(text: str, *, within: QuerySet[Asset], language: str | None = None) -> Search:
    """The search for ``text`` among ``within`` (the artwork the person may see), in the
    document of ``language`` (the reader's by default)."""
    language = language or reader_language()
    vendor = connections[within.db].vendor
    if vendor == "postgresql":
        plain, stemmed = CONFIGS[language]
        exact = SearchQuery(text, config=stemmed, search_type="websearch") | SearchQuery(
            text, config=plain, search_type="websearch"
        )
    else:
        exact = fts5_query(text)
    search = Search(vendor=vendor, tiers=(exact,) if exact else (), language=language)
    words, unwanted = query_words(text)
    # Unordered: in the newest-first order a word nobody used reads every row to say so.
    if not words or len(search.filter(within).order_by().values("pk")[:FEW]) >= FEW:
        return search
    alternatives = close_words(words, using=within.db)
    if vendor == "postgresql":
        tiers = [
            " & ".join(
                "(" + " | ".join([f"{_lexeme(w)}:*", *map(_lexeme, also.get(w, []))]) + ")"
                for w in words
            )
            + "".join(f" & !{_lexeme(w)}" for w in unwanted)
            for also in ({}, alternatives)
        ]
        looser = [SearchQuery(tier, config="simple", search_type="raw") for tier in tiers]
    else:
        looser = [
            " AND ".join(
                "(" + " OR ".join([f'"{w}"*', *(f'"{a}"' for a in also.get(w, []))]) + ")"
                for w in words
            )
            + "".join(f' NOT "{w}"' for w in unwanted)
            for also in ({}, alternatives)
        ]
    return Search(vendor=vendor, tiers=(*search.tiers, *looser), language=language)


# The planning ``index_first`` sets, as SQL. A search page's one statement is written after it
# in the same execute(): PostgreSQL runs the statements of one query string in a transaction of
# their own (inside an open one, the setting lasts until that ends), so it ends with the
# statement, without the BEGIN, SET and COMMIT round trips of ``index_first`` (0.7-1.9 ms a
# search page). Django binds parameters on the client by default, which lets one execute()
# carry two statements.
INDEX_FIRST_SQL = f"SELECT set_config('random_page_cost', '{RANDOM_PAGE_COST}', true); "


@contextmanager
def index_first(*, using: str) -> Iterator[None]:
    """A transaction in which PostgreSQL plans a search's statements to ask the GIN index which
    assets match.

    With the default price of an out-of-order read, a broad query ("linkedin banner" matches
    nine assets in ten) is planned as a read of every row that unpacks its kilobyte of document
    to test it. The index answers without unpacking any; only the ranking then reads the
    documents of the matches. The library is read from memory, where an out-of-order read costs
    about what an in-order one does, so the search says so for its own statements only.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(INDEX_FIRST_SQL)
        yield


def query_words(text: str) -> tuple[list[str], list[str]]:
    """The words a query asks for and the words it excludes ("-word"), lower case."""
    wanted: list[str] = []
    unwanted: list[str] = []
    for negated, phrase, word in QUERY_PART.findall(text.lower()):
        if word == "or" and not negated:
            continue
        words = [w for w in WORD.findall(phrase or word) if not w.isdigit()]
        (unwanted if negated else wanted).extend(words)
    return wanted, unwanted


def close_words(words: list[str], *, using: str) -> dict[str, list[str]]:
    """Per word, the few words in any document that look most like it."""
    connection = connections[using]
    found: dict[str, list[str]] = {word: [] for word in words}
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # "%" is similarity() at least this threshold, and the trigram index answers it.
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
                [str(CLOSE_SIMILARITY)],
            )
            cursor.execute(
                "SELECT typed, word, score FROM unnest(%s::text[]) AS typed CROSS JOIN LATERAL ("
                " SELECT word, similarity(word, typed) AS score FROM assets_searchterm"
                " WHERE word %% typed ORDER BY score DESC, word LIMIT %s) AS close",
                [words, CLOSE_PER_WORD],
            )
            scored = cursor.fetchall()
        else:
            cursor.execute("SELECT word FROM assets_searchterm")
            vocabulary = [row[0] for row in cursor.fetchall()]
            scored = [
                (word, close, difflib.SequenceMatcher(None, word, close).ratio())
                for word in words
                for close in difflib.get_close_matches(
                    word, vocabulary, n=CLOSE_PER_WORD, cutoff=CLOSE_RATIO
                )
            ]
    # The closest (and any as close), and others only when very close: "lighthuose" means
    # lighthouse, not lights; "summer" may mean midsummer too.
    also = ALSO_SIMILARITY if connection.vendor == "postgresql" else ALSO_RATIO
    best = {}
    for typed, _, score in scored:
        best[typed] = max(best.get(typed, 0), score)
    for typed, word, score in scored:
        if score >= min(best[typed] - 0.001, also):
            found[typed].append(word)
    return found


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def fts5_query(text: str) -> str:
    """websearch_to_tsquery's syntax in FTS5's: words, "a phrase", -word and or."""
    parts: list[str] = []
    for negated, phrase, word in QUERY_PART.findall(text):
        if word.lower() == "or" and not negated:
            if parts and parts[-1] != "OR":
                parts.append("OR")
            continue
        words = WORD.findall(phrase or word)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        if negated:
            # FTS5's NOT needs something on its left; a lone "-word" cannot be said.
            if parts and parts[-1] != "OR":
                parts.append(f"NOT {term}")
            continue
        parts.append(term)
    while parts and parts[-1] == "OR":
        parts.pop()
    return " ".join(parts).removeprefix("OR ")


def marked(text: str) -> SafeString:
    """Text with the matched words between START and STOP, as safe HTML with <mark>."""
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308


def _write_one(asset: Asset) -> None:
    search_index_update(asset_ids=[asset.pk], using=asset._state.db or "default")


@receiver(post_save, sender=Asset)
def asset_saved(sender, instance: Asset, update_fields=None, **kwargs) -> None:
    if update_fields is None or FIELDS & set(update_fields):
        _write_one(instance)


@receiver(m2m_changed, sender=Asset.tags.through)
def asset_tags_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if reverse and action == "pre_clear":
        # A tag's assets are about to go: after the clear nobody can say which they were.
        instance._search_asset_ids = list(instance.assets.values_list("pk", flat=True))
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        _write_one(instance)
    elif action == "post_clear":
        search_index_update(asset_ids=instance._search_asset_ids)
    else:
        search_index_update(asset_ids=list(pk_set))


@receiver(post_save, sender=Tag)
@receiver(post_save, sender=Collection)
def name_saved(sender, instance: Tag | Collection, created: bool, **kwargs) -> None:
    if not created:
        search_index_update(asset_ids=list(instance.assets.values_list("pk", flat=True)))


@receiver(pre_delete, sender=Tag)
@receiver(pre_delete, sender=Collection)
def name_deleting(sender, instance: Tag | Collection, **kwargs) -> None:
    # After the delete its assets no longer point at it: remember them now.
    instance._search_asset_ids = list(instance.assets.values_list("pk", flat=True))


@receiver(post_delete, sender=Tag)
@receiver(post_delete, sender=Collection)
def name_deleted(sender, instance: Tag | Collection, **kwargs) -> None:
    search_index_update(asset_ids=instance._search_asset_ids)


@receiver(post_delete, sender=Asset)
def asset_deleted(sender, instance: Asset, **kwargs) -> None:
    connection = connections[instance._state.db or "default"]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            for language in LANGUAGES:
                cursor.execute(
                    f"DELETE FROM {fts5_table(language)} WHERE rowid = %s",  # noqa: S608
                    [instance.pk],
                )
