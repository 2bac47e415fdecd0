"""``actlm prepare videos FOLDER --labels labels.csv``: a user's labelled videos as a dataset.

Every video listed in labels.csv (``sample`` = file name without extension, ``label``, optional
``split`` and metadata columns, as for custom skeleton folders) goes through the pose estimator;
the 3D BlazePose landmarks of the frames with a person become one sequence (layout
blazepose-33). Each sample's meta records its video path, so describers can send its frames to
a vision-language model. Videos that cannot be read or show nobody are skipped and reported.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from ..data.catalog import default_dataset_name, register_dataset
from ..data.errors import DataError, PrepareReport, Skipped
from ..data.labels import read_labels, row_meta
from ..data.sequence_files import special_file_reason
from ..data.store import DatasetWriter, Sample
from .backends import get_backend
from .video import probe, read_frames

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg")

HOW_TO_GET = """Put your videos in one folder with a labels.csv next to them:
  sample,label[,split,...]     (sample = video file name without extension)
then: actlm prepare videos --raw FOLDER --name my-actions   (looked for: {where})"""


@register_dataset("videos", "my-videos", HOW_TO_GET, user_named=True)
def prepare(raw: Path, out: Path, progress: Callable | None = None, labels: str | Path | None = None,
            name: str | None = None, classes: str | Path | None = None, backend: str = "blazepose") -> PrepareReport:
    labels_path = Path(labels) if labels else raw / "labels.csv"
    candidates = [p for p in sorted(raw.iterdir()) if p.suffix.lower() in VIDEO_SUFFIXES]
    if not candidates:
        raise DataError(f"{raw}: no video files ({', '.join(VIDEO_SUFFIXES)})\n" + HOW_TO_GET.format(where=raw))
    table = read_labels(labels_path, Path(classes) if classes else None, VIDEO_SUFFIXES)
    rows, class_list = table.rows, table.classes
    skipped = list(table.skipped)
    skipped += [Skipped(str(p), reason) for p in candidates if (reason := special_file_reason(p))]
    videos = {p.stem: p for p in candidates if special_file_reason(p) is None}
    skipped += [Skipped(str(raw / s), f"listed in {labels_path.name} (line {rows[s]['_line']}) but no video")
                for s in rows if s not in videos]
    skipped += [Skipped(str(p), f"no row in {labels_path.name}") for s, p in videos.items() if s not in rows]
    todo = [(s, videos[s]) for s in rows if s in videos]
    estimator = get_backend(backend)
    splits: dict[str, list[str]] = {}
    set_name = default_dataset_name(name, raw.resolve().name, "videos")
    with DatasetWriter(out, set_name, estimator.layout, ["x", "y", "z"], class_list, max_persons=1,
                       extra={"source": str(raw), "default_benchmark": None, "pose_backend": backend,
                              "class_order": table.class_order}) as writer:
        for sample_id, path in (progress(todo) if progress else todo):
            try:
                info = probe(path)
                pose = estimator.estimate(read_frames(path), info.fps)
            except DataError as exc:
                skipped.append(Skipped.from_error(path, exc))
                continue
            kept = pose.visibility.max(axis=(0, 2)) > 0
            if kept.sum() < 2:
                skipped.append(Skipped(str(path), f"a person was found in {int(kept.sum())} of {pose.frames} frames"))
                continue
            row = rows[sample_id]
            meta = {**row_meta(row), "video": str(path.resolve()), "fps": info.fps, "frames_with_person": int(kept.sum())}
            writer.add(Sample(np.ascontiguousarray(pose.skeleton()[:, kept]), class_list.index(row["label"]),
                              sample_id, meta))
            if (row.get("split") or "").strip():
                splits.setdefault(row["split"].strip(), []).append(sample_id)
        if not writer.index:
            raise DataError(f"{raw}: none of the {len(todo)} listed videos gave a skeleton:\n"
                            + "\n".join(f"  {s.path}: {s.reason}" for s in skipped))
        writer.close(splits)
    return PrepareReport(written=len(writer.index), skipped=skipped, output=out,
                         notes=[table.order_note(Path(classes) if classes else None)])
