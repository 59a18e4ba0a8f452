"""Draw the app's icons (a building with lit windows on a teal field) as PNG files.

No third-party art and no imaging library: pixels are computed here and written with
zlib. The field fills the whole square so the icons are maskable (the building stays in
the central 60 % safe zone). Run: ``python web/static/app/icons/make_icons.py``.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

FIELD = (11, 94, 102)  # deep teal
BUILDING = (255, 255, 255)
WINDOW = (255, 196, 61)  # warm light: someone is home
DOOR = (11, 94, 102)


def colour_at(x: float, y: float) -> tuple[int, int, int]:
    """Colour of the point (x, y) in the unit square."""
    if not (0.32 <= x <= 0.68 and 0.22 <= y <= 0.80):
        return FIELD
    if 0.45 <= x <= 0.55 and 0.66 <= y <= 0.80:
        return DOOR
    for column in (0.37, 0.47, 0.57):
        for row in (0.28, 0.38, 0.48):
            if column <= x <= column + 0.06 and row <= y <= row + 0.06:
                return WINDOW
    return BUILDING


def png(size: int) -> bytes:
    rows = bytearray()
    for py in range(size):
        rows.append(0)  # filter: none
        for px in range(size):
            rows.extend(colour_at((px + 0.5) / size, (py + 0.5) / size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    for size in (192, 512):
        (here / f"icon-{size}.png").write_bytes(png(size))
