"""Composable skeleton transforms, chosen in config (the PySKL way, not separate datasets).

A pipeline is a list of ``{"type": Name, **args}`` entries. Each transform maps a sequence
``x`` of shape (M persons, T frames, V joints, C channels) to a new one and may draw random
numbers from the ``rng`` it is given; the caller seeds that generator from (seed, epoch,
sample index), so a pipeline is deterministic under a seed whatever the worker layout.

Typical NW-UCLA training pipeline::

    - {type: SpineAlign}                 # centre, rotate to a body frame, scale to body size
    - {type: RandomRotate, degrees: 15}
    - {type: ValidCropResize, length: 52, ratio: [0.5, 1.0]}
    - {type: Stream, kind: bone}
"""
from __future__ import annotations

from typing import Any, Callable, Literal

import numpy as np

from .errors import ConfigError
from .layouts import Layout, get_layout, get_mapping

Transform = Callable[[np.ndarray, np.random.Generator], np.ndarray]
TRANSFORMS: dict[str, type] = {}


def register(cls: type) -> type:
    TRANSFORMS[cls.__name__] = cls
    return cls


def _person_mask(x: np.ndarray) -> np.ndarray:
    """(M, T) True where a person is present in a frame (any non-zero coordinate)."""
    return np.abs(x).sum(axis=(2, 3)) > 0


def _valid_frames(x: np.ndarray) -> np.ndarray:
    """Indices of frames where at least one person is present."""
    return np.flatnonzero(_person_mask(x).any(axis=0))


def _mean_joint(x: np.ndarray, joints: tuple[int, ...]) -> np.ndarray:
    return x[..., list(joints), :].mean(axis=-2)


# --- normalisation ---------------------------------------------------------------------------
#: a spine shorter than this share of the body's extent is degenerate (hips and shoulders annotated
#: at one place, as in Penn Action close-ups whose hidden joints share a point) ...
DEGENERATE_SPINE = 0.05
#: ... and the body's size is then taken as this share of its extent (a standing adult's spine is
#: about a third of the bounding box's diagonal)
SPINE_OF_EXTENT = 0.3


def _body_size(frames: np.ndarray, spine: float) -> float:
    """The mean spine length, or, when it is degenerate against the person's extent (the mean over
    frames of the joints' bounding-box diagonal), a share of that extent: dividing by a spine of
    ~0 turned a Penn Action clip into coordinates of ~470 body sizes that upset a training run."""
    extent = float(np.mean(np.linalg.norm(np.ptp(frames, axis=-2), axis=-1))) if len(frames) else 0.0
    if spine < DEGENERATE_SPINE * extent:
        return SPINE_OF_EXTENT * extent
    return spine


@register
class SpineAlign:
    """Centre on the layout's centre joint, rotate into a body frame, scale to body size.

    As in the NTU preprocessing of the literature: the origin is the centre joint in the first
    frame of the first person; the spine direction (``spine_bottom`` -> ``spine_top``, averaged
    over the frames, which is steadier than one noisy frame) is rotated onto +y and the
    first frame's shoulder line (right -> left shoulder) onto +x; coordinates are divided by
    the mean spine length, so
    subjects of different size and cameras at different distances look alike. Absent persons
    (all zeros) stay zero. ``rotate=False`` keeps the camera orientation (centre + scale only).
    ``shoulders="mean"`` takes the shoulder line averaged over the frames instead of the first
    frame's (one noisy frame can turn the whole body frame; on NW-UCLA's test view the two differ
    by 10 degrees in the median), at the price of a meaningless average for a person who turns.
    """

    def __init__(self, layout: str | Layout, rotate: bool = True, scale: bool = True,
                 shoulders: Literal["first", "mean"] = "first"):
        if shoulders not in ("first", "mean"):
            raise ValueError(f"shoulders must be 'first' or 'mean', got {shoulders!r}")
        self.layout = get_layout(layout)
        self.rotate = rotate
        self.scale = scale
        self.shoulders = shoulders

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        present = _person_mask(x)
        if not present.any():
            return x
        lay = self.layout
        m0, t0 = np.argwhere(present)[0]
        out = x - _mean_joint(x[m0, t0], lay.center)
        bottoms = _mean_joint(out, lay.spine_bottom)[present]
        tops = _mean_joint(out, lay.spine_top)[present]
        if self.rotate and x.shape[-1] == 3:
            across = out[..., lay.left_shoulder, :] - out[..., lay.right_shoulder, :]
            across = across[present].mean(axis=0) if self.shoulders == "mean" else across[m0, t0]
            rot = _body_frame((tops - bottoms).mean(axis=0), across)
            if rot is not None:
                out = out @ rot.T
        if self.scale:
            size = _body_size(out[present], float(np.linalg.norm(tops - bottoms, axis=-1).mean()))
            if size > 1e-6:
                out = out / size
        out[~present] = 0
        return out.astype(np.float32, copy=False)


@register
class MinMaxNormalize:
    """Map the sequence's bounding box (over all present persons, frames and joints) onto [-1, 1].

    CTR-GCN's NW-UCLA protocol (its feeder applies this after the random view rotation, in
    training and testing). ``per_axis=True`` scales each axis on its own, so the box always
    fills the cube: how far a person travels or how wide a pose is no longer depends on the
    camera's distance or on how much of the performance a view recorded. ``per_axis=False``
    divides by the largest extent and keeps the shape's proportions. Only the coordinates
    (the first 3 channels) are normalised; a score channel is kept. Absent persons stay zero.
    """

    def __init__(self, per_axis: bool = True):
        self.per_axis = bool(per_axis)

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        present = _person_mask(x)
        if not present.any():
            return x
        c = min(x.shape[-1], 3)
        points = x[present][..., :c].reshape(-1, c)
        low, high = points.min(axis=0), points.max(axis=0)
        extent = high - low if self.per_axis else np.full_like(low, (high - low).max())
        extent = np.where(extent > 1e-6, extent, 1.0)
        out = x.copy()
        out[..., :c] = (x[..., :c] - (low + high) / 2) / (extent / 2)
        out[~present] = 0
        return out.astype(np.float32, copy=False)


def _body_frame(up: np.ndarray, across: np.ndarray) -> np.ndarray | None:
    """Rotation whose rows are the body axes (x: across, y: up, z: forward), or None if degenerate."""
    y = up / (np.linalg.norm(up) + 1e-9)
    x = across - y * np.dot(across, y)
    if np.linalg.norm(x) < 1e-6 or np.linalg.norm(up) < 1e-6:
        return None
    x = x / np.linalg.norm(x)
    z = np.cross(x, y)
    return np.stack([x, y, z])


# --- temporal --------------------------------------------------------------------------------
def _resize_time(x: np.ndarray, length: int, pos: np.ndarray | None = None) -> np.ndarray:
    """Linear interpolation along time to ``length`` frames, at evenly spaced positions unless
    ``pos`` (ascending, in [0, T-1]) gives them."""
    t = x.shape[1]
    if t == length and pos is None:
        return x
    if t == 1:
        return np.repeat(x, length, axis=1)
    pos = np.linspace(0, t - 1, length) if pos is None else pos
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, t - 1)
    w = (pos - lo)[None, :, None, None].astype(np.float32)
    return x[:, lo] * (1 - w) + x[:, hi] * w


@register
class ValidCropResize:
    """Crop a random window (a ``ratio`` fraction of the valid frames) and resize it to ``length``.

    With ``ratio=[0.5, 1.0]`` for training and a fixed ``ratio=0.95`` or ``1.0`` for testing, this
    is the valid-crop-and-resize used by CTR-GCN/InfoGCN; the window is centred when not random.
    ``jitter=True`` (training only) reads the window at ``length`` sorted uniform random positions
    instead of evenly spaced ones: the speed varies randomly within the clip, a smooth version of
    CTR-GCN's NW-UCLA sampling (sorted random frames drawn with replacement).

    ``short`` says what happens to a window shorter than ``length``: ``"stretch"`` resamples it to
    ``length`` (slow motion, the literature's protocol), ``"loop"`` keeps it at its recorded speed
    and repeats it (MMAction2's loop sampling). Resizing every sequence to one length makes a short
    recording move slower than a long one of the same action; NW-UCLA's test view records shorter
    parts of each performance than the training views (walk: 19 vs 36 frames median), so its walks
    reach the model at half the training speed.
    """

    def __init__(self, length: int, ratio: float | list[float] = 1.0, jitter: bool = False,
                 short: Literal["stretch", "loop"] = "stretch"):
        self.length = int(length)
        self.ratio = (float(ratio), float(ratio)) if np.isscalar(ratio) else tuple(map(float, ratio))
        self.jitter = bool(jitter)
        if short not in ("stretch", "loop"):
            raise ValueError(f"short must be 'stretch' or 'loop', got {short!r}")
        self.short = short

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        valid = _valid_frames(x)
        if len(valid) == 0:
            return _resize_time(x, self.length)
        x = x[:, valid[0]: valid[-1] + 1]
        t = x.shape[1]
        lo, hi = self.ratio
        ratio = rng.uniform(lo, hi) if hi > lo else lo
        size = int(np.clip(round(t * ratio), 1, t))
        start = rng.integers(0, t - size + 1) if hi > lo else (t - size) // 2
        if self.short == "loop" and size < self.length:
            return x[:, start + np.arange(self.length) % size].astype(np.float32, copy=False)
        pos = np.sort(rng.uniform(0, size - 1, self.length)) if self.jitter else None
        return _resize_time(x[:, start: start + size], self.length, pos).astype(np.float32, copy=False)


@register
class UniformSample:
    """PySKL-style uniform sampling: split valid frames into ``length`` segments, one frame each.

    Random frame per segment when ``random`` (training), the segment middle otherwise.
    Sequences shorter than ``length`` are looped.
    """

    def __init__(self, length: int, random: bool = True):
        self.length = int(length)
        self.random = random

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        valid = _valid_frames(x)
        x = x[:, valid[0]: valid[-1] + 1] if len(valid) else x
        t = x.shape[1]
        if t < self.length:
            idx = np.arange(self.length) % t
        else:
            edges = np.linspace(0, t, self.length + 1)
            starts, ends = edges[:-1].astype(int), np.maximum(edges[1:].astype(int), edges[:-1].astype(int) + 1)
            idx = rng.integers(starts, ends) if self.random else (starts + ends - 1) // 2
        return x[:, idx]


# --- spatial augmentation --------------------------------------------------------------------
def _rotation(ax: float, ay: float, az: float) -> np.ndarray:
    cx, sx, cy, sy, cz, sz = np.cos(ax), np.sin(ax), np.cos(ay), np.sin(ay), np.cos(az), np.sin(az)
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rz @ ry @ rx


def _apply_linear(x: np.ndarray, mat: np.ndarray) -> np.ndarray:
    c = min(x.shape[-1], mat.shape[0])
    present = _person_mask(x)
    out = x.copy()
    out[..., :c] = x[..., :c] @ mat[:c, :c].T
    out[~present] = 0
    return out.astype(np.float32, copy=False)


@register
class RandomRotate:
    """Rotate by angles drawn uniformly in ±``degrees`` about each axis (a scalar or [x, y, z])."""

    def __init__(self, degrees: float | list[float] = 15.0):
        self.degrees = np.broadcast_to(np.asarray(degrees, dtype=float), (3,))

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        angles = np.deg2rad(rng.uniform(-self.degrees, self.degrees))
        if x.shape[-1] == 2:
            angles[:2] = 0
        return _apply_linear(x, _rotation(*angles))


@register
class RandomScale:
    """Scale each axis by a factor drawn uniformly in [1 - amount, 1 + amount]."""

    def __init__(self, amount: float = 0.1):
        self.amount = float(amount)

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return _apply_linear(x, np.diag(rng.uniform(1 - self.amount, 1 + self.amount, 3)))


@register
class RandomShear:
    """Random shear: off-diagonal terms drawn uniformly in ±``amount`` (as in 2s-AGCN/CTR-GCN)."""

    def __init__(self, amount: float = 0.3):
        self.amount = float(amount)

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        mat = np.eye(3) + rng.uniform(-self.amount, self.amount, (3, 3)) * (1 - np.eye(3))
        return _apply_linear(x, mat)


@register
class RandomFlip:
    """Swap the body's sides with probability ``p``: the joints trade places with their left/right
    counterparts (the layout's :meth:`~actlm.data.layouts.Layout.mirror_order`) and the
    coordinates are reflected through the first frame's centre joint.

    ``kind="mirror"`` reflects x: a right-handed throw becomes a left-handed one in the same place
    (PySKL's ``Flip`` for 2D keypoints, here for every layout and for 3D; after ``SpineAlign`` x is
    the shoulder axis, so the reflection is about the body's midline plane).
    ``kind="back"`` reflects x and z (3D): the skeleton a frontal tracker such as the Kinect fits
    to a performer seen *from behind*. It labels the person's right side as left, so in that
    skeleton's own body frame the sides are swapped and front and back are exchanged: hands that
    hold something in front of the body appear behind it (what it does on NW-UCLA: docs/results.md).
    y and a score channel are kept; absent persons stay zero. Label preserving for datasets
    without side-specific classes (NW-UCLA, NTU, Kinetics skeletons).
    """

    def __init__(self, layout: str | Layout, p: float = 0.5, kind: Literal["mirror", "back"] = "mirror"):
        if kind not in ("mirror", "back"):
            raise ValueError(f"kind must be 'mirror' or 'back', got {kind!r}")
        self.layout = get_layout(layout)
        self.order = self.layout.mirror_order()
        self.p = float(p)
        self.axes = [0] if kind == "mirror" else [0, 2]

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        present = _person_mask(x)
        if rng.random() >= self.p or not present.any():
            return x
        m0, t0 = np.argwhere(present)[0]
        axes = [a for a in self.axes if a < min(x.shape[-1], 3)]
        centre = _mean_joint(x[m0, t0], self.layout.center)[axes]
        out = x[:, :, self.order].copy()
        out[..., axes] = 2 * centre - out[..., axes]
        out[~present] = 0
        return out.astype(np.float32, copy=False)


@register
class RandomArmDepthFlip:
    """With probability ``p`` per side, reflect that arm's depth through its shoulder: the elbow,
    wrist and hand joints keep x and y and their body-frame z is mirrored about the shoulder's z
    in every frame, so a hand held in front of the body is put behind it (and back).

    Why: a single depth camera that sees a performer from the side or from behind does not see the
    far arm, and its tracker guesses it, often behind the body. The flip makes a hand's side of the
    body unreliable in training, as it is in such recordings (what it does on NW-UCLA:
    docs/results.md). Use after ``SpineAlign`` (z is then the body's forward axis) and before the
    random rotation; 2D input is unchanged.
    """

    def __init__(self, layout: str | Layout, p: float = 0.25):
        self.layout = get_layout(layout)
        self.p = float(p)
        self.sides = [self._arm(side) for side in ("left", "right")]

    def _arm(self, side: str) -> tuple[int, list[int]]:
        parts = self.layout.parts
        arm = parts.get(f"{side}_arm")
        if not arm:
            raise ConfigError(f"RandomArmDepthFlip: layout {self.layout.name} has no {side}_arm part")
        shoulder = self.layout.left_shoulder if side == "left" else self.layout.right_shoulder
        joints = [j for j in (*arm, *parts.get(f"{side}_hand", ())) if j != shoulder]
        return shoulder, sorted(set(joints))

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        flips = rng.random(len(self.sides)) < self.p
        if x.shape[-1] < 3 or not flips.any():
            return x
        out = x.copy()   # an absent person (all zeros) stays zero: 2 * 0 - 0
        for (shoulder, joints), flip in zip(self.sides, flips):
            if flip:
                out[..., joints, 2] = 2 * x[..., [shoulder], 2] - x[..., joints, 2]
        return out.astype(np.float32, copy=False)


# --- streams, persons, layouts ---------------------------------------------------------------
STREAMS = ("joint", "bone", "joint_motion", "bone_motion")


def bones_of(x: np.ndarray, layout: Layout) -> np.ndarray:
    """Bone vectors: each joint minus its parent (zero at the root)."""
    return x - x[..., layout.parents(), :]


def motion_of(x: np.ndarray) -> np.ndarray:
    """Frame-to-frame differences along time (last frame zero), zero where a person is absent."""
    out = np.zeros_like(x)
    out[:, :-1] = x[:, 1:] - x[:, :-1]
    present = _person_mask(x)
    out[:, :-1][~(present[:, 1:] & present[:, :-1])] = 0
    return out


@register
class Stream:
    """Select the input stream: ``joint``, ``bone``, ``joint_motion`` or ``bone_motion``."""

    def __init__(self, layout: str | Layout, kind: str = "joint"):
        if kind not in STREAMS:
            raise ValueError(f"unknown stream {kind!r}; choose one of {STREAMS}")
        self.layout = get_layout(layout)
        self.kind = kind

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if self.kind.startswith("bone"):
            x = bones_of(x, self.layout)
        if self.kind.endswith("motion"):
            x = motion_of(x)
        return x


@register
class PadPersons:
    """Pad (with zeros) or cut to exactly ``persons`` persons."""

    def __init__(self, persons: int):
        self.persons = int(persons)

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        m = x.shape[0]
        if m >= self.persons:
            return x[: self.persons]
        return np.concatenate([x, np.zeros((self.persons - m,) + x.shape[1:], x.dtype)])


@register
class SelectChannels:
    """Keep the first ``channels`` values per joint (e.g. 3 for x, y, z of NTU's 12)."""

    def __init__(self, channels: int):
        self.channels = int(channels)

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return x[..., : self.channels]


@register
class MapLayout:
    """Convert joints from ``source`` to ``target`` layout (see ``layouts.MAPPING_NOTES``)."""

    def __init__(self, source: str, target: str):
        self.mapping = get_mapping(source, target)

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        present = _person_mask(x)
        out = self.mapping.apply(x)
        out[~present] = 0
        return out


# --- pipeline --------------------------------------------------------------------------------
class Pipeline:
    """A list of transforms applied in order; built from config with :func:`build_pipeline`."""

    def __init__(self, transforms: list[Transform]):
        self.transforms = transforms

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        for transform in self.transforms:
            x = transform(x, rng)
        return np.ascontiguousarray(x, dtype=np.float32)


_NEEDS_LAYOUT = {"SpineAlign", "RandomFlip", "RandomArmDepthFlip", "Stream"}


def build_pipeline(spec: list[dict[str, Any]], layout: str | Layout) -> Pipeline:
    """Build a pipeline from ``[{"type": Name, **args}, ...]``; the dataset's layout is passed
    to transforms that need it, and after a ``MapLayout`` the layout it maps to. Unknown names
    or arguments raise ``ConfigError``."""
    transforms: list[Transform] = []
    for entry in spec:
        args = dict(entry)
        name = args.pop("type", None)
        if name not in TRANSFORMS:
            raise ConfigError(f"unknown transform {name!r}; known: {', '.join(sorted(TRANSFORMS))}")
        if name in _NEEDS_LAYOUT:
            args.setdefault("layout", layout)
        try:
            transforms.append(TRANSFORMS[name](**args))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"transform {name}: {exc}") from None
        if name == "MapLayout":
            layout = args["target"]
    return Pipeline(transforms)
