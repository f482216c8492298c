"""The export log: every report or data export a staff member makes is kept (who, what, when)."""

from __future__ import annotations


def log_export(user, kind: str, filters: dict, rows: int | None = None) -> None:
    """Record that `user` exported `kind` (e.g. "report.xlsx", "cases.csv") with `filters`.

    Does nothing for an anonymous or missing user: the public downloads are not staff exports.
    Filter values are kept as text (lists of text for repeated parameters), so any query
    string can be logged as it was given.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return
    from audit.models import ExportLog

    ExportLog.objects.create(
        user=user,
        username=user.get_username(),
        kind=str(kind)[:60],
        filters=_plain(filters or {}),
        rows=rows,
    )


def log_command_export(kind: str, filters: dict, rows: int | None = None) -> None:
    """Record a report written by a management command (e.g. region_report).

    A command has no signed-in user: the log keeps the operating-system account that ran it,
    marked as a command, so every staff export is on record whichever way it was made.
    """
    import getpass

    from audit.models import ExportLog

    try:
        account = getpass.getuser()
    except OSError:  # no name for this uid (some containers)
        account = "?"
    ExportLog.objects.create(
        user=None,
        username=f"{account} (manage.py)"[:150],
        kind=str(kind)[:60],
        filters=_plain(filters or {}),
        rows=rows,
    )


def _plain(filters) -> dict:
    """A JSON-safe copy of the filters: a QueryDict's repeated values become lists."""
    if hasattr(filters, "lists"):
        return {key: values[0] if len(values) == 1 else values for key, values in filters.lists()}
    plain = {}
    for key, value in dict(filters).items():
        if isinstance(value, list | tuple | set | frozenset):
            plain[str(key)] = [_scalar(item) for item in value]
        else:
            plain[str(key)] = _scalar(value)
    return plain


def _scalar(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "pk"):
        return value.pk
    return str(value)
