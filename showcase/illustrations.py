"""The showcase's stock illustrations, drawn with Pillow so they can be redrawn and changed.

    .venv/bin/python -m showcase.illustrations

writes showcase/static/showcase/demo/{transport,panel,chip}.png (1600 × 900). They are simple
abstract pictures in the portal's colours, with no text, for pages that have no photograph:
an elevated railway, a panel of speakers, a circuit chip. Each is drawn at twice the size and
scaled down, which smooths the edges.

It also writes their OpenGraph cards, showcase/static/showcase/og/{transport,panel,chip}.png,
and portal.png for a page with no image: 1200 × 630, the size link previews (Facebook,
LinkedIn, X, messaging apps) show without cropping. An uploaded photograph gets its card from
the server (`og_card`, the same crop).
"""

import math
from pathlib import Path

from PIL import Image, ImageDraw

# The same as showcase.models.ILLUSTRATION_SIZE (kept free of Django so this runs alone).
ILLUSTRATION_SIZE = (1600, 900)
OUT = Path(__file__).resolve().parent / "static" / "showcase" / "demo"
SCALE = 2
W, H = (side * SCALE for side in ILLUSTRATION_SIZE)

NAVY = (29, 63, 114)
NAVY_DARK = (18, 38, 70)
RED = (179, 32, 42)
CREAM = (244, 241, 236)
PAPER = (255, 255, 255)


def _mix(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _vertical_gradient(top, bottom) -> Image.Image:
    column = Image.new("RGB", (1, H))
    for y in range(H):
        column.putpixel((0, y), _mix(top, bottom, y / (H - 1)))
    return column.resize((W, H))


def _s(*values):
    """Coordinates given for 1600 × 900, scaled to the drawing size."""
    return [v * SCALE for v in values]


def transport() -> Image.Image:
    """An elevated railway crossing a city at dawn."""
    img = _vertical_gradient((214, 226, 240), (247, 236, 224))
    d = ImageDraw.Draw(img)
    # The sun, low, with a pale halo.
    d.ellipse(_s(1100, 170, 1380, 450), fill=(240, 222, 214))
    d.ellipse(_s(1150, 220, 1330, 400), fill=(246, 196, 170))
    # A distant skyline in two layers.
    far, near = (196, 210, 228), (172, 190, 214)
    x = 0
    heights = [180, 260, 210, 330, 240, 290, 200, 360, 250, 220, 300, 190, 270, 230, 310, 210]
    for i, h in enumerate(heights * 2):
        width = 70 + (i * 37) % 60
        d.rectangle(_s(x, 560 - h, x + width, 640), fill=far)
        x += width + 8
        if x > 1600:
            break
    x = 30
    for i, h in enumerate([140, 200, 170, 240, 150, 210, 180, 260, 160, 190, 220, 170]):
        width = 90 + (i * 23) % 50
        d.rectangle(_s(x, 620 - h, x + width, 660), fill=near)
        for wy in range(620 - h + 20, 640, 36):
            for wx in range(x + 14, x + width - 14, 26):
                d.rectangle(_s(wx, wy, wx + 10, wy + 14), fill=(190, 205, 225))
        x += width + 40
        if x > 1600:
            break
    # Ground.
    d.rectangle(_s(0, 660, 1600, 900), fill=(232, 226, 216))
    d.rectangle(_s(0, 780, 1600, 792), fill=(220, 212, 200))
    # Trees: simple rounded shapes along the ground.
    for tx in range(40, 1600, 170):
        d.ellipse(_s(tx, 640, tx + 70, 710), fill=(150, 176, 160))
        d.rectangle(_s(tx + 32, 700, tx + 38, 730), fill=(120, 140, 128))
    # The guideway on its pillars.
    for px in range(120, 1600, 260):
        d.polygon(_s(px, 560, px + 44, 560, px + 54, 900, px - 10, 900), fill=NAVY)
    d.rectangle(_s(0, 540, 1600, 580), fill=NAVY)
    d.rectangle(_s(0, 580, 1600, 592), fill=NAVY_DARK)
    # The train: three cars and a rounded nose, a red band and a window band.
    body = (250, 250, 252)
    top, bottom = 428, 536
    d.rounded_rectangle(_s(170, top, 1330, bottom), radius=22 * SCALE, fill=body)
    d.polygon(_s(1300, top, 1352, top, 1410, bottom - 14, 1400, bottom, 1300, bottom), fill=body)
    d.polygon(_s(170, 500, 1394, 500, 1400, 512, 170, 512), fill=RED)
    d.rounded_rectangle(_s(195, 448, 1300, 486), radius=8 * SCALE, fill=(44, 78, 128))
    for first, last in ((215, 540), (580, 925), (965, 1290)):
        for wx in range(first, last - 40, 62):
            d.rounded_rectangle(_s(wx, 454, wx + 44, 480), radius=4 * SCALE, fill=(170, 196, 228))
    d.polygon(_s(1318, 448, 1360, 448, 1384, 486, 1318, 486), fill=(44, 78, 128))
    for gap in (556, 943):
        d.rectangle(_s(gap, top + 4, gap + 6, bottom), fill=(214, 218, 226))
    for wheel in range(230, 1340, 190):
        d.rounded_rectangle(_s(wheel, 532, wheel + 70, 544), radius=4 * SCALE, fill=NAVY_DARK)
    return img


def panel() -> Image.Image:
    """A panel of four speakers at a long table, a molecule and a helix behind them."""
    img = _vertical_gradient((247, 243, 237), (236, 230, 221))
    d = ImageDraw.Draw(img)
    # A screen behind the panel, with a double helix.
    d.rounded_rectangle(_s(280, 90, 1320, 520), radius=18 * SCALE, fill=(226, 233, 243))
    strand_a, strand_b = [], []
    for i in range(0, 901):
        x = 350 + i
        phase = i / 900 * 4 * math.pi
        strand_a.append((x, 305 + 120 * math.sin(phase)))
        strand_b.append((x, 305 - 120 * math.sin(phase)))
    for i in range(0, 901, 45):
        (xa, ya), (_, yb) = strand_a[i], strand_b[i]
        d.line(_s(xa, ya, xa, yb), fill=(190, 204, 226), width=6 * SCALE)
    for strand, colour in ((strand_a, NAVY), (strand_b, RED)):
        d.line([tuple(v * SCALE for v in p) for p in strand], fill=colour, width=10 * SCALE)
    # A molecule at the top left.
    nodes = [(110, 190), (180, 150), (250, 190), (250, 270), (180, 310), (110, 270), (180, 80)]
    for a, b in [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0), (1, 6)]:
        d.line(_s(*nodes[a], *nodes[b]), fill=(201, 190, 176), width=6 * SCALE)
    for x, y in nodes:
        d.ellipse(_s(x - 16, y - 16, x + 16, y + 16), fill=(214, 200, 184))
    # Four speakers: head and shoulders, each in its own tone.
    tones = [(179, 32, 42), (29, 63, 114), (71, 122, 128), (196, 140, 62)]
    skin = [(236, 200, 170), (198, 150, 118), (224, 184, 150), (150, 108, 84)]
    hair = [(48, 36, 32), (30, 26, 24), (92, 64, 44), (40, 32, 30)]
    for i, (tone, face, hair_colour) in enumerate(zip(tones, skin, hair, strict=True)):
        cx = 370 + i * 290
        d.rounded_rectangle(_s(cx - 95, 560, cx + 95, 760), radius=70 * SCALE, fill=tone)
        d.ellipse(_s(cx - 62, 392, cx + 62, 516), fill=hair_colour)
        d.ellipse(_s(cx - 52, 416, cx + 52, 540), fill=face)
        d.rectangle(_s(cx - 20, 530, cx + 20, 566), fill=face)
    # The table, a cloth and microphones.
    d.rectangle(_s(150, 680, 1450, 720), fill=NAVY_DARK)
    d.rectangle(_s(180, 720, 1420, 900), fill=NAVY)
    d.rectangle(_s(180, 720, 1420, 736), fill=RED)
    for i in range(4):
        cx = 370 + i * 290
        d.line(_s(cx + 40, 680, cx + 70, 610), fill=(60, 60, 66), width=5 * SCALE)
        d.ellipse(_s(cx + 60, 596, cx + 82, 618), fill=(60, 60, 66))
        d.rounded_rectangle(_s(cx - 60, 660, cx - 20, 680), radius=3 * SCALE, fill=PAPER)
    return img


def chip() -> Image.Image:
    """A chip on a circuit board, its traces running out, and a small drone above."""
    img = _vertical_gradient((20, 40, 74), (31, 66, 118))
    d = ImageDraw.Draw(img)
    trace, node = (84, 122, 178), (140, 176, 224)
    cx, cy = 800, 470
    # Circuit traces fanning out from each side of the chip (they diverge, so never cross),
    # each ending in a pad.
    sides = [
        ((1, 0), (0, 1), 170, 90, 0.55),
        ((-1, 0), (0, 1), 170, 90, 0.55),
        ((0, -1), (1, 0), 70, 40, 0.5),
        ((0, 1), (1, 0), 60, 36, 0.5),
    ]
    for (dx, dy), (px, py), reach, run, fan in sides:
        for k in range(-4, 5):
            o = k * 34
            spread = o * fan
            x0, y0 = cx + dx * 214 + px * o, cy + dy * 214 + py * o
            x1, y1 = x0 + dx * 30, y0 + dy * 30
            x2, y2 = x1 + dx * run + px * spread, y1 + dy * run + py * spread
            extra = reach * (0.4 + ((k * 7) % 5) / 5)
            x3, y3 = x2 + dx * extra, y2 + dy * extra
            pts = [(x0, y0), (x1, y1), (x2, y2), (x3, y3)]
            d.line([tuple(v * SCALE for v in p) for p in pts], fill=trace, width=5 * SCALE)
            d.ellipse(_s(x3 - 9, y3 - 9, x3 + 9, y3 + 9), outline=node, width=4 * SCALE)
    # The chip: package, pins, die.
    d.rounded_rectangle(
        _s(cx - 190, cy - 190, cx + 190, cy + 190), radius=22 * SCALE, fill=(36, 74, 132)
    )
    for k in range(-4, 5):
        o = k * 34
        d.rectangle(_s(cx + 190, cy + o - 8, cx + 214, cy + o + 8), fill=(200, 208, 220))
        d.rectangle(_s(cx - 214, cy + o - 8, cx - 190, cy + o + 8), fill=(200, 208, 220))
        d.rectangle(_s(cx + o - 8, cy - 214, cx + o + 8, cy - 190), fill=(200, 208, 220))
        d.rectangle(_s(cx + o - 8, cy + 190, cx + o + 8, cy + 214), fill=(200, 208, 220))
    d.rounded_rectangle(_s(cx - 110, cy - 110, cx + 110, cy + 110), radius=10 * SCALE, fill=RED)
    for g in range(-80, 81, 40):
        d.line(_s(cx + g, cy - 96, cx + g, cy + 96), fill=(205, 70, 78), width=3 * SCALE)
        d.line(_s(cx - 96, cy + g, cx + 96, cy + g), fill=(205, 70, 78), width=3 * SCALE)
    d.ellipse(_s(cx - 30, cy - 30, cx + 30, cy + 30), fill=(240, 232, 226))
    # A small drone, top right: an X frame and four rotors.
    dx, dy = 1390, 120
    for ax, ay in ((-1, -1), (1, -1), (-1, 1), (1, 1)):
        d.line(_s(dx, dy, dx + ax * 70, dy + ay * 46), fill=(214, 222, 234), width=8 * SCALE)
        rx, ry = dx + ax * 70, dy + ay * 46
        d.ellipse(_s(rx - 44, ry - 10, rx + 44, ry + 10), outline=(214, 222, 234), width=4 * SCALE)
    d.rounded_rectangle(_s(dx - 26, dy - 18, dx + 26, dy + 18), radius=8 * SCALE, fill=PAPER)
    d.ellipse(_s(dx - 6, dy - 6, dx + 6, dy + 6), fill=RED)
    return img


def portal() -> Image.Image:
    """The portal's own card, for a page with no picture: a red sun over navy and cream bands."""
    img = _vertical_gradient(CREAM, (232, 226, 216))
    d = ImageDraw.Draw(img)
    d.ellipse(_s(620, 170, 980, 530), fill=RED)
    for i, y in enumerate(range(600, 900, 60)):
        d.rectangle(_s(0, y, 1600, y + 30), fill=NAVY if i % 2 == 0 else NAVY_DARK)
    return img


DRAWINGS = {"transport": transport, "panel": panel, "chip": chip}

OG_SIZE = (1200, 630)
OG_OUT = Path(__file__).resolve().parent / "static" / "showcase" / "og"
# The red rule along the top of every page's header, in the card's pixels.
OG_RULE = 8


def cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """`image` scaled to fill `size` exactly, its middle kept and the overflow cut off."""
    width, height = size
    scale = max(width / image.width, height / image.height)
    scaled = image.resize(
        (max(width, round(image.width * scale)), max(height, round(image.height * scale))),
        Image.Resampling.LANCZOS,
    )
    left = (scaled.width - width) // 2
    top = (scaled.height - height) // 2
    return scaled.crop((left, top, left + width, top + height))


def og_card(image: Image.Image) -> Image.Image:
    """A picture as an OpenGraph card: 1200 × 630, RGB, the portal's red rule along the top."""
    card = cover(image.convert("RGB"), OG_SIZE)
    ImageDraw.Draw(card).rectangle((0, 0, OG_SIZE[0], OG_RULE - 1), fill=RED)
    return card


def draw_og_cards(directory: Path = OG_OUT) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in {**DRAWINGS, "portal": portal}.items():
        card = og_card(draw())
        card = card.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=0)
        path = directory / f"{name}.png"
        card.save(path, optimize=True)
        written.append(path)
    return written


def draw_all(directory: Path = OUT) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in DRAWINGS.items():
        image = draw().resize(ILLUSTRATION_SIZE, Image.Resampling.LANCZOS)
        # An adaptive palette keeps the files small; the pictures have few colours.
        image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=0)
        path = directory / f"{name}.png"
        image.save(path, optimize=True)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in [*draw_all(), *draw_og_cards()]:
        print(path)
