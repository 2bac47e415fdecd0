"""Drawing skeleton sequences with matplotlib: a strip of frames (PNG) or an animation (GIF).

Bones come from the layout; each body part has its own colour, so left and right are easy to
tell apart. 3D data is drawn as its x/y projection after ``SpineAlign`` (upright, facing the
viewer); 2D image keypoints (y pointing down) are flipped so people stand upright.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .data.layouts import Layout, get_layout
from .data.transforms import SpineAlign

PART_COLOURS = {"head": "#444444", "torso": "#7f7f7f", "left_arm": "#1f77b4", "left_hand": "#17becf",
                "right_arm": "#d62728", "right_hand": "#ff7f0e", "left_leg": "#2ca02c",
                "right_leg": "#9467bd", "feet": "#8c564b"}


def _bone_colour(layout: Layout, child: int) -> str:
    return PART_COLOURS.get(layout.part_of(child) or "torso", "#7f7f7f")


def prepare_for_drawing(data: np.ndarray, layout: Layout, image_coordinates: bool = False) -> np.ndarray:
    """(M, T, V, 2) points to draw: normalised 3D projected to x/y, or 2D flipped upright."""
    if data.shape[-1] >= 3 and not image_coordinates:
        xy = SpineAlign(layout)(data[..., :3], np.random.default_rng(0))[..., :2]
    else:
        xy = data[..., :2].copy()
        xy[..., 1] = -xy[..., 1]
    return xy


def draw_pose(ax, points: np.ndarray, layout: Layout, present: np.ndarray | None = None,
              highlight: np.ndarray | None = None) -> None:
    """Draw one frame: points (M, V, 2). ``highlight`` (V,) in [0, 1] enlarges important joints."""
    for m, person in enumerate(points):
        if present is not None and not present[m]:
            continue
        for child, parent in layout.bones:
            ax.plot(person[[child, parent], 0], person[[child, parent], 1], color=_bone_colour(layout, child), lw=2)
        sizes = 10 if highlight is None else 10 + 120 * np.asarray(highlight)
        ax.scatter(person[:, 0], person[:, 1], s=sizes, c="black" if highlight is None else "crimson", zorder=3)


def _frame_axes(ax, lo: np.ndarray, hi: np.ndarray, title: str, fontsize: int) -> None:
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=fontsize)


def _limits(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    valid = points[np.abs(points).sum(axis=-1) > 0]
    lo, hi = valid.min(axis=0), valid.max(axis=0)
    pad = 0.1 * (hi - lo).max()
    return lo - pad, hi + pad


def draw_sequence(data: np.ndarray, layout: str | Layout, out: str | Path, frames: int = 8,
                  title: str = "", image_coordinates: bool = False, fps: int = 10) -> Path:
    """Write a PNG strip of ``frames`` evenly spaced frames, or a GIF of the whole sequence."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lay = get_layout(layout)
    out = Path(out)
    points = prepare_for_drawing(np.asarray(data, dtype=np.float32), lay, image_coordinates)
    present = np.abs(data).sum(axis=(2, 3)) > 0                          # (M, T)
    lo, hi = _limits(points)
    t_total = points.shape[1]
    if out.suffix.lower() == ".gif":
        from matplotlib.animation import FuncAnimation, PillowWriter

        fig, ax = plt.subplots(figsize=(4, 4.5))

        def frame(t: int):
            ax.clear()
            _frame_axes(ax, lo, hi, f"{title}  frame {t + 1}/{t_total}", 9)
            draw_pose(ax, points[:, t], lay, present[:, t])

        FuncAnimation(fig, frame, frames=t_total).save(out, writer=PillowWriter(fps=fps))
        plt.close(fig)
        return out
    chosen = np.linspace(0, t_total - 1, min(frames, t_total)).round().astype(int)
    fig, axes = plt.subplots(1, len(chosen), figsize=(2.0 * len(chosen), 3.0), squeeze=False)
    for ax, t in zip(axes[0], chosen):
        _frame_axes(ax, lo, hi, f"frame {t + 1}", 8)
        draw_pose(ax, points[:, t], lay, present[:, t])
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out
