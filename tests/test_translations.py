"""Both languages are complete: every message is translated and the committed .mo matches."""

import ast
import gettext
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "ja" / "LC_MESSAGES"


def read_po(path: Path) -> list[dict]:
    """A small reader for the .po format as makemessages writes it."""
    entries, entry, field = [], None, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"flags": ""}
        if line.startswith("#,"):
            entry["flags"] += line[2:]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            field, _, value = line.partition(" ")
            entry[field] = ast.literal_eval(value)
    return [e for e in entries if e["msgid"]]


def test_every_message_has_a_japanese_translation():
    entries = read_po(LOCALE / "django.po")
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]"))]
    assert untranslated == []


def test_no_translation_is_marked_fuzzy():
    assert [e["msgid"] for e in read_po(LOCALE / "django.po") if "fuzzy" in e["flags"]] == []


def test_compiled_catalogue_matches_the_source():
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in read_po(LOCALE / "django.po"):
        if "msgid_plural" in entry:
            assert (
                compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr[0]"]
            )
        elif "msgctxt" in entry:
            assert compiled.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]
