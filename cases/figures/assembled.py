"""HTML pages put together from a frame rendered per request and large pieces kept in memory.

An uncached dashboard is a small frame (header, filter form, headline, footer: about 9 kB)
around a large block that changes only with the data (the chart cards with their figures'
JSON: over 400 kB). Encoding that block to UTF-8 and compressing it on every request would
cost more than all the rest of the request. So the block is kept as a `Piece`: its markup, its
UTF-8 bytes and a deflate segment of them, each made once. A request renders the frame with
the piece's placeholder in its place (`Piece.__html__`) and `assembled_response` joins the
frame's parts and the piece's bytes, compressing only the frame's parts:

- for a client that does not accept gzip, the frame's parts encoded and the piece's bytes;
- for one that does (nearly all), one gzip member (RFC 1952) whose deflate stream is the
  frame's parts, each compressed with a full flush (so nothing after refers back across a
  piece), and the piece's own segment, compressed on its own and ended with a sync flush (so it
  ends on a byte boundary and refers to nothing before it); the trailer's CRC-32 of the whole
  is combined from the parts' without reading the piece's bytes again.

The decompressed body is byte for byte what the plain one is.
"""

import re
import secrets
import struct
import zlib

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString

ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# The frame's parts are a few kB: level 6 (gzip's default) costs little more than level 1 here.
FRAME_LEVEL = 6
PIECE_LEVEL = 9  # made once per generation: the best ratio is worth its time
# The gzip header: deflate, no name, modification time 0 (unknown), unknown operating system.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
# Each piece's placeholder holds this process's random token, so no text a page shows (a case
# title, a search query) can be taken for a piece.
_TOKEN = secrets.token_hex(8)

# CRC-32 arithmetic over GF(2) (the reflected polynomial of zlib's crc32), to combine the
# CRC of a frame part with a piece's CRC computed once: crc(A + B) from crc(A), crc(B) and
# len(B), as zlib's crc32_combine does.
_POLY = 0xEDB88320


def _multiply(a: int, b: int) -> int:
    """a × b modulo the CRC polynomial (bit 31 is x⁰)."""
    product, mask = 0, 1 << 31
    while a:
        if a & mask:
            product ^= b
            a ^= mask
        mask >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return product


def _shift_operator(length: int) -> int:
    """x^(8 × length) modulo the polynomial: what appending `length` bytes does to a CRC."""
    result, power = 1 << 31, 1 << 30  # x⁰, x¹
    bits = length * 8
    while bits:
        if bits & 1:
            result = _multiply(power, result)
        power = _multiply(power, power)
        bits >>= 1
    return result


def crc32_combine(crc_a: int, crc_b: int, length_b: int) -> int:
    """zlib.crc32(a + b) from zlib.crc32(a), zlib.crc32(b) and len(b)."""
    return _multiply(_shift_operator(length_b), crc_a) ^ crc_b


class Piece:
    """A large block of markup kept between requests, with its UTF-8 bytes and a deflate
    segment of them. In a template it renders as its placeholder, which
    `assembled_response` replaces with the block."""

    __slots__ = ("_deflated", "_shift", "crc", "data", "html", "placeholder")

    def __init__(self, html: str):
        self.html = html
        self.data = html.encode()
        self.crc = zlib.crc32(self.data)
        self._shift = _shift_operator(len(self.data))
        self._deflated = None
        self.placeholder = SafeString(f"<!--piece:{_TOKEN}:{id(self):x}-->")

    def __html__(self) -> SafeString:
        return self.placeholder

    def __str__(self) -> SafeString:  # a template turns a value into a string first
        return self.placeholder

    def deflated(self) -> bytes:
        """The block as a raw deflate segment that refers to nothing before it and ends on a
        byte boundary without ending the stream: made on first use."""
        if self._deflated is None:
            self._deflated = deflate_segment(self.data)
        return self._deflated

    def after(self, crc: int) -> int:
        """The CRC-32 of some bytes followed by this block, from the CRC of those bytes."""
        return _multiply(self._shift, crc) ^ self.crc


def deflate_segment(data: bytes) -> bytes:
    """`data` as raw deflate blocks that refer to nothing before them and end on a byte
    boundary without ending the stream (a sync flush)."""
    compressor = zlib.compressobj(PIECE_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _split(frame: str, pieces) -> list:
    """The frame as a list of text parts and the pieces found in it, in order."""
    parts: list = [frame]
    for piece in pieces:
        text = parts[-1]
        before, found, after = text.partition(piece.placeholder)
        if found:
            parts[-1:] = [before, piece, after]
    return parts


def _plain(parts) -> bytes:
    return b"".join(part.data if isinstance(part, Piece) else part.encode() for part in parts)


def gzipped(parts) -> bytes:
    """One gzip member holding the text parts and pieces in order (see the module's text)."""
    compressor = zlib.compressobj(FRAME_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    out = [_GZIP_HEADER]
    crc = size = 0
    for part in parts:
        if isinstance(part, Piece):
            out.append(part.deflated())
            crc = part.after(crc)
            size += len(part.data)
        elif part:
            data = part.encode()
            out.append(compressor.compress(data))
            out.append(compressor.flush(zlib.Z_FULL_FLUSH))
            crc = zlib.crc32(data, crc)
            size += len(data)
    out.append(compressor.flush(zlib.Z_FINISH))
    out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(out)


def accepts_gzip(request) -> bool:
    return bool(ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def assembled_response(request, template_name: str, context: dict, status: int = 200):
    """The template rendered with the context's pieces put in: gzip-encoded when the client
    accepts it, plain otherwise (and varying on Accept-Encoding either way)."""
    frame = render_to_string(template_name, context, request)
    parts = _split(frame, [value for value in context.values() if isinstance(value, Piece)])
    if accepts_gzip(request):
        response = HttpResponse(gzipped(parts), status=status)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(_plain(parts), status=status)
    patch_vary_headers(response, ["Accept-Encoding"])
    return response
