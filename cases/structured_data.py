"""schema.org structured data for search engines: a held case as an `Event`, in JSON-LD.

The pages put it in `<script type="application/ld+json">` (`json_ld_script`). Such a script is
data that no browser runs, so the Content Security Policy (script-src 'self') does not apply
to it; its text is escaped so that no value can close the element early.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cases.places import case_place, city_name
from grassroots.language import localized, page_language

SCHEMA = "https://schema.org"
COUNTRY = "US"

# Characters that could end the <script> element or start markup inside it, written as JSON
# escapes: the parsed JSON is the same.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def case_event(case, *, url: str, name: str = "", description: str = "", image: str = ""):
    """A held case as a schema.org Event (a dict ready for JSON), in the page language.

    `url` is the page's absolute address; a best-practice page passes its own title, lead and
    image. The case's region, state and themes must be loaded. Location: the city and state
    (USPS code) in the US, or the country alone for a case with no single state. Organizer:
    the Japanese mission that led it, within the task force.
    """
    language = page_language()
    address = {"@type": "PostalAddress", "addressCountry": COUNTRY}
    city = city_name(case, language)
    if city:
        address["addressLocality"] = city
    if case.state_id:
        address["addressRegion"] = case.state.code
    summary = localized(case, "summary", language).text
    event = {
        "@context": SCHEMA,
        "@type": "Event",
        "@id": f"{url}#event",
        "url": url,
        "name": name or case.title,
        "description": description or summary or case_place(case, language),
        "startDate": case.start_date.isoformat(),
        "endDate": (case.end_date or case.start_date).isoformat(),
        "eventStatus": f"{SCHEMA}/EventScheduled",
        "inLanguage": language,
        "location": {
            "@type": "Place",
            "name": case_place(case, language),
            "address": address,
        },
        "organizer": {
            "@type": "GovernmentOrganization",
            "name": case.region.mission_name,
            "parentOrganization": {
                "@type": "GovernmentOrganization",
                "name": _("Task Force on Strengthening Japan–US Relations from the Grassroots"),
            },
        },
    }
    if image:
        event["image"] = image
    return event


def json_ld_script(data) -> SafeString:
    """`data` as JSON inside <script type="application/ld+json">, safe to put in a page."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=None)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_SCRIPT_ESCAPES)),  # escaped for a script element above
    )
