"""Links from the showcase pages to the sections other apps serve."""

from django.urls import reverse

# The public sections other apps serve, by their route names.
SECTIONS = {
    "dashboard": "dashboard:index",
    "cases": "cases:list",
    "regions": "cases:region-list",
    "states": "cases:state-list",
}


def section_urls() -> dict[str, str]:
    """Each section's URL in the active language."""
    return {key: reverse(name) for key, name in SECTIONS.items()}


def case_url(pk: int) -> str:
    """A public case's page (the case browser's detail route)."""
    return reverse("cases:detail", kwargs={"pk": pk})
