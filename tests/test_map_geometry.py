"""The map's outlines travel once (`cases.maps.geometry`): the page's shapes are `<use>`
references, coloured by the page, into one SVG document served at an address named by its
content, which browsers and shared caches may keep for a year."""

import gzip
import re
from xml.etree import ElementTree

import pytest

from cases import geo, maps

SVG = "{http://www.w3.org/2000/svg}"
USE = re.compile(r'<use href="(?P<url>[^"#]+)#(?P<id>[^"]+)"(?P<attrs>[^>]*)/>')


def page_uses(html: str) -> list[re.Match]:
    return list(USE.finditer(html))


def document_ids(svg: bytes) -> dict[str, ElementTree.Element]:
    root = ElementTree.fromstring(svg)
    return {element.get("id"): element for element in root.iter(f"{SVG}path")}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_shape_on_the_page_is_an_outline_of_the_served_document(client, language):
    html = client.get(f"/{language}/dashboard/").text
    uses = page_uses(html)
    assert uses
    urls = {use["url"] for use in uses}
    assert urls == {maps.geometry().url}
    served = client.get(urls.pop())
    assert served.status_code == 200
    assert served["Content-Type"] == "image/svg+xml"
    ids = document_ids(served.content)
    assert {use["id"] for use in uses} <= set(ids)
    # The page holds no outline of its own: its map is references and colours.
    assert not re.search(r'<path[^>]* d="', html)


@pytest.mark.django_db
def test_the_document_holds_every_part_and_line_uncoloured():
    parts = geo.state_parts()
    ids = document_ids(maps.geometry().svg)
    for shape in parts:
        assert ids[maps.outline_id(shape.key)].get("d") == shape.d
        if shape.outline:  # a split state's part: its edge without the county lines inside
            assert ids[maps.edge_id(shape.key)].get("d") == shape.outline
    for state, d in geo.district_lines(parts).items():
        assert ids[maps.line_id(state)].get("d") == d
    assert {"CA-los-angeles", "CA-san-francisco"} <= {key[2:] for key in ids}
    # Colour and stroke come from each <use> and the page's style sheet.
    for element in ids.values():
        assert set(element.attrib) == {"id", "d"}


@pytest.mark.django_db
def test_the_page_colours_each_outline(client, make_case):
    make_case(region="miami", state="FL")
    html = client.get("/en/dashboard/").text
    svg = re.search(r'data-view="states">(.*?)</svg>', html, re.S).group(1)
    florida = re.search(r'<a [^>]*data-key="FL"[^>]*>(.*?)</a>', svg, re.S).group(1)
    fill, edge = page_uses(florida)
    assert (fill["id"], edge["id"]) == ("s-FL", "s-FL")  # a whole state's edge is its outline
    colour = maps.colour(1, 1)
    assert f'class="us-map-fill" fill="{colour}" stroke="{colour}"' in fill["attrs"]
    assert edge["attrs"] == ' class="us-map-edge"'
    california = re.search(r'<a [^>]*data-key="CA:los-angeles"[^>]*>(.*?)</a>', svg, re.S)
    assert [use["id"] for use in page_uses(california.group(1))] == [
        "s-CA-los-angeles",
        "e-CA-los-angeles",
    ]
    # A district is every state and part it holds.
    districts = re.search(r'data-view="districts">(.*?)</svg>', html, re.S).group(1)
    new_york = re.search(r'<a [^>]*data-key="new-york"[^>]*>(.*?)</a>', districts, re.S)
    assert {use["id"] for use in page_uses(new_york.group(1))} >= {"s-NY", "s-CT-new-york"}


@pytest.mark.django_db
def test_its_address_is_kept_for_a_year_and_an_old_one_is_asked_again(client):
    found = maps.geometry()
    current = client.get(found.url)
    assert current["Cache-Control"] == "public, max-age=31536000, immutable"
    assert current["ETag"] == f'"{found.digest}"'
    assert re.fullmatch(r"/maps/us-[0-9a-f]{20}\.svg", found.url)
    old = client.get("/maps/us-00000000000000000000.svg")
    assert old.status_code == 200
    assert old.content == current.content
    assert old["Cache-Control"] == "no-cache"
    for wrong in ("/maps/us-nothex.svg", "/maps/us-0123.svg", "/maps/us-" + "0" * 21 + ".svg"):
        assert client.get(wrong).status_code == 404
    assert client.post(found.url).status_code == 405


@pytest.mark.django_db
def test_it_travels_compressed_when_the_browser_accepts_it(client):
    found = maps.geometry()
    plain = client.get(found.url)
    packed = client.get(found.url, headers={"accept-encoding": "gzip, br"})
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content == found.svg
    assert len(packed.content) < len(plain.content) / 3
    assert "Accept-Encoding" in packed["Vary"]
