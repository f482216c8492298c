"""Reference data remembered per generation, in each worker's memory.

Regions, states and themes, their names in both languages, whether the register holds
demonstration records, the rendered filter widgets: every page needs them, none of them changes
unless the generation moves (`cases.figures.freshness` bumps it on every change of a case or of the
reference data, on every app server). So each worker keeps the last generation's values and
asks the database again only when the generation it reads at the start of a request differs:
an uncached page then runs queries for its figures only, and a value can never be older than
the figures beside it.

Only the latest generation is kept (a handful of small values), so memory stays flat.
"""

import contextlib
import contextvars
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.db import connection

from cases import rules
from cases.figures.freshness import generation, request_generation
from cases.models import Jurisdiction, Region, State, Theme
from grassroots.language import pick

_lock = threading.Lock()
_memo: dict = {"generation": None, "values": {}}
# While a figure view runs: its generation and a memo for this request alone.
_request: contextvars.ContextVar = contextvars.ContextVar("portal_reference_request", default=None)


@contextlib.contextmanager
def request_scope(generation_value: str):
    """Inside a view: the generation already read for the request, and a per-request memo
    (used when the request runs inside a transaction, where nothing may be shared)."""
    token = _request.set((generation_value, {}))
    try:
        yield
    finally:
        _request.reset(token)


def _values(request=None) -> dict | None:
    """The memo that values of the current generation live in: this worker's (emptied when
    the generation moves), the request's own inside a transaction, or None when nothing may
    be kept (a transaction outside a figure view)."""
    scope = _request.get()
    if connection.in_atomic_block:
        return None if scope is None else scope[1]
    if scope is not None:
        current = scope[0]
    elif request is not None:
        current = request_generation(request)
    else:
        current = generation()
    if _memo["generation"] != current:
        with _lock:
            if _memo["generation"] != current:
                _memo["values"] = {}
                _memo["generation"] = current
    return _memo["values"]


def remembered(name, build, request=None):
    """`build()`'s value for this generation, built at most once per worker and generation.

    `name` must say everything the value depends on besides the generation (e.g. the
    language). Inside a transaction (a test, a request that writes) values are kept for the
    request only: uncommitted data must never reach another request.
    """
    values = _values(request)
    if values is None:
        return build()
    try:
        return values[name]
    except KeyError:
        value = values[name] = build()
        return value


# How many values `remembered_recently` keeps per worker and generation: enough for the
# filter sets people use (each a few tens of kB of markup), few enough that a crawler walking
# every combination cannot grow a worker's memory.
RECENT_LIMIT = 64
_RECENT = object()  # the key of the bounded memo inside a generation's values


def remembered_recently(key, build, request=None):
    """`build()`'s value for this generation, like `remembered`, for values of which there
    are too many to keep them all (one per filter set): only the `RECENT_LIMIT` most
    recently used are kept, so memory stays bounded whatever the queries."""
    values = _values(request)
    if values is None:
        return build()
    recent = values.get(_RECENT)
    if recent is None:
        recent = values.setdefault(_RECENT, OrderedDict())
    with _lock:
        if key in recent:
            recent.move_to_end(key)
            return recent[key]
    value = build()
    with _lock:
        recent[key] = value
        while len(recent) > RECENT_LIMIT:
            recent.popitem(last=False)
    return value


@dataclass(frozen=True)
class Names:
    """One reference row: its key (code or slug), names, and a group for themes."""

    key: str
    name_en: str
    name_ja: str
    group: str = ""

    def label(self, language: str) -> str:
        """The name in the language, falling back to the other one."""
        return pick(self.name_en, self.name_ja, language).text


@dataclass(frozen=True)
class Listing:
    """One kind of reference row in display order, with the database ids of their keys."""

    items: tuple[Names, ...]
    ids: dict[str, int]
    keys: dict[int, str]

    def get(self, key: str | None) -> Names | None:
        return next((item for item in self.items if item.key == key), None)

    def of_tags(self, tags: str) -> list[Names]:
        """The rows a case's `theme_tags` names (`cases.rules.theme_tags`), in display order."""
        wanted = set(rules.tag_ids(tags))
        return [item for item in self.items if self.ids[item.key] in wanted] if wanted else []


def _listing(rows) -> Listing:
    rows = list(rows)
    return Listing(
        items=tuple(Names(key, en, ja, *group) for _pk, key, en, ja, *group in rows),
        ids={key: pk for pk, key, *_rest in rows},
        keys={pk: key for pk, key, *_rest in rows},
    )


def regions() -> Listing:
    """The regions in reference order (sort order, code): one query per generation."""
    return remembered(
        "regions",
        lambda: _listing(
            Region.objects.order_by("sort_order", "code").values_list(
                "pk", "code", "name_en", "name_ja"
            )
        ),
    )


def states() -> Listing:
    """The states, DC and territories by English name: one query per generation."""
    return remembered(
        "states",
        lambda: _listing(
            State.objects.order_by("name_en").values_list("pk", "code", "name_en", "name_ja")
        ),
    )


def themes() -> Listing:
    """The themes by group, sort order and slug (with their group): one query per generation."""
    return remembered(
        "themes",
        lambda: _listing(
            Theme.objects.order_by("group", "sort_order", "slug").values_list(
                "pk", "slug", "name_en", "name_ja", "group"
            )
        ),
    )


def _build_districts() -> dict[str, frozenset[str]]:
    districts: dict[str, set[str]] = {}
    for region, state in Jurisdiction.objects.values_list("region__code", "state__code"):
        districts.setdefault(region, set()).add(state)
    return {code: frozenset(codes) for code, codes in districts.items()}


def district(region_code: str) -> frozenset[str]:
    """The USPS codes of the states in a region's district: one query per generation."""
    return remembered("districts", _build_districts).get(region_code, frozenset())
