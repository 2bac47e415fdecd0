"""Reading videos (OpenCV) with clear errors for files that are not videos, empty or corrupt."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from ..data.errors import DataError, file_error

MAX_SIDE = 1280   # larger frames are downscaled before pose estimation (pose models run at ~256 px)


def _cv2():
    try:
        import cv2
    except ImportError:
        raise DataError("reading videos needs OpenCV: pip install 'actlm[video]'") from None
    return cv2


@dataclass
class VideoInfo:
    path: Path
    fps: float
    frames: int          # as reported by the container (may be 0 or wrong for broken files)
    width: int
    height: int


def probe(path: str | Path) -> VideoInfo:
    """Open a video and read its header; raises :class:`DataError` naming the file and problem."""
    cv2 = _cv2()
    path = Path(path)
    if not path.is_file():
        raise file_error(path, "no such file")
    if path.stat().st_size == 0:
        raise file_error(path, "empty file (0 bytes)")
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise file_error(path, "not a video OpenCV can open (unknown format or corrupted)")
        info = VideoInfo(path, float(cap.get(cv2.CAP_PROP_FPS) or 0.0), int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0),
                         int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    finally:
        cap.release()
    if info.width <= 0 or info.height <= 0:
        raise file_error(path, "the video has no picture (0x0 frames)")
    return info


def read_frames(path: str | Path, max_side: int = MAX_SIDE, stride: int = 1) -> Iterator[np.ndarray]:
    """RGB frames (H, W, 3) uint8, every ``stride``-th, downscaled so the longer side <= ``max_side``.
    The frames in between are only grabbed (decoded, never converted to pictures)."""
    cv2 = _cv2()
    probe(path)
    cap = cv2.VideoCapture(str(path))
    index = decoded = 0
    try:
        while True:
            if index % stride:
                if not cap.grab():
                    break
                decoded += 1
                index += 1
                continue
            ok, frame = cap.read()
            if not ok:
                break
            decoded += 1
            scale = max_side / max(frame.shape[:2])
            if scale < 1:
                frame = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            yield cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
            index += 1
    finally:
        cap.release()
    if decoded == 0:
        raise file_error(path, "no frame could be decoded (0-frame or corrupted video)")
