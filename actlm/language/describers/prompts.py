"""What the model-backed describers (``openai``, ``hf``) ask: the system prompt, the user prompt for
a sample, and the video frames sent to vision-language models."""
from __future__ import annotations

from .base import DescribeJob, DescriberError

SYSTEM_PROMPT = ("You describe human actions for training an action-recognition model. Describe how the "
                 "person's body parts move over time in one or two plain sentences. No lists, no preamble.")


def user_prompt(job: DescribeJob, with_images: bool) -> str:
    during = f" during the action '{job.label_name}'" if job.label_name else ""
    if with_images:
        return f"These are frames of a video in time order{during}. Measured motion: {job.facts_text}"
    return (f"Measured motion of a person{during}: {job.facts_text}\n"
            f"Rewrite this as one or two fluent sentences about how the person moves.")


def read_video_frames(path: str, count: int, max_side: int = 384) -> list[bytes]:
    """``count`` evenly spaced frames of a video as JPEG bytes (needs OpenCV)."""
    try:
        import cv2
    except ImportError:
        raise DescriberError(f"{path}: sending video frames needs OpenCV: pip install 'actlm[video]'") from None
    cap = cv2.VideoCapture(path)
    total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    if not cap.isOpened() or total <= 0:
        raise DescriberError(f"{path}: not a readable video")
    frames = []
    for i in sorted({int(round(k * (total - 1) / max(count - 1, 1))) for k in range(count)}):
        cap.set(cv2.CAP_PROP_POS_FRAMES, i)
        ok, frame = cap.read()
        if not ok:
            continue
        scale = max_side / max(frame.shape[:2])
        if scale < 1:
            frame = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        frames.append(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes())
    cap.release()
    if not frames:
        raise DescriberError(f"{path}: no frame could be decoded")
    return frames
