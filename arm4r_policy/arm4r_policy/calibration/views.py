"""The views of a calibration board in a folder of images, one image per view.

Every image file of the folder (``IMAGE_SUFFIXES``, other files are ignored) is read in name order;
an image without the board is skipped and counted, one that cannot be read or differs in size from
the others is an error: a folder holds the frames of one camera mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2

from arm4r_policy.calibration.boards import Board, BoardView
from arm4r_policy.errors import CalibrationError, ConfigError

__all__ = ["IMAGE_SUFFIXES", "FolderViews", "find_board_views", "image_files"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")


@dataclass(frozen=True)
class FolderViews:
    """The board as found in the images of ``folder``.

    Attributes:
        folder: the image folder.
        image_size: (width, height) [px] of every image.
        views: image file name -> the board's corners, in name order.
        skipped: names of the images in which the board was not found.
    """

    folder: Path
    image_size: tuple[int, int]
    views: dict[str, BoardView]
    skipped: tuple[str, ...]

    def require(self, minimum: int) -> None:
        """Raise ``CalibrationError`` naming the folder when fewer than ``minimum`` views remain."""
        if len(self.views) < minimum:
            total = len(self.views) + len(self.skipped)
            raise CalibrationError(
                f"image folder {self.folder}: the board was found in {len(self.views)} of "
                f"{total} images; at least {minimum} are needed"
            )


def image_files(folder: Path) -> list[Path]:
    """The image files of ``folder``, sorted by name.

    Raises:
        ConfigError: ``folder`` is not a directory or holds no image file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"image folder {folder} is not a directory")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise ConfigError(f"image folder {folder} holds no image ({', '.join(IMAGE_SUFFIXES)})")
    return files


def find_board_views(folder: Path, board: Board) -> FolderViews:
    """Find ``board`` in every image of ``folder``.

    Raises:
        ConfigError: the folder holds no image, or an image cannot be read or differs in size
            from the first; the message names the file.
    """
    views: dict[str, BoardView] = {}
    skipped: list[str] = []
    size = None
    for path in image_files(folder):
        gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if gray is None:
            raise ConfigError(f"image {path} cannot be read as an image")
        image_size = (gray.shape[1], gray.shape[0])
        if size is None:
            size = image_size
        elif image_size != size:
            raise ConfigError(
                f"image {path} is {image_size[0]}x{image_size[1]}; the folder's first image is "
                f"{size[0]}x{size[1]}: calibrate one camera mode at a time"
            )
        view = board.detect(gray)
        if view is None:
            skipped.append(path.name)
        else:
            views[path.name] = view
    return FolderViews(Path(folder), size, views, tuple(skipped))
