"""``actlm prepare`` and ``actlm data ...``: turning raw files into prepared datasets and looking at them."""
from __future__ import annotations

import sys
from collections import Counter

import click
import numpy as np
from tqdm import tqdm

from . import main
from .. import data as D
from ..data.errors import printable
from ..data.layouts import layout_warnings
from ..data.store import scan_lost_frames

_data_root = click.option("--data-root", type=click.Path(file_okay=False), default=None,
                          help="Folder holding raw datasets (default: $ACTLM_DATA, else ../shared/data).")


def _progress(desc: str):
    return lambda items: tqdm(items, desc=desc, unit="file", dynamic_ncols=True, file=sys.stderr)


@main.command("prepare")
@click.argument("dataset")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@click.option("--raw", type=click.Path(file_okay=False), default=None,
              help="Folder with the raw files (default: the dataset's place under the data root).")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Where to write the prepared dataset (default: the actlm cache).")
@click.option("--strict", is_flag=True, help="Exit non-zero if any file had to be skipped.")
@click.option("--channels", default=None, help="ntu60/ntu120: value groups to keep, e.g. xyz,color,depth (default xyz).")
@click.option("--labels", type=click.Path(dir_okay=False), default=None, help="custom: labels.csv (default RAW/labels.csv).")
@click.option("--layout", default=None, help="custom: skeleton layout of the files (kinect-v2, kinect-v1, coco-17, blazepose-33, "
                   "or a layout file my_layout.yaml/.json: docs/data.md).")
@click.option("--name", default=None, help="custom: dataset name to load it by later.")
@click.option("--classes", type=click.Path(dir_okay=False), default=None,
              help="custom, videos: classes.txt (one name a line) fixing the class order, hence every class index.")
@click.option("--persons", type=click.IntRange(min=1), default=None,
              help="custom: persons stored per sequence (default: the count most files reach; docs/data.md).")
@_data_root
def prepare_cmd(dataset: str, folder: str | None, raw: str | None, out: str | None, strict: bool, channels: str | None,
                labels: str | None, layout: str | None, name: str | None, classes: str | None, persons: int | None,
                data_root: str | None) -> None:
    """Convert a dataset's raw files (nw-ucla, ntu60, ntu120, utd-mhad, penn-action, sbu, custom, videos)
    into actlm's format.

    FOLDER (same as --raw) holds the raw files; for `videos`: your video files + labels.csv."""
    raw = raw or folder
    options = {k: v for k, v in {"channels": channels, "labels": labels, "layout": layout, "name": name,
                                 "classes": classes, "persons": persons}.items() if v is not None}
    kind = D.get_spec(dataset).name
    if kind in ("custom", "videos") and not raw:
        raise click.UsageError(f"prepare {kind} needs --raw FOLDER (and usually --labels, --name)")
    allowed = {"custom": {"labels", "layout", "name", "classes", "persons"}, "videos": {"labels", "name", "classes"},
               "ntu60": {"channels"}, "ntu120": {"channels"}}
    misplaced = set(options) - allowed.get(kind, set())
    if misplaced:
        raise click.UsageError(f"option(s) {', '.join('--' + m for m in sorted(misplaced))} do not apply to {dataset}")
    report = D.prepare(dataset, raw=raw, out=out, data_root_dir=data_root,
                       progress=_progress(f"prepare {dataset}"), **options)
    click.echo(report.summary())
    if strict and report.skipped:
        sys.exit(1)


@main.group("data")
def data_group() -> None:
    """Inspect prepared datasets."""


def summary_text(ds: D.SkeletonSet) -> str:
    """Counts per split and class, sequence lengths and layout, as a printable table."""
    lines = [f"dataset {ds.name}: {len(ds)} sequences, layout {ds.layout.name} "
             f"({ds.layout.num_joints} joints), channels {','.join(ds.channels)}, "
             f"up to {ds.info['max_persons']} person(s)", f"stored at {ds.root}"]
    lengths = ds.lengths
    lines.append(f"frames per sequence: min {lengths.min()}, median {int(np.median(lengths))}, "
                 f"mean {lengths.mean():.1f}, max {lengths.max()}")
    lines += lost_frames_lines(ds) + layout_warnings(ds.layout)
    if ds.info.get("class_order"):
        lines.append(f"class order: {CLASS_ORDER[ds.info['class_order']]}")
    split_names = ds.splits
    header = f"{'class':<28}" + "".join(f"{s:>14}" for s in split_names) + f"{'all':>8}"
    lines += ["", header, "-" * len(header)]
    parts = {s: ds.split(s) for s in split_names}
    per_split = {s: Counter(part.labels.tolist()) for s, part in parts.items()}
    total = Counter(ds.labels.tolist())
    for k, name in enumerate(ds.classes):
        row = f"{k:>3} {name[:24]:<24}" + "".join(f"{per_split[s][k]:>14}" for s in split_names)
        lines.append(row + f"{total[k]:>8}")
    lines.append(f"{'total':<28}" + "".join(f"{sum(per_split[s].values()):>14}" for s in split_names)
                 + f"{len(ds):>8}")
    # Lengths per split show a train/test shift that a resize to a fixed length hides: NW-UCLA's
    # test view records a shorter part of each performance (median 25 frames vs 40 in view 1).
    lines.append(f"{'median frames':<28}" + "".join(f"{int(np.median(parts[s].lengths)):>14}" for s in split_names)
                 + f"{int(np.median(lengths)):>8}")
    return "\n".join(lines)


CLASS_ORDER = {"classes.txt": "fixed by classes.txt", "numeric": "integer labels in numeric order",
               "sorted": "label names sorted as text (a new label shifts the indices after it; "
                         "prepare with --classes classes.txt to fix them)"}


def lost_frames_lines(ds: D.SkeletonSet) -> list[str]:
    """Frames with no skeleton (all coordinates zero, tracking lost): those filled at prepare
    time (meta ``lost_frames``) and those still in the data, inside a sequence or at its ends."""
    filled = sum(ds.meta(i).get("lost_frames", {}).get("filled_inside", 0) for i in range(len(ds)))
    dropped = sum(ds.meta(i).get("lost_frames", {}).get("dropped_at_ends", 0) for i in range(len(ds)))
    inside, ends, where = scan_lost_frames(ds)
    lines = []
    if filled or dropped:
        lines.append(f"frames with no skeleton at prepare time: {filled} inside sequences filled by "
                     f"interpolation, {dropped} at the ends dropped")
    if inside or ends:
        lines.append(f"warning: frames with no skeleton (all zero, tracking lost) remain: {inside} inside "
                     f"sequences, {ends} at their ends, in {len(where)} sequence(s), e.g. {', '.join(where[:5])}")
    return lines


@data_group.command("summary")
@click.argument("dataset")
@_data_root
def summary_cmd(dataset: str, data_root: str | None) -> None:
    """Counts per split and class, lengths and layout of DATASET (name or prepared folder)."""
    ds = D.load(dataset, data_root_dir=data_root, progress=_progress(f"prepare {dataset}"))
    click.echo("\n".join(printable(line) for line in summary_text(ds).splitlines()))


@data_group.command("show")
@click.argument("sample")
@click.option("--dataset", default="nw-ucla", show_default=True, help="Dataset name or prepared folder.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Output .png (frame strip) or .gif (animation).")
@click.option("--frames", default=8, show_default=True, help="Frames in a PNG strip.")
@_data_root
def show_cmd(sample: str, dataset: str, out: str, frames: int, data_root: str | None) -> None:
    """Draw SAMPLE (a sample id such as a01_s01_e00_v01, or an index) of a dataset."""
    from ..viz import draw_sequence

    from .video_cmds import make_output_folders

    if not out.lower().endswith((".png", ".gif")):
        raise click.UsageError("--out must end in .png or .gif")
    make_output_folders({"--out": out})
    ds = D.load(dataset, data_root_dir=data_root, progress=_progress(f"prepare {dataset}"))
    position = int(sample) if sample.isascii() and sample.isdigit() else ds.find(sample)
    if not 0 <= position < len(ds):
        raise click.UsageError(f"index {position} out of range (0..{len(ds) - 1})")
    item = ds[position]
    image_2d = ds.channels[:2] == ["x", "y"] and "z" not in ds.channels
    path = draw_sequence(item.data, ds.layout, out, frames=frames, image_coordinates=image_2d,
                         title=f"{item.sample_id}: {ds.classes[item.label]}")
    click.echo(f"wrote {path} ({item.data.shape[1]} frames, {ds.layout.name})")
