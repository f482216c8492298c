"""What a browser transfers for the dashboard: on a first visit, and on a repeat visit.

First visit: the HTML and every asset it loads (stylesheets, scripts, icons, images, the
documents its SVG `<use>` elements refer to, and what the stylesheets load in turn), each
fetched with `Accept-Encoding: br, gzip` and counted as the bytes on the wire (compressed, as
served).

Repeat visit, with everything from the first visit in the browser's cache: an asset whose
response was immutable or fresh (Cache-Control max-age not yet expired) costs nothing; any other
is asked again with its validators (If-None-Match / If-Modified-Since) and costs its body unless
the answer is 304. The HTML is always asked again the same way.
"""

import gzip
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from bench.server import Server

ACCEPT = {"Accept-Encoding": "br, gzip", "Accept-Language": "en"}
LINK_RELS = {"stylesheet", "icon", "preload", "modulepreload", "apple-touch-icon"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
# A response cached for at least this long counts as fresh on a repeat visit.
FRESH_SECONDS = 60


class AssetFinder(HTMLParser):
    """The URLs of what an HTML page loads."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and set((attrs.get("rel") or "").lower().split()) & LINK_RELS:
            self._add(attrs.get("href"))
        elif tag in ("script", "img", "source", "video", "audio", "iframe") and attrs.get("src"):
            self._add(attrs.get("src"))
        if attrs.get("srcset"):
            self._add(attrs["srcset"].split(",")[0].split()[0])
        if tag == "video" and attrs.get("poster"):
            self._add(attrs["poster"])
        if tag == "use" and attrs.get("href"):  # an outline in another document: fetch it once
            self._add(attrs["href"].partition("#")[0])

    def _add(self, url):
        if url and not url.startswith(("data:", "#", "javascript:")) and url not in self.urls:
            self.urls.append(url)


@dataclass
class Asset:
    url: str
    status: int
    bytes: int
    encoding: str
    cache_control: str
    etag: str
    last_modified: str
    repeat_bytes: int = 0
    repeat_status: str = ""


@dataclass
class PageWeight:
    path: str
    assets: list[Asset] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    @property
    def first_visit(self) -> int:
        return sum(asset.bytes for asset in self.assets)

    @property
    def repeat_visit(self) -> int:
        return sum(asset.repeat_bytes for asset in self.assets)

    @property
    def ok(self) -> bool:
        return all(asset.status == 200 for asset in self.assets)


def max_age(cache_control: str) -> int:
    match = re.search(r"max-age=(\d+)", cache_control or "")
    return int(match.group(1)) if match else 0


def fresh(asset: Asset) -> bool:
    directives = (asset.cache_control or "").lower()
    if "no-store" in directives or "no-cache" in directives:
        return False
    return "immutable" in directives or max_age(directives) >= FRESH_SECONDS


def measure(server: Server, path: str = "/en/dashboard/") -> PageWeight:
    """What a first visit to `path` transfers (the page and everything it loads, followed
    from its HTML and CSS), then what a repeat visit does."""
    weight = PageWeight(path)
    queue = [path]
    seen = set()
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        asset, found = _fetch(server, url, path)
        weight.assets.append(asset)
        for link in found:
            absolute = urljoin(server.base_url + url, link)
            parts = urlsplit(absolute)
            if parts.netloc != urlsplit(server.base_url + path).netloc:
                weight.external.append(absolute)
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    for index, asset in enumerate(weight.assets):
        _repeat(server, asset, first=index == 0)
    return weight


def _fetch(server: Server, url: str, page: str) -> tuple[Asset, list[str]]:
    """One response as an Asset, and the links it holds: the assets of the page's HTML and
    the url()s of a stylesheet."""
    status, headers, body = server.get(url, headers=ACCEPT)
    asset = Asset(
        url,
        status,
        len(body),
        headers.get("content-encoding", ""),
        headers.get("cache-control", ""),
        headers.get("etag", ""),
        headers.get("last-modified", ""),
    )
    content_type = headers.get("content-type", "")
    if "text/html" not in content_type and "text/css" not in content_type:
        return asset, []
    text = decode(body, asset.encoding)
    if text is None:
        # Compressed in a way this Python cannot read: fetch a plain copy to parse.
        _, _, plain = server.get(url, headers={"Accept-Encoding": "identity"})
        text = plain.decode("utf-8", errors="replace")
    if "text/css" in content_type:
        return asset, [a or b for a, b in CSS_URL.findall(text)]
    if url != page:
        return asset, []
    finder = AssetFinder()
    finder.feed(text)
    return asset, finder.urls


def _repeat(server: Server, asset: Asset, *, first: bool) -> None:
    """The repeat visit: only what the browser's cache cannot answer by itself."""
    if not first and fresh(asset):
        asset.repeat_status = "cached"
        return
    conditional = dict(ACCEPT)
    if asset.etag:
        conditional["If-None-Match"] = asset.etag
    if asset.last_modified:
        conditional["If-Modified-Since"] = asset.last_modified
    status, _, body = server.get(asset.url, headers=conditional)
    asset.repeat_status = str(status)
    asset.repeat_bytes = 0 if status == 304 else len(body)


def decode(body: bytes, encoding: str) -> str | None:
    """The text of a body, or None when its content encoding cannot be undone here."""
    if encoding == "gzip":
        body = gzip.decompress(body)
    elif encoding:
        return None
    return body.decode("utf-8", errors="replace")
