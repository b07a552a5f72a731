"""Single-chunk zarr format 2 arrays: what the public ARM4R reader loads with ``zarr.load``.

The reader runs zarr 2, which cannot open a zarr 3 store, and expects arrays, not groups. Each
array is written as one chunk (the reader loads whole arrays anyway) with zarr 2's own default
compressor, Blosc LZ4 with byte shuffle, which every zarr 2 / numcodecs version decodes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import zarr
from numcodecs import Blosc

from arm4r_policy.errors import DatasetError

_COMPRESSOR = Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE)


def write_array(path: Path, values: np.ndarray) -> None:
    """Write ``values`` to a new zarr v2 array store at ``path`` in one chunk."""
    values = np.ascontiguousarray(values)
    zarr.create_array(
        store=str(path),
        data=values,
        chunks=values.shape,
        zarr_format=2,
        compressors=_COMPRESSOR,
    )


def read_array(path: Path, dtype: np.dtype | type, shape: tuple[int | None, ...]) -> np.ndarray:
    """Load a zarr v2 single-chunk array and check its dtype and shape.

    Args:
        path: the ``.zarr`` store directory.
        dtype: the dtype it must have.
        shape: the shape it must have; ``None`` entries accept any length.

    Raises:
        DatasetError: the store is missing, a group, zarr format 3, several chunks, or of another
            dtype or shape; the message names the file.
    """
    path = Path(path)
    if not (path / ".zarray").is_file():
        found = "a zarr group" if (path / ".zgroup").is_file() else "no .zarray"
        if (path / "zarr.json").is_file():
            found = "a zarr format 3 store"
        raise DatasetError(f"{path}: expected a zarr format 2 array, found {found}")
    try:
        array = zarr.open_array(str(path), mode="r", zarr_format=2)
        values = array[...]
    except Exception as error:
        raise DatasetError(f"{path}: unreadable zarr array ({error})") from error
    if tuple(array.chunks) != tuple(array.shape):
        raise DatasetError(
            f"{path}: chunks {tuple(array.chunks)}; expected one chunk of shape {array.shape}"
        )
    if values.dtype != np.dtype(dtype):
        raise DatasetError(f"{path}: dtype {values.dtype}; expected {np.dtype(dtype)}")
    if len(shape) != values.ndim or any(
        want is not None and want != got for want, got in zip(shape, values.shape, strict=True)
    ):
        wanted = tuple("any" if n is None else n for n in shape)
        raise DatasetError(f"{path}: shape {values.shape}; expected {wanted}")
    return values
