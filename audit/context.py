"""Who is acting and from where, for every audit entry recorded inside a block of code.

`audit_context(user, source)` opens a *unit of work*: the changes made inside it are gathered
per object and written as one entry per object when the block ends (or when the admin calls
`recorder.flush()` after saving a form and its inlines). A case saved, then given themes and
partners, thus gets one entry with all three kinds of change, however many signals fired.

Outside any context (a shell, a data migration) each change is written at once, with the source
"shell" and no user. Contexts nest: the innermost one decides who and where.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

SOURCES = ("admin", "import", "command", "shell", "web")


@dataclass
class AuditState:
    """One open unit of work: its actor, source and the objects changed inside it so far."""

    user: Any = None
    source: str = "command"
    note: str = ""
    # (model label, pk as string) -> recorder.Pending, in the order first touched.
    pending: dict = field(default_factory=dict)

    @property
    def actor(self):
        """The acting user, or None for an anonymous or missing one (resolved lazily, since a
        request's user is only known once authentication middleware has run)."""
        user = self.user
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return user


_stack: ContextVar[tuple[AuditState, ...]] = ContextVar("audit_stack", default=())


def current() -> AuditState | None:
    """The innermost open unit of work, or None outside any audit_context."""
    stack = _stack.get()
    return stack[-1] if stack else None


@contextlib.contextmanager
def audit_context(user=None, source: str = "command", note: str = ""):
    """Record every change made inside the block as done by `user` from `source`.

    On leaving the block, the gathered changes are written (even after an exception: the
    recorder compares each object with the database, so changes that were rolled back leave no
    entry).
    """
    if source not in SOURCES:
        raise ValueError(f"Unknown audit source {source!r}; use one of {SOURCES}.")
    state = AuditState(user=user, source=source, note=note)
    token = _stack.set((*_stack.get(), state))
    try:
        yield state
    finally:
        try:
            from audit import recorder

            recorder.flush(state)
        finally:
            _stack.reset(token)
