"""Skeleton layouts as data: joint names, bones, centre joint, body-part groups, mappings.

Every dataset, transform, model and explanation in actlm refers to joints through a
:class:`Layout`, never through scattered index constants. A layout is identified by name
(``kinect-v2`` for NTU RGB+D, ``kinect-v1`` for NW-UCLA, ``coco-17``, ``blazepose-33``,
``penn-13`` for Penn Action, ``sbu-15`` for SBU Kinect Interaction, ``body-13`` the common
body every source maps onto by joint name).

Joint groups that describe a location (the centre, the spine axis, the shoulder axis) are
tuples of joint indices that are *averaged*, so layouts without a spine joint (COCO,
BlazePose) can still be centred on the mid-hip or aligned shoulder to shoulder.

A layout can also be *declared* as data (:meth:`Layout.from_dict`, a YAML/JSON file read by
:mod:`actlm.data.layout_file`) and registered with :func:`register_layout`; datasets and
checkpoints store such a definition and register it again when they are opened.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .errors import DataError, file_error

#: Body-part groups every layout defines (possibly empty where the layout has no such joints).
BODY_PARTS = (
    "head", "torso", "left_arm", "right_arm", "left_hand", "right_hand",
    "left_leg", "right_leg", "feet",
)


@dataclass(frozen=True)
class Layout:
    """A skeleton layout. ``bones`` are (child, parent) pairs forming a tree rooted at ``root``."""

    name: str
    joints: tuple[str, ...]
    bones: tuple[tuple[int, int], ...]
    root: int
    center: tuple[int, ...]
    spine_bottom: tuple[int, ...]
    spine_top: tuple[int, ...]
    left_shoulder: int
    right_shoulder: int
    parts: dict[str, tuple[int, ...]] = field(hash=False, compare=False)
    description: str = ""
    mirror: tuple[tuple[int, int], ...] = ()   # explicit left/right pairs (else told by name)

    @property
    def num_joints(self) -> int:
        return len(self.joints)

    def index(self, joint: str) -> int:
        """Index of a joint by name (raises ``KeyError`` naming the layout)."""
        try:
            return self.joints.index(joint)
        except ValueError:
            raise KeyError(f"layout {self.name!r} has no joint {joint!r}") from None

    def mirror_order(self) -> np.ndarray:
        """Index of each joint's left/right counterpart (itself for midline joints): reading the
        joints in this order swaps the body sides, e.g. for a mirrored (left-handed) performance.
        Sides are told by name (``left_x``/``right_x`` or ``x_left``/``x_right``)."""
        def other_side(name: str) -> str:
            for a, b in (("left", "right"), ("right", "left")):
                if name.startswith(a + "_"):
                    return b + name[len(a):]
                if name.endswith("_" + a):
                    return name[: -len(a)] + b
            return name
        index = {name: i for i, name in enumerate(self.joints)}
        order = np.array([index.get(other_side(name), i) for i, name in enumerate(self.joints)])
        for a, b in self.mirror:
            order[a], order[b] = b, a
        return order

    def to_dict(self) -> dict[str, Any]:
        """The full definition by joint names (what a layout file holds; :meth:`from_dict` reads it)."""
        def names(idx: tuple[int, ...]) -> list[str]:
            return [self.joints[i] for i in idx]
        return {"name": self.name, "description": self.description, "joints": list(self.joints),
                "bones": [[self.joints[c], self.joints[p]] for c, p in self.bones],
                "center": names(self.center), "spine_bottom": names(self.spine_bottom),
                "spine_top": names(self.spine_top), "left_shoulder": self.joints[self.left_shoulder],
                "right_shoulder": self.joints[self.right_shoulder],
                "parts": {part: names(members) for part, members in self.parts.items()},
                "mirror": [[self.joints[a], self.joints[b]] for a, b in self.mirror]}

    @classmethod
    def from_dict(cls, spec: dict[str, Any], source: str = "layout") -> "Layout":
        """A layout from its definition by names (see :mod:`actlm.data.layout_file`); errors are
        :class:`DataError` naming ``source`` (the file) and the problem."""
        return _SpecReader(spec, str(source)).layout()

    def parents(self) -> np.ndarray:
        """Parent index per joint (the root is its own parent), used for bone vectors."""
        parent = np.arange(self.num_joints)
        for child, par in self.bones:
            parent[child] = par
        return parent

    def adjacency(self) -> np.ndarray:
        """Symmetric 0/1 adjacency of the bone graph without self-loops, shape (V, V)."""
        a = np.zeros((self.num_joints, self.num_joints), dtype=np.float32)
        for child, par in self.bones:
            a[child, par] = a[par, child] = 1.0
        return a

    def hop_distance(self) -> np.ndarray:
        """Shortest-path hop count between joints (inf where disconnected), shape (V, V): one
        breadth-first search per joint, O(V * bones) (a matrix power per hop took minutes at 400 joints)."""
        neighbours = self._neighbours()
        dist = np.full((self.num_joints, self.num_joints), np.inf)
        for start in range(self.num_joints):
            hops = _bfs_hops(neighbours, start)
            reached = [j for j, h in enumerate(hops) if h >= 0]
            dist[start, reached] = [hops[j] for j in reached]
        return dist

    def _neighbours(self) -> list[list[int]]:
        neighbours: list[list[int]] = [[] for _ in range(self.num_joints)]
        for child, par in self.bones:
            neighbours[child].append(par)
            neighbours[par].append(child)
        return neighbours

    def part_of(self, joint: int) -> str | None:
        """The first body-part group that contains ``joint`` (None if none does)."""
        for part, members in self.parts.items():
            if joint in members:
                return part
        return None

    def validate(self) -> None:
        """Check internal consistency; raises ``ValueError`` describing the first problem."""
        v = self.num_joints
        if len(set(self.joints)) != v:
            raise ValueError(f"layout {self.name}: duplicate joint names")
        if len(self.bones) != v - 1:
            raise ValueError(f"layout {self.name}: a tree over {v} joints needs {v - 1} bones, got {len(self.bones)}")
        children = [c for c, _ in self.bones]
        if len(set(children)) != len(children) or self.root in children:
            raise ValueError(f"layout {self.name}: every non-root joint must have exactly one parent")
        if min(_bfs_hops(self._neighbours(), self.root)) < 0:
            raise ValueError(f"layout {self.name}: bone graph is not connected")
        missing = set(BODY_PARTS) - set(self.parts)
        if missing:
            raise ValueError(f"layout {self.name}: body-part groups missing: {sorted(missing)}")
        for part, members in self.parts.items():
            if any(not 0 <= j < v for j in members):
                raise ValueError(f"layout {self.name}: part {part} has an out-of-range joint")


def layout_warnings(layout: Layout) -> list[str]:
    """What a layout cannot do, said before data is prepared with it: without a spine (its
    bottom and top are the same joints) ``SpineAlign`` can neither turn the body upright nor
    scale it, and the explanations' up/front (raised hands, leaning forward) mean nothing."""
    if set(layout.spine_bottom) != set(layout.spine_top):
        return []
    joints = ", ".join(layout.joints[j] for j in layout.spine_top)
    return [f"warning: layout {layout.name} has no spine (spine_bottom and spine_top are both {joints}): "
            f"skeletons are centred but not turned upright or scaled, and explanations' up/front are "
            f"undefined; give spine_bottom and spine_top (e.g. mid-hip and mid-shoulder joints) in the layout file"]


def _bfs_hops(neighbours: list[list[int]], start: int) -> list[int]:
    """Hops from ``start`` to every joint over the bone graph (-1 where unreachable)."""
    hops = [-1] * len(neighbours)
    hops[start] = 0
    frontier = [start]
    while frontier:
        nxt = []
        for j in frontier:
            for n in neighbours[j]:
                if hops[n] < 0:
                    hops[n] = hops[j] + 1
                    nxt.append(n)
        frontier = nxt
    return hops


#: joints a layout file may declare (whole-body keypoint sets have ~133)
MAX_JOINTS = 1000
_SPEC_KEYS = ("name", "description", "joints", "bones", "center", "spine_bottom", "spine_top",
              "left_shoulder", "right_shoulder", "parts", "mirror")
# joints that mark the bottom/top of the spine when a layout file does not name them
_SPINE_BOTTOM_NAMES = ("hip_center", "spine_base", "pelvis", "mid_hip", "torso")
_SPINE_TOP_NAMES = ("shoulder_center", "spine_shoulder", "neck", "thorax")


class _SpecReader:
    """Reads a layout definition by joint names into a :class:`Layout`, one check at a time."""

    def __init__(self, spec: Any, source: str):
        self.source = source
        if not isinstance(spec, dict):
            raise self.error("a layout is a mapping with name, joints, bones, center and parts")
        unknown = sorted(str(k) for k in set(spec) - set(_SPEC_KEYS))
        if unknown:
            raise self.error(f"unknown key(s) {', '.join(unknown)}; a layout has {', '.join(_SPEC_KEYS)}")
        missing = [k for k in ("name", "joints", "bones", "center") if spec.get(k) in (None, "", [])]
        if missing:
            raise self.error(f"no {', '.join(repr(k) for k in missing)} given")
        for key in ("name", "description"):
            if key in spec and spec[key] is not None and not isinstance(spec[key], str):
                raise self.error(f"'{key}' must be text, got {type(spec[key]).__name__}")
        if not spec["name"].strip():
            raise self.error("'name' is blank; give the layout a name (letters, digits, '-')")
        self.spec = spec

    def error(self, problem: str) -> DataError:
        return file_error(self.source, problem)

    def layout(self) -> "Layout":
        joints = self._joints()
        self.index = {name: i for i, name in enumerate(joints)}
        bones = tuple(self._pair(b, "bones") for b in self._list("bones"))
        root = self._tree_root(joints, bones)
        center = self._group(self.spec["center"], "center")
        layout = Layout(
            name=str(self.spec["name"]).strip(), joints=joints, bones=bones, root=root, center=center,
            spine_bottom=self._default_group("spine_bottom", _SPINE_BOTTOM_NAMES, "left_hip", center),
            spine_top=self._default_group("spine_top", _SPINE_TOP_NAMES, "left_shoulder", center),
            left_shoulder=self._shoulder("left_shoulder"), right_shoulder=self._shoulder("right_shoulder"),
            parts=self._parts(), description=str(self.spec.get("description") or ""),
            mirror=tuple(self._pair(p, "mirror") for p in self._list("mirror")))
        try:
            layout.validate()
        except ValueError as exc:
            raise self.error(str(exc)) from None
        return layout

    def _list(self, key: str) -> list[Any]:
        value = self.spec.get(key) or []
        if not isinstance(value, list):
            raise self.error(f"'{key}' must be a list, got {type(value).__name__}")
        return value

    def _joints(self) -> tuple[str, ...]:
        joints = self._list("joints")
        if len(joints) > MAX_JOINTS:
            raise self.error(f"{len(joints)} joints; a layout has at most {MAX_JOINTS}")
        if not all(isinstance(j, str) and j.strip() for j in joints):
            raise self.error("'joints' must be a list of joint names (non-empty strings)")
        seen: set[str] = set()
        for j in joints:
            if j in seen:
                raise self.error(f"joint {j!r} is listed twice in 'joints'")
            seen.add(j)
        return tuple(joints)

    def _joint(self, name: Any, where: str) -> int:
        if not isinstance(name, str):
            raise self.error(f"{where}: {name!r} is not a joint name (a {type(name).__name__}, not text)")
        if name not in self.index:
            raise self.error(f"{where} names unknown joint {name!r} (joints: {', '.join(self.index)})")
        return self.index[name]

    def _pair(self, pair: Any, key: str) -> tuple[int, int]:
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
            raise self.error(f"each entry of '{key}' is a pair [a, b] of joint names, got {pair!r}")
        return self._joint(pair[0], f"{key} entry {list(pair)}"), self._joint(pair[1], f"{key} entry {list(pair)}")

    def _tree_root(self, joints: tuple[str, ...], bones: tuple[tuple[int, int], ...]) -> int:
        """The root of the bone tree; names a self-bone, a second parent, a cycle or a split graph."""
        parent: dict[int, int] = {}
        for child, par in bones:
            if child == par:
                raise self.error(f"bone [{joints[child]}, {joints[par]}] joins a joint to itself")
            if child in parent:
                raise self.error(f"joint {joints[child]!r} has two parents ({joints[parent[child]]!r} and "
                                 f"{joints[par]!r}); bones are [child, parent] pairs of a tree")
            parent[child] = par
        reaches_root: set[int] = set()          # joints whose parent chain is known to end: O(V) in all
        for start in parent:
            path, on_path = [start], {start}
            while path[-1] in parent and path[-1] not in reaches_root:
                nxt = parent[path[-1]]
                if nxt in on_path:
                    loop = [joints[j] for j in path[path.index(nxt):] + [nxt]]
                    shown = loop if len(loop) <= 12 else loop[:10] + [f"... ({len(loop) - 1} joints)"]
                    raise self.error("bones form a cycle: " + " -> ".join(shown))
                path.append(nxt)
                on_path.add(nxt)
            reaches_root.update(path)
        roots = [j for j in range(len(joints)) if j not in parent]
        if len(roots) > 1:
            joins = ", ".join(f"[{joints[r]}, {joints[roots[0]]}]" for r in roots[1:])
            raise self.error(f"the bone graph is not connected: {len(joints)} joints need {len(joints) - 1} "
                             f"bones to form one tree, got {len(bones)}; separate pieces start at "
                             f"{', '.join(joints[r] for r in roots)}. Join the pieces with one bone each, e.g. "
                             f"{joins} (a bone need not be a real one: it tells the model which joints to "
                             f"relate first, as Kinect's spine joins two arms)")
        return roots[0]

    def _group(self, value: Any, where: str) -> tuple[int, ...]:
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names:
            raise self.error(f"'{where}' must be a joint name or a non-empty list of joint names")
        return tuple(self._joint(n, f"'{where}'") for n in names)

    def _default_group(self, key: str, names: tuple[str, ...], left: str, center: tuple[int, ...]) -> tuple[int, ...]:
        """The group a file gives, else the first joint named like it, else both sides' ``left``
        joints averaged (mid-hip, mid-shoulder), else the centre."""
        if self.spec.get(key) is not None:
            return self._group(self.spec[key], key)
        for name in names:
            if name in self.index:
                return (self.index[name],)
        pair = (left, left.replace("left", "right"))
        if all(n in self.index for n in pair):
            return tuple(self.index[n] for n in pair)
        return center

    def _shoulder(self, key: str) -> int:
        if self.spec.get(key) is not None:
            return self._joint(self.spec[key], f"'{key}'")
        if key not in self.index:
            raise self.error(f"no joint named {key!r}: give '{key}: JOINT' (used to turn the body to face the camera)")
        return self.index[key]

    def _parts(self) -> dict[str, tuple[int, ...]]:
        parts = self.spec.get("parts") or {}
        if not isinstance(parts, dict):
            raise self.error("'parts' must map body-part names to lists of joint names")
        unknown = sorted(set(parts) - set(BODY_PARTS))
        if unknown:
            raise self.error(f"unknown body part(s) {', '.join(unknown)}; parts are {', '.join(BODY_PARTS)}")
        return {part: (self._group(parts[part], f"parts.{part}") if parts.get(part) else ())
                for part in BODY_PARTS}


def _bones(joints: tuple[str, ...], pairs: list[tuple[str, str]]) -> tuple[tuple[int, int], ...]:
    return tuple((joints.index(c), joints.index(p)) for c, p in pairs)


def _group(joints: tuple[str, ...], names: list[str]) -> tuple[int, ...]:
    return tuple(joints.index(n) for n in names)


# --- Kinect v2 / NTU RGB+D (25 joints, order of the official .skeleton files) -------------
_KV2 = (
    "spine_base", "spine_mid", "neck", "head",
    "left_shoulder", "left_elbow", "left_wrist", "left_hand",
    "right_shoulder", "right_elbow", "right_wrist", "right_hand",
    "left_hip", "left_knee", "left_ankle", "left_foot",
    "right_hip", "right_knee", "right_ankle", "right_foot",
    "spine_shoulder", "left_hand_tip", "left_thumb", "right_hand_tip", "right_thumb",
)
KINECT_V2 = Layout(
    name="kinect-v2",
    joints=_KV2,
    bones=_bones(_KV2, [
        ("spine_mid", "spine_base"), ("spine_shoulder", "spine_mid"), ("neck", "spine_shoulder"),
        ("head", "neck"),
        ("left_shoulder", "spine_shoulder"), ("left_elbow", "left_shoulder"),
        ("left_wrist", "left_elbow"), ("left_hand", "left_wrist"),
        ("left_hand_tip", "left_hand"), ("left_thumb", "left_hand"),
        ("right_shoulder", "spine_shoulder"), ("right_elbow", "right_shoulder"),
        ("right_wrist", "right_elbow"), ("right_hand", "right_wrist"),
        ("right_hand_tip", "right_hand"), ("right_thumb", "right_hand"),
        ("left_hip", "spine_base"), ("left_knee", "left_hip"), ("left_ankle", "left_knee"),
        ("left_foot", "left_ankle"),
        ("right_hip", "spine_base"), ("right_knee", "right_hip"), ("right_ankle", "right_knee"),
        ("right_foot", "right_ankle"),
    ]),
    root=_KV2.index("spine_base"),
    center=_group(_KV2, ["spine_mid"]),
    spine_bottom=_group(_KV2, ["spine_base"]),
    spine_top=_group(_KV2, ["spine_shoulder"]),
    left_shoulder=_KV2.index("left_shoulder"),
    right_shoulder=_KV2.index("right_shoulder"),
    parts={
        "head": _group(_KV2, ["head", "neck"]),
        "torso": _group(_KV2, ["spine_base", "spine_mid", "spine_shoulder", "left_hip", "right_hip"]),
        "left_arm": _group(_KV2, ["left_shoulder", "left_elbow", "left_wrist"]),
        "right_arm": _group(_KV2, ["right_shoulder", "right_elbow", "right_wrist"]),
        "left_hand": _group(_KV2, ["left_hand", "left_hand_tip", "left_thumb"]),
        "right_hand": _group(_KV2, ["right_hand", "right_hand_tip", "right_thumb"]),
        "left_leg": _group(_KV2, ["left_hip", "left_knee", "left_ankle"]),
        "right_leg": _group(_KV2, ["right_hip", "right_knee", "right_ankle"]),
        "feet": _group(_KV2, ["left_foot", "right_foot"]),
    },
    description="Microsoft Kinect v2 body tracking (NTU RGB+D 60/120), 25 joints",
)

# --- Kinect v1 / NW-UCLA (20 joints) ------------------------------------------------------
_KV1 = (
    "hip_center", "spine", "shoulder_center", "head",
    "left_shoulder", "left_elbow", "left_wrist", "left_hand",
    "right_shoulder", "right_elbow", "right_wrist", "right_hand",
    "left_hip", "left_knee", "left_ankle", "left_foot",
    "right_hip", "right_knee", "right_ankle", "right_foot",
)
KINECT_V1 = Layout(
    name="kinect-v1",
    joints=_KV1,
    bones=_bones(_KV1, [
        ("spine", "hip_center"), ("shoulder_center", "spine"), ("head", "shoulder_center"),
        ("left_shoulder", "shoulder_center"), ("left_elbow", "left_shoulder"),
        ("left_wrist", "left_elbow"), ("left_hand", "left_wrist"),
        ("right_shoulder", "shoulder_center"), ("right_elbow", "right_shoulder"),
        ("right_wrist", "right_elbow"), ("right_hand", "right_wrist"),
        ("left_hip", "hip_center"), ("left_knee", "left_hip"), ("left_ankle", "left_knee"),
        ("left_foot", "left_ankle"),
        ("right_hip", "hip_center"), ("right_knee", "right_hip"), ("right_ankle", "right_knee"),
        ("right_foot", "right_ankle"),
    ]),
    root=_KV1.index("hip_center"),
    center=_group(_KV1, ["spine"]),
    spine_bottom=_group(_KV1, ["hip_center"]),
    spine_top=_group(_KV1, ["shoulder_center"]),
    left_shoulder=_KV1.index("left_shoulder"),
    right_shoulder=_KV1.index("right_shoulder"),
    parts={
        "head": _group(_KV1, ["head"]),
        "torso": _group(_KV1, ["hip_center", "spine", "shoulder_center", "left_hip", "right_hip"]),
        "left_arm": _group(_KV1, ["left_shoulder", "left_elbow", "left_wrist"]),
        "right_arm": _group(_KV1, ["right_shoulder", "right_elbow", "right_wrist"]),
        "left_hand": _group(_KV1, ["left_hand"]),
        "right_hand": _group(_KV1, ["right_hand"]),
        "left_leg": _group(_KV1, ["left_hip", "left_knee", "left_ankle"]),
        "right_leg": _group(_KV1, ["right_hip", "right_knee", "right_ankle"]),
        "feet": _group(_KV1, ["left_foot", "right_foot"]),
    },
    description="Microsoft Kinect v1 (Northwestern-UCLA Multiview Action 3D), 20 joints",
)

# --- COCO-17 (2D keypoint detectors: HRNet, RTMPose, YOLO-pose, ...) -----------------------
_COCO = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)
COCO_17 = Layout(
    name="coco-17",
    joints=_COCO,
    bones=_bones(_COCO, [
        ("left_eye", "nose"), ("right_eye", "nose"), ("left_ear", "left_eye"),
        ("right_ear", "right_eye"),
        ("left_shoulder", "nose"), ("right_shoulder", "nose"),
        ("left_elbow", "left_shoulder"), ("left_wrist", "left_elbow"),
        ("right_elbow", "right_shoulder"), ("right_wrist", "right_elbow"),
        ("left_hip", "left_shoulder"), ("right_hip", "right_shoulder"),
        ("left_knee", "left_hip"), ("left_ankle", "left_knee"),
        ("right_knee", "right_hip"), ("right_ankle", "right_knee"),
    ]),
    root=_COCO.index("nose"),
    center=_group(_COCO, ["left_hip", "right_hip", "left_shoulder", "right_shoulder"]),
    spine_bottom=_group(_COCO, ["left_hip", "right_hip"]),
    spine_top=_group(_COCO, ["left_shoulder", "right_shoulder"]),
    left_shoulder=_COCO.index("left_shoulder"),
    right_shoulder=_COCO.index("right_shoulder"),
    parts={
        "head": _group(_COCO, ["nose", "left_eye", "right_eye", "left_ear", "right_ear"]),
        "torso": _group(_COCO, ["left_shoulder", "right_shoulder", "left_hip", "right_hip"]),
        "left_arm": _group(_COCO, ["left_shoulder", "left_elbow", "left_wrist"]),
        "right_arm": _group(_COCO, ["right_shoulder", "right_elbow", "right_wrist"]),
        "left_hand": _group(_COCO, ["left_wrist"]),
        "right_hand": _group(_COCO, ["right_wrist"]),
        "left_leg": _group(_COCO, ["left_hip", "left_knee", "left_ankle"]),
        "right_leg": _group(_COCO, ["right_hip", "right_knee", "right_ankle"]),
        "feet": _group(_COCO, ["left_ankle", "right_ankle"]),
    },
    description="COCO keypoints, 17 joints (2D detectors)",
)

# --- MediaPipe BlazePose (33 landmarks) ---------------------------------------------------
_BP = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer", "left_ear", "right_ear",
    "mouth_left", "mouth_right", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_pinky", "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)
BLAZEPOSE_33 = Layout(
    name="blazepose-33",
    joints=_BP,
    bones=_bones(_BP, [
        ("left_eye_inner", "nose"), ("left_eye", "left_eye_inner"), ("left_eye_outer", "left_eye"),
        ("left_ear", "left_eye_outer"),
        ("right_eye_inner", "nose"), ("right_eye", "right_eye_inner"),
        ("right_eye_outer", "right_eye"), ("right_ear", "right_eye_outer"),
        ("mouth_left", "nose"), ("mouth_right", "nose"),
        ("left_shoulder", "nose"), ("right_shoulder", "nose"),
        ("left_elbow", "left_shoulder"), ("left_wrist", "left_elbow"),
        ("left_pinky", "left_wrist"), ("left_index", "left_wrist"), ("left_thumb", "left_wrist"),
        ("right_elbow", "right_shoulder"), ("right_wrist", "right_elbow"),
        ("right_pinky", "right_wrist"), ("right_index", "right_wrist"),
        ("right_thumb", "right_wrist"),
        ("left_hip", "left_shoulder"), ("right_hip", "right_shoulder"),
        ("left_knee", "left_hip"), ("left_ankle", "left_knee"),
        ("left_heel", "left_ankle"), ("left_foot_index", "left_ankle"),
        ("right_knee", "right_hip"), ("right_ankle", "right_knee"),
        ("right_heel", "right_ankle"), ("right_foot_index", "right_ankle"),
    ]),
    root=_BP.index("nose"),
    center=_group(_BP, ["left_hip", "right_hip", "left_shoulder", "right_shoulder"]),
    spine_bottom=_group(_BP, ["left_hip", "right_hip"]),
    spine_top=_group(_BP, ["left_shoulder", "right_shoulder"]),
    left_shoulder=_BP.index("left_shoulder"),
    right_shoulder=_BP.index("right_shoulder"),
    parts={
        "head": _group(_BP, list(_BP[:11])),
        "torso": _group(_BP, ["left_shoulder", "right_shoulder", "left_hip", "right_hip"]),
        "left_arm": _group(_BP, ["left_shoulder", "left_elbow", "left_wrist"]),
        "right_arm": _group(_BP, ["right_shoulder", "right_elbow", "right_wrist"]),
        "left_hand": _group(_BP, ["left_pinky", "left_index", "left_thumb"]),
        "right_hand": _group(_BP, ["right_pinky", "right_index", "right_thumb"]),
        "left_leg": _group(_BP, ["left_hip", "left_knee", "left_ankle"]),
        "right_leg": _group(_BP, ["right_hip", "right_knee", "right_ankle"]),
        "feet": _group(_BP, ["left_heel", "right_heel", "left_foot_index", "right_foot_index"]),
    },
    description="MediaPipe BlazePose landmarks, 33 joints (video pose estimation)",
)

# --- Penn Action (13 joints, 2D image annotations) --------------------------------------------
_PENN = (
    "head", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee",
    "left_ankle", "right_ankle",
)
PENN_13 = Layout(
    name="penn-13",
    joints=_PENN,
    bones=_bones(_PENN, [
        ("left_shoulder", "head"), ("right_shoulder", "head"),
        ("left_elbow", "left_shoulder"), ("left_wrist", "left_elbow"),
        ("right_elbow", "right_shoulder"), ("right_wrist", "right_elbow"),
        ("left_hip", "left_shoulder"), ("right_hip", "right_shoulder"),
        ("left_knee", "left_hip"), ("left_ankle", "left_knee"),
        ("right_knee", "right_hip"), ("right_ankle", "right_knee"),
    ]),
    root=_PENN.index("head"),
    center=_group(_PENN, ["left_hip", "right_hip", "left_shoulder", "right_shoulder"]),
    spine_bottom=_group(_PENN, ["left_hip", "right_hip"]),
    spine_top=_group(_PENN, ["left_shoulder", "right_shoulder"]),
    left_shoulder=_PENN.index("left_shoulder"),
    right_shoulder=_PENN.index("right_shoulder"),
    parts={
        "head": _group(_PENN, ["head"]),
        "torso": _group(_PENN, ["left_shoulder", "right_shoulder", "left_hip", "right_hip"]),
        "left_arm": _group(_PENN, ["left_shoulder", "left_elbow", "left_wrist"]),
        "right_arm": _group(_PENN, ["right_shoulder", "right_elbow", "right_wrist"]),
        "left_hand": _group(_PENN, ["left_wrist"]),
        "right_hand": _group(_PENN, ["right_wrist"]),
        "left_leg": _group(_PENN, ["left_hip", "left_knee", "left_ankle"]),
        "right_leg": _group(_PENN, ["right_hip", "right_knee", "right_ankle"]),
        "feet": _group(_PENN, ["left_ankle", "right_ankle"]),
    },
    description="Penn Action annotations, 13 joints (2D image coordinates, y down)",
)

# --- SBU Kinect Interaction (15 joints, OpenNI/NITE skeleton) ----------------------------------
_SBU = (
    "head", "neck", "torso", "left_shoulder", "left_elbow", "left_hand",
    "right_shoulder", "right_elbow", "right_hand", "left_hip", "left_knee", "left_foot",
    "right_hip", "right_knee", "right_foot",
)
SBU_15 = Layout(
    name="sbu-15",
    joints=_SBU,
    bones=_bones(_SBU, [
        ("neck", "torso"), ("head", "neck"),
        ("left_shoulder", "neck"), ("left_elbow", "left_shoulder"), ("left_hand", "left_elbow"),
        ("right_shoulder", "neck"), ("right_elbow", "right_shoulder"), ("right_hand", "right_elbow"),
        ("left_hip", "torso"), ("left_knee", "left_hip"), ("left_foot", "left_knee"),
        ("right_hip", "torso"), ("right_knee", "right_hip"), ("right_foot", "right_knee"),
    ]),
    root=_SBU.index("torso"),
    center=_group(_SBU, ["torso"]),
    spine_bottom=_group(_SBU, ["left_hip", "right_hip"]),
    spine_top=_group(_SBU, ["neck"]),
    left_shoulder=_SBU.index("left_shoulder"),
    right_shoulder=_SBU.index("right_shoulder"),
    parts={
        "head": _group(_SBU, ["head", "neck"]),
        "torso": _group(_SBU, ["torso", "left_hip", "right_hip"]),
        "left_arm": _group(_SBU, ["left_shoulder", "left_elbow"]),
        "right_arm": _group(_SBU, ["right_shoulder", "right_elbow"]),
        "left_hand": _group(_SBU, ["left_hand"]),
        "right_hand": _group(_SBU, ["right_hand"]),
        "left_leg": _group(_SBU, ["left_hip", "left_knee"]),
        "right_leg": _group(_SBU, ["right_hip", "right_knee"]),
        "feet": _group(_SBU, ["left_foot", "right_foot"]),
    },
    description="SBU Kinect Interaction (OpenNI skeleton), 15 joints, two persons",
)

# --- The common body (13 joints every source has) ---------------------------------------------
#: The joints every skeleton source gives, from Kinect to a video pose estimator: Penn Action's 13.
#: Any layout whose joints carry these names (or a stand-in of :data:`STAND_INS`) maps onto it by
#: name (:func:`name_mapping`), so data from any source can meet one model.
BODY_13 = replace(PENN_13, name="body-13", description=(
    "the common body: head, shoulders, elbows, wrists, hips, knees, ankles (13 joints every source has)"))

LAYOUTS: dict[str, Layout] = {lay.name: lay for lay in (KINECT_V2, KINECT_V1, COCO_17, BLAZEPOSE_33, PENN_13,
                                                        SBU_15, BODY_13)}
BUILTIN_LAYOUTS = frozenset(LAYOUTS)   # defined in code; any other layout is stored with its data
_ALIASES = {"ntu": "kinect-v2", "ntu-25": "kinect-v2", "kinect-25": "kinect-v2",
            "nw-ucla": "kinect-v1", "ucla": "kinect-v1", "kinect-20": "kinect-v1",
            "coco": "coco-17", "blazepose": "blazepose-33", "mediapipe": "blazepose-33",
            "penn": "penn-13", "penn-action": "penn-13", "sbu": "sbu-15",
            "body": "body-13", "common": "body-13"}


def get_layout(name: str | Layout) -> Layout:
    """Look up a layout by name or alias (``ntu``, ``nw-ucla``, ``coco``, ``mediapipe`` ...)."""
    if isinstance(name, Layout):
        return name
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in LAYOUTS:
        raise KeyError(f"unknown skeleton layout {name!r}; known: {', '.join(sorted(LAYOUTS))} "
                       f"(or a layout file .yaml/.json)")
    return LAYOUTS[key]


def _definition(layout: Layout) -> dict[str, Any]:
    return {k: v for k, v in layout.to_dict().items() if k != "description"}


def register_layout(layout: Layout) -> Layout:
    """Make ``layout`` known to :func:`get_layout` by its name; returns the registered layout.

    Registering the same definition again is a no-op (a dataset and its checkpoint both carry
    it); a different definition under a taken name is an error, so a stored layout can never
    silently replace a built-in one."""
    key = _ALIASES.get(layout.name.lower(), layout.name.lower())
    known = LAYOUTS.get(key)
    if known is None:
        LAYOUTS[key] = layout
        return layout
    if _definition(known) != _definition(layout):
        which = "the built-in layout" if key in BUILTIN_LAYOUTS else "another layout registered earlier"
        raise DataError(f"layout {layout.name!r} differs from {which} of that name; give yours another name")
    return known


# --- Mappings between layouts -------------------------------------------------------------
@dataclass(frozen=True)
class Mapping:
    """A linear map from one layout's joints to another's: ``target = weights @ source``.

    Each target joint is a weighted average of source joints. ``approximate`` lists the target
    joints that have no true counterpart in the source and are interpolated (documented per
    mapping in ``MAPPING_NOTES``).
    """

    source: str
    target: str
    weights: np.ndarray  # (V_target, V_source)
    approximate: tuple[str, ...]

    def apply(self, data: np.ndarray) -> np.ndarray:
        """Map an array whose joint axis is the second-to-last, e.g. (M, T, V, C)."""
        if data.shape[-2] != self.weights.shape[1]:
            raise ValueError(
                f"mapping {self.source}->{self.target} expects {self.weights.shape[1]} joints, "
                f"got {data.shape[-2]}")
        return np.einsum("uv,...vc->...uc", self.weights, data).astype(data.dtype, copy=False)


def _mapping(source: Layout, target: Layout, spec: dict[str, dict[str, float] | str],
             approximate: tuple[str, ...]) -> Mapping:
    w = np.zeros((target.num_joints, source.num_joints), dtype=np.float32)
    for tgt, src in spec.items():
        row = {src: 1.0} if isinstance(src, str) else src
        total = sum(row.values())
        for name, weight in row.items():
            w[target.index(tgt), source.index(name)] = weight / total
    unmapped = [target.joints[i] for i in range(target.num_joints) if w[i].sum() == 0]
    if unmapped:
        raise ValueError(f"mapping {source.name}->{target.name} leaves joints unmapped: {unmapped}")
    return Mapping(source.name, target.name, w, approximate)


_SIDES = ("left", "right")
_LIMBS_KINECT_FROM_BP = {f"{s}_{j}": f"{s}_{j}" for s in _SIDES
                         for j in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")}

MAPPINGS: dict[tuple[str, str], Mapping] = {}
MAPPING_NOTES: dict[tuple[str, str], str] = {
    ("blazepose-33", "kinect-v1"): (
        "limbs map one to one; hip_center = mid-hip; shoulder_center = mid-shoulder; spine = "
        "point 1/3 of the way from mid-hip to mid-shoulder (Kinect v1 'spine' sits low on the "
        "back); head = mean of nose and both ears; hand = mean of index and pinky knuckles; "
        "foot = foot_index (toe) landmark."),
    ("blazepose-33", "kinect-v2"): (
        "as for kinect-v1, plus spine_mid = half way mid-hip to mid-shoulder, spine_shoulder = "
        "mid-shoulder, neck = 0.75 shoulder centre + 0.25 nose; hand_tip = index knuckle, "
        "thumb = thumb landmark."),
    ("blazepose-33", "coco-17"): "exact subset (BlazePose contains all COCO-17 keypoints).",
    ("coco-17", "kinect-v1"): (
        "limbs one to one; hand = wrist and foot = ankle (COCO has neither); spine and "
        "centres interpolated between mid-hip and mid-shoulder; head = mean of nose and ears."),
    ("kinect-v2", "kinect-v1"): (
        "exact for the 20 joints Kinect v1 has: shoulder_center = spine_shoulder, spine = "
        "spine_mid, hip_center = spine_base; hand tips and thumbs dropped."),
}


def _register_mappings() -> None:
    bp, k1, k2, coco = BLAZEPOSE_33, KINECT_V1, KINECT_V2, COCO_17
    mid_hip = {"left_hip": 1.0, "right_hip": 1.0}
    mid_sh = {"left_shoulder": 1.0, "right_shoulder": 1.0}
    head = {"nose": 1.0, "left_ear": 1.0, "right_ear": 1.0}
    common = dict(_LIMBS_KINECT_FROM_BP)
    common.update({
        "hip_center": mid_hip, "shoulder_center": mid_sh, "head": head,
        "spine": {"left_hip": 2.0, "right_hip": 2.0, "left_shoulder": 1.0, "right_shoulder": 1.0},
    })
    bp_k1 = dict(common)
    bp_k1.update({f"{s}_hand": {f"{s}_index": 1.0, f"{s}_pinky": 1.0} for s in _SIDES})
    bp_k1.update({f"{s}_foot": f"{s}_foot_index" for s in _SIDES})
    MAPPINGS[(bp.name, k1.name)] = _mapping(
        bp, k1, bp_k1, ("hip_center", "spine", "shoulder_center", "head", "left_hand", "right_hand"))

    bp_k2 = {k: v for k, v in bp_k1.items() if k not in ("hip_center", "spine", "shoulder_center")}
    bp_k2.update({
        "spine_base": mid_hip, "spine_mid": {**mid_hip, **mid_sh}, "spine_shoulder": mid_sh,
        "neck": {"left_shoulder": 1.5, "right_shoulder": 1.5, "nose": 1.0},
    })
    bp_k2.update({f"{s}_hand_tip": f"{s}_index" for s in _SIDES})
    bp_k2.update({f"{s}_thumb": f"{s}_thumb" for s in _SIDES})
    MAPPINGS[(bp.name, k2.name)] = _mapping(
        bp, k2, bp_k2, ("spine_base", "spine_mid", "spine_shoulder", "neck", "head"))

    MAPPINGS[(bp.name, coco.name)] = _mapping(bp, coco, {j: j for j in coco.joints}, ())

    coco_k1 = dict(common)
    coco_k1.update({f"{s}_hand": f"{s}_wrist" for s in _SIDES})
    coco_k1.update({f"{s}_foot": f"{s}_ankle" for s in _SIDES})
    MAPPINGS[(coco.name, k1.name)] = _mapping(
        coco, k1, coco_k1,
        ("hip_center", "spine", "shoulder_center", "head", "left_hand", "right_hand",
         "left_foot", "right_foot"))

    k2_k1 = {j: j for j in k1.joints if j in k2.joints}
    k2_k1.update({"hip_center": "spine_base", "spine": "spine_mid", "shoulder_center": "spine_shoulder"})
    MAPPINGS[(k2.name, k1.name)] = _mapping(k2, k1, k2_k1, ())


_register_mappings()


def get_mapping(source: str | Layout, target: str | Layout) -> Mapping:
    """The mapping from ``source`` to ``target`` layout: identity when they are the same, the one
    defined in code (:data:`MAPPINGS`) where there is one, else by joint name (:func:`name_mapping`)."""
    src, tgt = get_layout(source), get_layout(target)
    if src.name == tgt.name:
        return Mapping(src.name, tgt.name, np.eye(src.num_joints, dtype=np.float32), ())
    if (src.name, tgt.name) in MAPPINGS:
        return MAPPINGS[(src.name, tgt.name)]
    return name_mapping(src, tgt)


#: Where a joint is missing by name, the joints that stand in for it, in order of preference (the
#: first alternative the source has all joints of is used, averaged): a face's landmarks for the
#: head (COCO, BlazePose), the hand joint for the wrist and the foot joint for the ankle (SBU's
#: OpenNI skeleton has no wrist or ankle; its hand and foot joints sit at their ends).
STAND_INS: dict[str, tuple[tuple[str, ...], ...]] = {
    "head": (("nose", "left_ear", "right_ear"), ("nose",)),
    **{f"{s}_wrist": ((f"{s}_hand",),) for s in _SIDES},
    **{f"{s}_ankle": ((f"{s}_foot",), (f"{s}_heel",)) for s in _SIDES},
}


def name_mapping(source: Layout, target: Layout) -> Mapping:
    """Map ``source`` onto ``target`` by joint name: each target joint takes the source joint of
    the same name, else its stand-ins (:data:`STAND_INS`, averaged; listed as approximate). Two
    layouts with the same joints in another order map exactly. Raises ``KeyError`` naming the
    target joints the source has neither by name nor by stand-in."""
    index = {name: i for i, name in enumerate(source.joints)}
    w = np.zeros((target.num_joints, source.num_joints), dtype=np.float32)
    approximate, missing = [], []
    for t, joint in enumerate(target.joints):
        if joint in index:
            w[t, index[joint]] = 1.0
            continue
        stand_in = next((alt for alt in STAND_INS.get(joint, ()) if all(j in index for j in alt)), None)
        if stand_in is None:
            missing.append(joint)
            continue
        for j in stand_in:
            w[t, index[j]] = 1.0 / len(stand_in)
        approximate.append(joint)
    if missing:
        known = ", ".join(f"{a}->{b}" for a, b in MAPPINGS)
        raise KeyError(f"no joint mapping from {source.name} to {target.name}: {source.name} has no joint named "
                       f"{', '.join(repr(j) for j in missing)} (nor a stand-in for it); name the joints alike in "
                       f"a layout file, or use a mapping defined in code ({known})")
    return Mapping(source.name, target.name, w, tuple(approximate))
