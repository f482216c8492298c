"""The portal's bilingual vocabulary: which language a page is in, and which text it shows.

Every app asks this module, never `translation.get_language()` directly (a test forbids other
ad-hoc checks):

- `page_language()` is "ja" or "en", the language of the page being rendered;
  `is_japanese()` says whether that is Japanese. Both take an explicit language code too
  (a report's language, a requested language), normalised the same way.
- `localized(obj, "title")` picks `obj.title_ja` or `obj.title_en` by one rule: the page
  language's text when it is not blank, else the other language's, marked as a fallback.
- `fallback_marker(text)` is the one visible marker for text shown in the other language.
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

JAPANESE, ENGLISH = "ja", "en"
LANGUAGES = (ENGLISH, JAPANESE)


def page_language(language: str | None = None) -> str:
    """'ja' or 'en': the given language code, or the active one, reduced to the two we speak."""
    code = language if language is not None else translation.get_language()
    return JAPANESE if (code or ENGLISH).lower().startswith(JAPANESE) else ENGLISH


def is_japanese(language: str | None = None) -> bool:
    """Whether the page (or the given language code) is Japanese."""
    return page_language(language) == JAPANESE


def join_sentences(parts, language: str | None = None) -> str:
    """Sentences one after another in the page's (or the given) language: Japanese ones with
    no space between them (。の後に半角スペースを入れない), English ones with one."""
    return ("" if is_japanese(language) else " ").join(str(part) for part in parts if part)


def other_language(language: str | None = None) -> str:
    """The language the page is not in."""
    return ENGLISH if is_japanese(language) else JAPANESE


@dataclass(frozen=True)
class LocalizedText:
    """A bilingual field's text in the page language, or in the other one when that is blank.

    `lang` is the language the text is actually in, `fallback` whether it differs from the
    page's, so a template can mark the text (`lang` attribute, the fallback marker).
    """

    text: str
    lang: str
    fallback: bool

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    def __len__(self) -> int:
        return len(self.text)


def pick(en: str | None, ja: str | None, language: str | None = None) -> LocalizedText:
    """The one fallback rule, for a pair of texts: the page language's unless it is blank
    (empty or only spaces), else the other's. Both blank gives an empty text, no fallback."""
    current = page_language(language)
    texts = {ENGLISH: en or "", JAPANESE: ja or ""}
    if texts[current].strip():
        return LocalizedText(texts[current], current, fallback=False)
    other = other_language(current)
    if texts[other].strip():
        return LocalizedText(texts[other], other, fallback=True)
    return LocalizedText("", current, fallback=False)


def localized(obj, field: str, language: str | None = None) -> LocalizedText:
    """`obj.<field>_en` / `obj.<field>_ja` in the page language, by the one fallback rule."""
    return pick(getattr(obj, f"{field}_en", ""), getattr(obj, f"{field}_ja", ""), language)


def fallback_marker(value) -> SafeString | str:
    """The visible note after a text shown in the other language than the page's.

    `value` is a LocalizedText; anything else (a plain string) never needs a marker. The note
    is in the page's language and says so with its own `lang` (it sits inside an element
    marked with the text's language).
    """
    if not getattr(value, "fallback", False):
        return ""
    label = gettext("English only") if value.lang == ENGLISH else gettext("Japanese only")
    return format_html(
        '<span class="lang-fallback" lang="{}">{}</span>', other_language(value.lang), label
    )


def context(request) -> dict:
    """Template context processor: `page_language` and `is_japanese` for every template."""
    return {"page_language": page_language(), "is_japanese": is_japanese()}
