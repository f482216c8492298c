"""Keeping the figures fresh: the pre-aggregated tallies and the shared generation key.

Every figure the portal shows is read from small summary tables (`cases.figures.models`, filled
by `cases.figures.tallies`) and cached under a *generation*: one counter in the shared cache
(Redis or the database cache, shared by every app server), moved on whenever a case, its
themes or the reference data change. Every app server reads the same counter, so a change
made through one server shows on the very next request at every other.

How a change travels:

1. A save, delete or theme change of a case (the signal handlers below), or `cases_changed()`
   after a bulk write, notes which (fiscal year, region) groups changed, on this thread.
2. The groups are counted again in the database *in the writer's transaction*, so tallies and
   cases commit or roll back together: the register's write service (`cases.register`) calls
   `flush()` before it leaves its transaction, and so does any reader on the same thread
   (`generation()` and the stats layer call it), so a writer always reads its own writes.
   A writer outside the service that commits with groups still pending (a shell, a raw
   signal) has them counted right after its commit, in a transaction of their own: a reader
   sees the tallies before or after, never between the DELETE and the INSERT.
3. On commit the generation is bumped. A bump before the commit would let another server
   cache the old figures under the new generation; the bump after the commit cannot.
"""

import threading
import time

from django.core.cache import cache
from django.db import transaction

from cases.figures import tallies

GENERATION_KEY = "portal:figures:generation"

_local = threading.local()


class _Pending:
    """The groups this thread changed and has not counted yet, and whether it changed
    anything since its last commit."""

    def __init__(self):
        self.groups: set[tuple[int, int]] = set()
        self.everything = False
        self.stale = False  # something changed that this thread has not bumped for yet
        self.uncommitted = False

    def take(self):
        """The groups to count (None: all), emptying the set; False when there are none."""
        if self.everything:
            self.everything, self.groups = False, set()
            return None
        if not self.groups:
            return False
        groups, self.groups = self.groups, set()
        return groups


def _pending() -> _Pending:
    pending = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = _Pending()
    return pending


# --- The generation -----------------------------------------------------------------------------


def generation() -> str:
    """The current generation of the figures, for cache keys and ETags: one cache read.

    A missing counter (a fresh or flushed cache) starts from the clock in nanoseconds, so a
    restarted cache never hands out a generation that an old ETag still holds.
    """
    flush()
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return str(value)


def request_generation(request) -> str:
    """The generation, read once per request."""
    value = getattr(request, "_figures_generation", None)
    if value is None:
        value = request._figures_generation = generation()
    return value


def bump_generation() -> None:
    """Move the shared generation on, so every cached figure, page and ETag goes stale."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no counter yet
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


# --- Changes ------------------------------------------------------------------------------------


def cases_changed() -> None:
    """Bring the figures up to date after a bulk write that bypassed the model signals.

    Call it after any write to cases, their themes or their partners that does not go through
    `save()`/`delete()` (bulk_create, bulk_update, queryset update or delete, raw SQL). The
    tallies are rebuilt in the database (one INSERT … SELECT per table) in the current
    transaction, and the generation is bumped on commit. Calling it many times in one
    transaction rebuilds once.
    """
    _changed(None)


def groups_changed(groups) -> None:
    """Count these (fiscal year, region id) groups again and bump the generation on commit."""
    _changed(groups)


def cases_added(new_cases) -> None:
    """New cases were just written in bulk (no update, no deletion): add them to the tallies
    now, in this transaction (`tallies.add`), and bump the generation on commit.

    Groups still waiting to be counted on this thread are counted later from the case table
    (which holds the new cases by then): their rows are replaced, so nothing counts twice."""
    if tallies.add(new_cases):
        pending = _pending()
        pending.stale = pending.uncommitted = True
        _on_commit()


def reference_changed() -> None:
    """Names of regions, states or themes changed: no count moves, but every cached page does."""
    pending = _pending()
    pending.stale = pending.uncommitted = True
    _on_commit()


def _changed(groups) -> None:
    pending = _pending()
    if groups is None:
        pending.everything = True
    else:
        pending.groups.update(groups)
    pending.uncommitted = True
    _on_commit()


def _on_commit() -> None:
    # Outside a transaction on_commit runs the callback at once. Inside one, one callback per
    # change is queued; all but the first find nothing left to do.
    transaction.on_commit(_committed)


def _committed() -> None:
    pending = _pending()
    if not pending.uncommitted:
        return
    if pending.everything or pending.groups:
        # Groups left uncounted by a writer that did not flush: count them in one transaction,
        # so no reader meets a group between its DELETE and its INSERT.
        with transaction.atomic():
            flush(bump=False)
    else:
        pending.stale = False
    pending.uncommitted = False
    bump_generation()


def flush(bump: bool = True) -> bool:
    """Count the groups this thread changed again, now, in its transaction; True if any.

    Cheap when nothing is pending (the usual case for a reader). The bump lets this thread's
    own cache keys move on before its commit (e.g. a test reading its own writes); the commit
    bumps again for everyone else.
    """
    pending = getattr(_local, "pending", None)
    if pending is None:
        return False
    groups = pending.take()
    if groups is False and not pending.stale:
        return False
    if groups is not False:
        tallies.refresh(groups)
    pending.stale = False
    if bump:
        bump_generation()
    return True
