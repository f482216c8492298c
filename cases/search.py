"""Search in the register: the stored search documents of cases, partners and showcase pages,
and the matching of them by a query.

A document and a query pass through the same normal form (`cases.normal_form`), so matching is
a plain substring test that PostgreSQL and SQLite answer alike (LIKE on a stored column, no
collation or extension needed; PostgreSQL has a trigram index to make it fast).
"""

import json

from django.apps import apps
from django.db import connections
from django.db.models import Q

from cases.models import Case, CasePartner, Region, State
from cases.normal_form import document, terms

# --- Stored documents ----------------------------------------------------------------------------
#
# `Case`, `Partner` and `ShowcasePage` each carry a `search_document` column (not editable,
# never shown). A save through the ORM fills it (the pre_save signal connected in
# CasesConfig.ready); writers that bypass save() (bulk_create, bulk_update, queryset update)
# call `fill()` on the objects first. `rebuild()` writes every document again (the
# `rebuild_search_documents` command uses it); after `migrate`, `fill_missing` writes the
# documents a migration left empty (migrations import no live code, so they cannot).


# Fields read into each model's document.
FIELDS = {
    "cases.case": (
        *("title_en", "title_ja", "summary_en", "summary_ja"),
        *("city_en", "city_ja"),
    ),
    "cases.partner": ("name_en", "name_ja"),
    "showcase.showcasepage": ("title_en", "title_ja", "lead_en", "lead_ja", "body_en", "body_ja"),
}


def document_of(instance) -> str:
    """The search document `instance` should have now."""
    names = FIELDS[instance._meta.label_lower]
    return document(*(getattr(instance, name) for name in names))


def fill(objects) -> list:
    """Set each object's `search_document` from its fields (before a bulk write)."""
    objects = list(objects)
    for obj in objects:
        obj.search_document = document_of(obj)
    return objects


def _filled(sender, instance, raw=False, update_fields=None, **kwargs):
    """pre_save: a save that writes the fields of the document writes the document too."""
    sources = FIELDS[sender._meta.label_lower]
    if update_fields is not None and not set(update_fields) & set(sources):
        return
    instance.search_document = document_of(instance)


def _written(sender, instance, raw=False, update_fields=None, **kwargs):
    """post_save: a save limited to some fields (`update_fields`) that changed a text but did
    not name the document writes the document by itself."""
    if update_fields is None or "search_document" in update_fields:
        return
    if set(update_fields) & set(FIELDS[sender._meta.label_lower]):
        sender._base_manager.filter(pk=instance.pk).update(
            search_document=instance.search_document
        )


def fill_missing(sender=None, apps=None, **kwargs) -> None:
    """post_migrate: rows that existed before their table had a search document get one.

    `apps` is the state the migration left: a model or column it does not hold yet (a
    migrate to an earlier migration) is skipped."""
    if apps is None:
        return
    present = []
    for label in FIELDS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        fields = {f.name for f in model._meta.concrete_fields}
        if "search_document" in fields and fields >= set(FIELDS[label]):
            present.append(label)
    rebuild(labels=tuple(present), only_missing=True)


def connect() -> None:
    from django.db.models.signals import post_save, pre_save

    for label in FIELDS:
        model = apps.get_model(label)
        pre_save.connect(_filled, sender=model, dispatch_uid=f"search-document-{label}")
        post_save.connect(_written, sender=model, dispatch_uid=f"search-written-{label}")


def rebuild(batch: int = 500, labels=tuple(FIELDS), only_missing: bool = False) -> int:
    """Write every object's search document again (or, with `only_missing`, only the empty
    ones); returns how many changed."""
    changed = 0
    for label in labels:
        names = FIELDS[label]
        model = apps.get_model(label)
        rows = model._base_manager.only("pk", "search_document", *names)
        if only_missing:
            rows = rows.filter(search_document="")
        stale = []
        for row in rows.iterator():
            text = document(*(getattr(row, n) for n in names))
            if row.search_document != text:
                row.search_document = text
                stale.append(row)
        model._base_manager.bulk_update(stale, ["search_document"], batch_size=batch)
        changed += len(stale)
    return changed


# --- Matching ----------------------------------------------------------------------------------


def _every_term(queryset, words: list[str]):
    for word in words:
        queryset = queryset.filter(search_document__contains=word)
    return queryset


def matching_cases(queryset, query: str, *, rare=None):
    """The cases of `queryset` whose texts, whose partners' names or whose published
    best-practice story hold every term.

    Partners and stories are matched through subqueries, so a case with two matching partners
    is listed once and no DISTINCT is needed. A term is matched in one of two equivalent
    forms, chosen by how many cases hold it (`rare`, by default `is_rare`):

    - a common term is a condition on each row ("its document holds the term, or its id is
      among the partners' or stories' matches"), so the database walks the list in its own
      order and stops at the page's end: a term in one case of ten fills a page of 20 after
      about 200 rows;
    - a rare term is a set looked up first ("its id is in the union of the cases, partners and
      stories that hold it", the cases through the trigram index on PostgreSQL), so a term
      in no case costs a lookup, not a walk over every case in the list.
    """
    rare = is_rare if rare is None else rare
    for word in terms(query):
        partners = CasePartner.objects.filter(partner__search_document__contains=word)
        if rare(word, queryset.db):
            found = (
                Case.objects.filter(search_document__contains=word)
                .values("pk")
                .union(partners.values("case_id"), _told(word))
            )
            queryset = queryset.filter(pk__in=found)
        else:
            queryset = queryset.filter(
                Q(search_document__contains=word)
                | Q(pk__in=partners.values("case_id"))
                | Q(pk__in=_told(word))
            )
    return queryset


# A term PostgreSQL expects in fewer cases than this is looked up as a set (matching_cases).
# Near the break-even at a million cases: a set of 12,000 ids takes about as long to gather as
# a walk of the list to the 1,001st match of a term in 12,000 cases.
RARE_BELOW = 12_000


def is_rare(word: str, using: str = "default") -> bool:
    """Whether PostgreSQL's planner expects `word` in fewer than RARE_BELOW cases (its
    estimate of the LIKE from the column's statistics: one EXPLAIN, no rows read). Elsewhere
    (SQLite, no trigram index) every term is matched row by row."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    query = Case.objects.using(using).filter(search_document__contains=word).values("pk")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Plan"]["Plan Rows"] < RARE_BELOW


def matching_partners(queryset, query: str):
    """The partners of `queryset` whose English or Japanese name holds every term."""
    return _every_term(queryset, terms(query))


def matching_pages(queryset, query: str):
    """The showcase pages of `queryset` whose own texts, their case's texts or their case's
    partners' names hold every term (a page tells its case's story)."""
    for word in terms(query):
        partners = CasePartner.objects.filter(partner__search_document__contains=word)
        queryset = queryset.filter(
            Q(search_document__contains=word)
            | Q(case__search_document__contains=word)
            | Q(case_id__in=partners.values("case_id"))
        )
    return queryset


def _told(word: str):
    """Ids of cases whose published best-practice story holds `word` (through the reverse
    one-to-one `showcase_page`, so the register needs nothing from the showcase app)."""
    return Case.objects.filter(
        showcase_page__publication="published",
        showcase_page__published_at__isnull=False,
        showcase_page__search_document__contains=word,
    ).values("pk")


def _matches(words: list[str], *texts) -> bool:
    text = document(*texts)
    return all(word in text for word in words)


def matching_regions(query: str) -> list:
    """Districts whose name, mission or mission city holds every term, in reference order."""
    words = terms(query)
    if not words:
        return []
    return [
        region
        for region in Region.objects.order_by("sort_order", "code")
        if _matches(
            words,
            region.code,
            region.name_en,
            region.name_ja,
            region.mission_name_en,
            region.mission_name_ja,
            region.city_en,
            region.city_ja,
        )
    ]


def matching_states(query: str) -> list:
    """States, DC and territories whose name holds every term, or whose USPS code is the
    query (a two-letter code matches only as a whole: "CA" is California, not Carolina)."""
    words = terms(query)
    if not words:
        return []
    code = words[0].upper() if len(words) == 1 and len(words[0]) == 2 else None
    return [
        state
        for state in State.objects.order_by("name_en")
        if state.code == code or _matches(words, state.name_en, state.name_ja)
    ]
