"""The vouchers' QR codes, cheap enough for 100,000 a file set (ADR 0046).

Every voucher's URL is the same prefix and suffix around a code of fixed length, and a QR code of
fixed version, error level, byte mode and mask is an affine function of its data bits over GF(2):
Reed–Solomon parity is linear, module placement and the mask XOR are fixed. So segno encodes, once
per (prefix, suffix, code length), the URL with a filler code and the URLs with each bit of each
code byte flipped; any code's module grid is then the filler's grid XOR the grids of the bits that
differ, a few integer XORs instead of a segno run (about 1 ms each). The tests compare the result
with segno's own matrix and decode the rendered pages with zxing-cpp.

The grid is drawn as a 1-bit stencil mask (/ImageMask, no interpolation): modules painted in the
current CMYK black, edges as sharp as the output device at any resolution, ~120 bytes a code.
"""

import functools
from dataclasses import dataclass

import segno

ERROR = "m"
MASK = 2  # fixed: choosing the best of eight is most of segno's time and every decoder reads any
QUIET_ZONE = 4  # modules of white around the code, required by ISO/IEC 18004


@dataclass(frozen=True)
class _Basis:
    size: int  # modules a side, quiet zone excluded
    base: int  # the filler URL's grid, rows padded to whole bytes, first module in the top bit
    deltas: tuple[tuple[int, ...], ...]  # [code byte position][byte value] → grid XOR


def _grid(data: bytes, version=None) -> tuple[int, int, int]:
    qr = segno.make_qr(data, error=ERROR, boost_error=False, mask=MASK, mode="byte", version=version)
    matrix = qr.matrix
    size = len(matrix)
    pad = "0" * (-size % 8)
    bits = "".join("".join("1" if module else "0" for module in row) + pad for row in matrix)
    return int(bits, 2), size, qr.version


@functools.lru_cache(maxsize=8)
def _basis(prefix: bytes, suffix: bytes, length: int) -> _Basis:
    filler = b"0" * length
    base, size, version = _grid(prefix + filler + suffix)
    deltas = []
    for position in range(length):
        bits = []
        for bit in range(8):
            flipped = bytearray(filler)
            flipped[position] ^= 1 << bit
            grid, _, _ = _grid(prefix + bytes(flipped) + suffix, version)
            bits.append(grid ^ base)
        by_difference = [0] * 256
        for difference in range(1, 256):
            low = difference & -difference
            by_difference[difference] = by_difference[difference ^ low] ^ bits[low.bit_length() - 1]
        deltas.append(tuple(by_difference[value ^ filler[position]] for value in range(256)))
    return _Basis(size, base, tuple(deltas))


def qr_grid(prefix: str, code: str, suffix: str) -> tuple[int, bytes]:
    """(modules a side, 1-bit rows padded to whole bytes, 1 = dark) of the QR code of prefix+code+suffix."""
    data = code.encode()
    basis = _basis(prefix.encode(), suffix.encode(), len(data))
    grid = basis.base
    for deltas, value in zip(basis.deltas, data, strict=True):
        grid ^= deltas[value]
    return basis.size, grid.to_bytes(basis.size * ((basis.size + 7) // 8), "big")


def qr_operators(prefix: str, code: str, suffix: str, x: float, y: float, size: float) -> str:
    """PDF operators drawing the QR code in the square (x, y, size) with its quiet zone: an inline
    stencil mask painted in CMYK black, not interpolated."""
    modules, rows = qr_grid(prefix, code, suffix)
    module = size / (modules + 2 * QUIET_ZONE)
    side = modules * module
    at = QUIET_ZONE * module
    return (
        f"q 0 0 0 1 k {side:.3f} 0 0 {side:.3f} {x + at:.3f} {y + at:.3f} cm "
        f"BI /W {modules} /H {modules} /IM true /BPC 1 /D [1 0] /I false /F /AHx ID {rows.hex()}> EI Q"
    )
