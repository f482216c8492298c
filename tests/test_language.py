"""One bilingual vocabulary: grassroots.language decides the page language and the fallback."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from grassroots import language
from grassroots.language import fallback_marker, is_japanese, localized, page_language, pick

ROOT = Path(__file__).resolve().parent.parent
APPS = ["audit", "bench", "cases", "dashboard", "exchange", "grassroots", "security", "showcase"]
APPS += ["reports", "staff", "templates"]

# Ways of asking "is this page Japanese?" or choosing a bilingual field by hand. Only
# grassroots/language.py may ask Django for the language.
PYTHON_FORBIDDEN = [
    (re.compile(r"get_language\("), "asks Django for the language"),
    (re.compile(r"""startswith\(\s*["']ja"""), "tests a language code by hand"),
    (re.compile(r"""[=!]=\s*["']ja["']|["']ja["']\s*[=!]="""), "compares with 'ja' by hand"),
    (re.compile(r"_(?:ja|en)\s+or\s+[\w.\[\]\"']*_(?:en|ja)\b"), "hand-made bilingual fallback"),
]
TEMPLATE_FORBIDDEN = [
    (re.compile(r"""LANGUAGE_CODE\s*[=!]=\s*["']"""), "compares the page language by hand"),
    (re.compile(r"get_current_language as (?!LANGUAGE_CODE)"), "a second language variable"),
    (re.compile(r"""current\s*==\s*["']ja"""), "compares the page language by hand"),
]


def _sources(suffix: str):
    for app in APPS:
        folder = ROOT / app
        if not folder.exists():
            continue
        for path in folder.rglob(f"*{suffix}"):
            if "migrations" in path.parts or path == ROOT / "grassroots" / "language.py":
                continue
            yield path


def test_no_app_decides_the_language_or_the_fallback_by_itself():
    found = []
    for path in _sources(".py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern, why in PYTHON_FORBIDDEN:
                if pattern.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {why}: {line.strip()}")
    for path in _sources(".html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern, why in TEMPLATE_FORBIDDEN:
                if pattern.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {why}: {line.strip()}")
    assert not found, "Use grassroots.language instead:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("ja", "ja"), ("ja-jp", "ja"), ("JA", "ja"), ("en", "en"), ("en-us", "en"), ("", "en")],
)
def test_page_language_reduces_any_code_to_the_two_the_portal_speaks(code, expected):
    assert page_language(code) == expected
    assert is_japanese(code) is (expected == "ja")


def test_page_language_follows_the_active_language():
    with translation.override("ja"):
        assert page_language() == "ja"
        assert is_japanese()
    with translation.override("en"):
        assert page_language() == "en"
        assert not is_japanese()
    with translation.override(None):
        assert page_language() == "en"


class Thing:
    def __init__(self, en, ja):
        self.title_en, self.title_ja = en, ja


def test_localized_uses_one_fallback_rule():
    with translation.override("ja"):
        assert localized(Thing("Miami", "マイアミ"), "title") == pick("Miami", "マイアミ")
        text = localized(Thing("Miami", "マイアミ"), "title")
        assert (text.text, text.lang, text.fallback) == ("マイアミ", "ja", False)
        # Blank or spaces only count as missing: the other language's text, marked.
        for blank in ("", "  ", None):
            text = localized(Thing("Miami", blank), "title")
            assert (text.text, text.lang, text.fallback) == ("Miami", "en", True)
        empty = localized(Thing("", ""), "title")
        assert (empty.text, empty.fallback, bool(empty)) == ("", False, False)
    with translation.override("en"):
        text = localized(Thing("", "マイアミ"), "title")
        assert (text.text, text.lang, text.fallback) == ("マイアミ", "ja", True)
        assert localized(Thing("", "マイアミ"), "title", "ja").fallback is False


def test_one_fallback_marker_in_the_page_language():
    with translation.override("ja"):
        marker = fallback_marker(pick("Miami", ""))
        assert marker == '<span class="lang-fallback" lang="ja">英語のみ</span>'
        assert fallback_marker(pick("Miami", "マイアミ")) == ""
        assert fallback_marker("plain text") == ""
    with translation.override("en"):
        marker = fallback_marker(pick("", "マイアミ"))
        assert marker == '<span class="lang-fallback" lang="en">Japanese only</span>'


def test_context_processor_tells_templates():
    with translation.override("ja"):
        assert language.context(None) == {"page_language": "ja", "is_japanese": True}
