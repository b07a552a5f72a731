"""JPEG frames: their stored size read from the header, and cheap decoding at a reduced scale.

Checking a dataset must not cost a full decode of every frame, so ``check_jpeg`` reads the size
from the start-of-frame header and requires the end-of-image marker (a truncated write lacks it).
``decode_jpeg`` lets libjpeg scale by 1/2, 1/4 or 1/8 while decoding (``IMREAD_REDUCED_*``) when the
stored frames are larger than the network needs, which is several times faster than decoding in
full and resizing afterwards.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from arm4r_policy.errors import DatasetError

_START = b"\xff\xd8"
_END = b"\xff\xd9"
# Start-of-frame markers of every coding process; C4 (Huffman tables), C8 (reserved) and CC
# (arithmetic conditioning) share the range but carry no frame size.
_START_OF_FRAME = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers that stand alone, without a length field.
_STANDALONE = frozenset([0x01, *range(0xD0, 0xD8)])

REDUCTIONS = (8, 4, 2, 1)
_READ_FLAGS = {
    1: cv2.IMREAD_COLOR,
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) [px] from a JPEG's start-of-frame header, or None if there is none."""
    if not data.startswith(_START):
        return None
    position = len(_START)
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker in _STANDALONE:
            position += 2
            continue
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        if marker in _START_OF_FRAME:
            header = data[position + 5 : position + 9]
            if len(header) < 4:
                return None
            return int.from_bytes(header[2:4], "big"), int.from_bytes(header[0:2], "big")
        position += 2 + length
    return None


def check_jpeg(file: Path, size: tuple[int, int] | None = None) -> tuple[int, int]:
    """The (width, height) of a complete JPEG file, checked against ``size`` when given.

    Raises:
        DatasetError: the file is missing, not a JPEG, truncated, or of another size.
    """
    try:
        data = Path(file).read_bytes()
    except FileNotFoundError as error:
        raise DatasetError(f"{file}: frame missing") from error
    except OSError as error:
        raise DatasetError(f"{file}: unreadable ({error.strerror})") from error
    found = jpeg_size(data)
    if found is None or not data.endswith(_END):
        raise DatasetError(f"{file}: not a complete JPEG image")
    if size is not None and found != tuple(size):
        raise DatasetError(
            f"{file}: image of {found[0]}x{found[1]} px; expected {size[0]}x{size[1]}"
        )
    return found


def reduction_for(size: tuple[int, int], min_side: int) -> int:
    """The largest libjpeg scale-down (8, 4, 2 or 1) that keeps both sides >= ``min_side`` px."""
    shorter = min(size)
    for reduction in REDUCTIONS:
        if -(-shorter // reduction) >= min_side:  # libjpeg rounds scaled sizes up
            return reduction
    return 1


def decode_jpeg(file: Path, reduction: int = 1) -> np.ndarray:
    """(H / reduction, W / reduction, 3) uint8 RGB of a JPEG file (sizes rounded up).

    Raises:
        DatasetError: the file cannot be read or decoded.
    """
    try:
        data = np.fromfile(file, dtype=np.uint8)
    except OSError as error:
        raise DatasetError(f"{file}: unreadable ({error.strerror})") from error
    image = cv2.imdecode(data, _READ_FLAGS[reduction])
    if image is None:
        raise DatasetError(f"{file}: not a decodable JPEG image")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
