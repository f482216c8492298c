"""Every HTML answer is compressed for a client that accepts gzip, cached or not, and the
dashboard's compressed answer is stitched from a frame compressed per request and its chart
cards compressed once (`cases.figures.assembled`): what a client unpacks is byte for byte the
plain answer."""

import gzip
import random
import zlib

import pytest

from cases.figures import assembled
from cases.figures.assembled import Piece, crc32_combine, gzipped

GZIP = {"accept-encoding": "gzip, deflate, br"}


def test_crc32_combine_is_zlibs_crc_of_the_concatenation():
    rng = random.Random(7)
    for length_a, length_b in ((0, 0), (1, 0), (0, 5), (13, 1000), (4096, 70_001)):
        a, b = rng.randbytes(length_a), rng.randbytes(length_b)
        assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


@pytest.mark.parametrize("seed", range(5))
def test_a_stitched_gzip_member_unpacks_to_the_plain_parts(seed):
    rng = random.Random(seed)
    words = ["<p>", "héllo", "日本語", "</p>", "\n", "chart", '{"x": [1, 2]}', "Ω"]

    def text(size):
        return "".join(rng.choice(words) for _ in range(size))

    pieces = [Piece(text(rng.randrange(0, 20_000))) for _ in range(3)]
    parts = []
    for _ in range(rng.randrange(1, 8)):
        parts.append(text(rng.randrange(0, 3000)))
        parts.append(rng.choice(pieces))
    parts.append(text(rng.randrange(0, 50)))
    plain = "".join(part.html if isinstance(part, Piece) else part for part in parts).encode()
    body = gzipped(parts)
    assert gzip.decompress(body) == plain  # checks the trailer's CRC-32 and length too
    assert zlib.decompress(body, 16 + zlib.MAX_WBITS) == plain


def test_a_piece_renders_as_its_placeholder_and_is_put_back(rf):
    from django.template import engines

    piece = Piece("<b>kept & escaped once</b>")
    template = engines["django"].from_string("<i>{{ piece }}</i>")
    frame = template.render({"piece": piece})
    assert frame == f"<i>{piece.placeholder}</i>"
    parts = assembled._split(frame, [piece])
    assert assembled._plain(parts) == b"<i><b>kept & escaped once</b></i>"


def _unpacked(response) -> bytes:
    if response.get("Content-Encoding") == "gzip":
        return gzip.decompress(response.content)
    assert not response.has_header("Content-Encoding")
    return response.content


@pytest.fixture
def uncached(settings):
    settings.PORTAL_FIGURE_CACHE = False


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/en/dashboard/",
        "/ja/dashboard/",
        "/en/dashboard/?from=2020&to=2024&region=miami&theme=energy",
        "/ja/dashboard/?region=nowhere",
    ],
)
@pytest.mark.parametrize("figure_cache", [False, True])
def test_the_dashboard_is_compressed_and_unpacks_to_the_plain_page(
    client, make_case, settings, url, figure_cache
):
    settings.PORTAL_FIGURE_CACHE = figure_cache
    make_case(region="miami", state="FL")
    plain = client.get(url)
    packed = client.get(url, headers=GZIP)
    assert plain.status_code == packed.status_code == 200
    assert not plain.has_header("Content-Encoding")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert "Accept-Encoding" in plain["Vary"]
    assert packed["ETag"] == "W/" + plain["ETag"]  # the same page, weakly, when encoded
    assert len(packed.content) < len(plain.content) / 3
    body = gzip.decompress(packed.content)
    assert body == plain.content
    assert b'<div class="dashboard-charts">' in body
    assert b"<!--piece:" not in body
    assert packed["Content-Security-Policy"] == plain["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/en/dashboard/", "/ja/dashboard/?from=2020&region=miami"])
@pytest.mark.parametrize("first", ["gzip", "plain"])
def test_the_kept_copy_is_readable_whichever_client_came_first(
    client, make_case, settings, url, first
):
    # The figure cache keeps the page compressed; when the first visitor's answer was already
    # compressed (the dashboard stitches its own), it is kept as it is, not compressed twice.
    settings.PORTAL_FIGURE_CACHE = True
    make_case(region="miami", state="FL")
    order = [GZIP, {}] if first == "gzip" else [{}, GZIP]
    answers = [client.get(url, headers=headers) for headers in order + order]
    plain = [a for a, headers in zip(answers, order + order, strict=True) if not headers]
    packed = [a for a, headers in zip(answers, order + order, strict=True) if headers]
    for response in plain:
        assert not response.has_header("Content-Encoding")
        assert response.content.startswith(b"<!doctype html>")
    for response in packed:
        assert response["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.content) == plain[0].content
    assert plain[0].content == plain[1].content


@pytest.mark.django_db
def test_every_uncached_html_page_is_compressed(client, make_case, uncached):
    case = make_case(region="miami", state="FL")
    for url in (
        "/en/",
        "/ja/",
        f"/en/cases/{case.pk}/",
        f"/ja/cases/{case.pk}/",
        "/en/cases/",
        "/en/regions/miami/",
        "/en/dashboard/compare/",
        "/en/no-such-page/",
    ):
        plain = client.get(url)
        packed = client.get(url, headers={"accept-encoding": "gzip"})
        assert packed.status_code == plain.status_code, url
        assert plain["Content-Type"].startswith("text/html"), url
        assert packed["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in packed["Vary"], url
        assert not plain.has_header("Content-Encoding"), url
        body = gzip.decompress(packed.content)
        # The same page (request ids and the like are headers, not body).
        assert body == plain.content, url


@pytest.mark.django_db
def test_downloads_and_small_answers_are_left_alone(client, make_case, uncached):
    make_case(region="miami", state="FL")
    csv = client.get("/en/dashboard/data/fiscal-year.csv", headers=GZIP)
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    assert not csv.has_header("Content-Encoding")
    api = client.get("/api/v1/stats/region/", headers=GZIP)
    assert api.status_code == 200
    assert not api["Content-Type"].startswith("text/html")
