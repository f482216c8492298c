"""How places are written, in English and in Japanese order.

English goes from small to large ("Miami, Florida"); Japanese from large to small with no
separator after a state whose name ends in 州 (「フロリダ州マイアミ」) and a middle dot after a
territory (「グアム・ハガニア」). Washington, D.C. is written alone in both.

A Japanese page never shows an English city: a case whose Japanese city is blank is written
by its state alone on /ja/ (and flagged to staff, see `missing_japanese_city`).
"""

from django.utils.translation import gettext, ngettext

from grassroots.language import is_japanese, localized, page_language

# How many states a district's lead sentence names before it gives a count instead.
NAMED_STATES = 3


def _state_name(state, language: str) -> str:
    return state.name_ja if is_japanese(language) else state.name_en


def city_name(obj, language: str | None = None) -> str:
    """An object's city (`city_en`/`city_ja`) in the language, with no English on a Japanese
    page: blank when the Japanese form is missing."""
    if is_japanese(language):
        return (obj.city_ja or "").strip()
    return localized(obj, "city", language).text.strip()


def place_parts(city: str, state, language: str | None = None) -> list[tuple[str, bool]]:
    """A city and its state as pieces in the language's order, each (text, is the state's
    name), so a template can link the state: [("Miami", False), (", ", False),
    ("Florida", True)] or [("フロリダ州", True), ("マイアミ", False)]."""
    language = page_language(language)
    if state is None:
        return [(city, False)] if city else []
    state_name = _state_name(state, language)
    if state.code == "DC":
        return [(city, False)] if city else [(state_name, True)]
    if not city:
        return [(state_name, True)]
    if is_japanese(language):
        if state_name.endswith("州"):
            return [(state_name, True), (city, False)]
        return [(state_name, True), ("・", False), (city, False)]
    return [(city, False), (", ", False), (state_name, True)]


def city_in_state(city: str, state, language: str | None = None) -> str:
    """A city and its state in the language's order: "Miami, Florida", 「フロリダ州マイアミ」."""
    return "".join(text for text, _is_state in place_parts(city, state, language))


def case_place(case, language: str | None = None) -> str:
    """Where a case took place: city and state, the state alone, or nationwide."""
    place = city_in_state(city_name(case, language), case.state, language)
    return place or gettext("Nationwide (no single state)")


def district_lead(region, states, language: str | None = None) -> str:
    """The first sentence of a region's page: where its mission is and what its district holds.

    `states` are the states and territories of the district (not the "no single state" row).
    Up to NAMED_STATES are named; more are counted.
    English: "Based in Miami; its district covers Florida, Puerto Rico and the U.S. Virgin
    Islands." Japanese: 「マイアミを拠点に、フロリダ州、プエルトリコ、米領バージン諸島を管轄。」
    """
    language = page_language(language)
    city = city_name(region, language) or region.name
    names = [_state_name(state, language) for state in states]
    count = len(names)
    if 0 < count <= NAMED_STATES:
        if is_japanese(language):
            return gettext("Based in %(city)s; its district covers %(states)s.") % {
                "city": city,
                "states": "、".join(names),
            }
        listed = names[0] if count == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return gettext("Based in %(city)s; its district covers %(states)s.") % {
            "city": city,
            "states": listed,
        }
    return ngettext(
        "Based in %(city)s; its district covers %(count)s state or territory.",
        "Based in %(city)s; its district covers %(count)s states and territories.",
        count,
    ) % {"city": city, "count": count}


def missing_japanese_city(case) -> bool:
    """Whether a case names a city in English only: staff are told to add the Japanese form."""
    return bool((case.city_en or "").strip()) and not (case.city_ja or "").strip()
