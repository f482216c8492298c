"""The search normal form: what a stored search document and a query are both turned into,
so that matching is a plain substring test (cases.search). Free of Django, so code outside the
app (the benchmark's data generator) writes documents in the very same form.

The form:

- Unicode NFKC: full-width Latin letters and digits become ASCII (ＤＩＵ → diu), half-width
  katakana becomes full-width (ﾊﾟﾛｱﾙﾄ → パロアルト);
- case folded, so English matches in any case ("Palo Alto", "palo alto", "PALO ALTO");
- hiragana as katakana, so ぱろあると finds パロアルト (kanji are left as they are);
- the word-joining middle dot (・) dropped, so デュアルユーステック finds デュアルユース・テック;
- runs of white space as one space.

Japanese is written without spaces, so a query is not split into words by a tokenizer: it is
split on the spaces the person typed, and every part must occur in the document.
"""

import re
import unicodedata

# Longer queries are cut to this length; no title, summary or name needs more.
MAX_QUERY_LENGTH = 100

_HIRAGANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
_DROPPED = {ord("・"): None, ord("･"): None}
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """`text` in the search normal form (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = text.translate(_HIRAGANA).translate(_DROPPED)
    return _SPACES.sub(" ", text).strip()


def terms(query: str) -> list[str]:
    """The parts of a query that must each occur in a document: normalised, split on spaces
    (ASCII or ideographic), duplicates dropped, at most MAX_QUERY_LENGTH characters read."""
    seen: list[str] = []
    for part in normalise((query or "")[:MAX_QUERY_LENGTH]).split(" "):
        if part and part not in seen:
            seen.append(part)
    return seen


def document(*texts) -> str:
    """The stored search document of an object: its texts, normalised, joined by newlines
    (a term never matches across two fields)."""
    return "\n".join(normalise(str(text)) for text in texts if text)
