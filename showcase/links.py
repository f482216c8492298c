"""Links to pages other apps build, which may not exist yet (or may be switched off)."""

from django.urls import NoReverseMatch, reverse

from grassroots.language import page_language


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
    return reverse_or_none("cases:detail", pk=pk) or f"/{page_language()}/cases/{pk}/"
