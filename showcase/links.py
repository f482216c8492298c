"""Links to pages other apps build, which may not exist yet (or may be switched off)."""

from django.urls import NoReverseMatch, reverse
from django.utils import translation


def _language() -> str:
    return "ja" if (translation.get_language() or "en").startswith("ja") else "en"


def reverse_or_none(name: str, **kwargs) -> str | None:
    """The URL of a named route, or None when the route does not exist."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


# The public sections other apps serve, by their route names.
SECTIONS = {
    "dashboard": "dashboard:index",
    "cases": "cases:list",
    "regions": "cases:region-list",
    "states": "cases:state-list",
}


def section_urls() -> dict[str, str | None]:
    """Each section's URL in the active language, or None while its route does not exist,
    so a link never leads to a 404."""
    return {key: reverse_or_none(name) for key, name in SECTIONS.items()}


def case_url(pk: int) -> str:
    """A public case's page: the case browser's detail route, or its documented address."""
    return reverse_or_none("cases:detail", pk=pk) or f"/{_language()}/cases/{pk}/"
