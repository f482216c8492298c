"""The language switch in every page's header: this page in each language, with its query
string, the page's own language marked as current; each language named in its own words."""

import re

import pytest

SWITCH = re.compile(
    r'<nav class="lang-switch" aria-label="(?P<label>[^"]+)">(?P<links>.*?)</nav>', re.S
)
LINK = re.compile(
    r'<a href="(?P<href>[^"]+)" lang="(?P<lang>\w+)" hreflang="(?P=lang)"'
    r'(?P<current> aria-current="true")?>(?P<name>[^<]+)</a>'
)


def switch(html: str) -> tuple[str, list[dict]]:
    found = SWITCH.search(html)
    return found["label"], [m.groupdict() for m in LINK.finditer(found["links"])]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "label", "links"),
    [
        (
            "/en/dashboard/",
            "Language",
            [("/en/dashboard/", "en", True, "English"), ("/ja/dashboard/", "ja", False, "日本語")],
        ),
        (
            "/ja/cases/?q=museum&amp;region=miami",
            "言語",
            [
                ("/en/cases/?q=museum&amp;region=miami", "en", False, "English"),
                ("/ja/cases/?q=museum&amp;region=miami", "ja", True, "日本語"),
            ],
        ),
    ],
)
def test_the_switch_links_this_page_in_each_language(client, path, label, links):
    response = client.get(path.replace("&amp;", "&"))
    assert response.status_code == 200
    found_label, found = switch(response.text)
    assert found_label == label
    assert [
        (link["href"], link["lang"], bool(link["current"]), link["name"]) for link in found
    ] == links


@pytest.mark.django_db
def test_the_query_string_is_escaped_in_the_switch(client):
    response = client.get('/en/cases/?q="><script>x</script>')
    _label, links = switch(response.text)
    assert "<script>x" not in response.text.split('<nav class="lang-switch"')[1].split("</nav>")[0]
    assert all('"' not in link["href"] for link in links)
