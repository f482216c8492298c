"""Reading one cell: text, a date, a whole number, yes or no, a list, a choice's spellings.

Each reader takes a cell as the sheet holds it (str, int, float, bool, date, datetime or None)
and returns a Python value, or raises CellError with a message that says what was expected.
Cells an export neutralised ('=...) are read back without the apostrophe.
"""

import datetime
import re

from django.utils import translation
from django.utils.translation import gettext as _

from exchange.columns import normalise_header
from exchange.writers import unneutralise

LIST_SPLIT = re.compile(r"[;；\n]")
TRUE_WORDS = {"yes", "y", "true", "t", "1", "はい", "○", "〇", "公開"}
FALSE_WORDS = {"no", "n", "false", "f", "0", "いいえ", "×", "非公開", ""}
DATE_PATTERNS = [
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$"),
]
# The largest primary key the database holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class CellError(ValueError):
    """A cell's value cannot be read; the message says what was expected."""


def text(raw) -> str:
    """The cell as text, stripped, with one kind of line break; a date as YYYY-MM-DD."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime.datetime):
        raw = raw.date() if raw.time() == datetime.time(0) else raw
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    value = unneutralise(str(raw))
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def date(raw) -> datetime.date | None:
    """A date cell, or text in one of DATE_PATTERNS; None for an empty cell."""
    if isinstance(raw, datetime.datetime):
        if raw.time() != datetime.time(0):
            raise CellError(_("Give a date without a time."))
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    value = text(raw)
    if not value:
        return None
    for pattern in DATE_PATTERNS:
        match = pattern.match(value)
        if match:
            try:
                return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                raise CellError(_("There is no such day.")) from None
    raise CellError(_("Not a date; write it as YYYY-MM-DD, e.g. 2024-10-01."))


def integer(raw) -> int | None:
    """A whole number from 0 to MAX_ID (thousands separators allowed); None for an empty cell."""
    if isinstance(raw, bool):
        raise CellError(_("Give a whole number."))
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not raw.is_integer():
            raise CellError(_("Give a whole number."))
        value = int(raw)
    else:
        digits = text(raw).replace(",", "")
        if not digits:
            return None
        if not re.fullmatch(r"[0-9]+", digits):
            raise CellError(_("Give a whole number, 0 or more."))
        value = int(digits)
    if value < 0:
        raise CellError(_("Give a whole number, 0 or more."))
    if value > MAX_ID:
        raise CellError(_("The number is too large."))
    return value


def boolean(raw) -> bool:
    """Yes or no, in English or Japanese, or 1 and 0; an empty cell is no."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    word = text(raw).casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("Write yes or no."))


def items(raw) -> list[str]:
    """The entries of a list cell, split at semicolons (either width) and line breaks."""
    return [item.strip() for item in LIST_SPLIT.split(text(raw)) if item.strip()]


def choice_lookup(choices) -> dict[str, str]:
    """Every accepted spelling of a choice (code, English label, Japanese label) -> code."""
    lookup = {}
    for language in ("en", "ja"):
        with translation.override(language):
            for value, label in choices:
                lookup[normalise_header(label)] = value
    for value, _label in choices:
        lookup[normalise_header(value)] = value
    return lookup
