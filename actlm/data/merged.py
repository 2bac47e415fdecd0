"""The general dataset: every skeleton dataset we have, in the common body, with one class list.

``actlm prepare general`` (or first use of ``data.dataset=general``) reads the prepared NW-UCLA,
UTD-MHAD, Penn Action, SBU Kinect Interaction and MSRC-12 sets, maps every sequence onto the
13-joint common body (``body-13``, by joint name: :func:`actlm.data.layouts.get_mapping`) and
writes one dataset whose classes are the union of theirs, the same action in two datasets being
one class (:data:`CLASSES`: e.g. ``throw`` is NW-UCLA's, UTD-MHAD's and MSRC-12's throw).

Coordinates are stored as x, y (up), z: the 3D sets as recorded, Penn Action's image
annotations with y negated (so that up is up for every source) and z = 0. A model of this set
reads 2D image coordinates (x right, y down), as a video pose estimator gives them: the
pipelines start with :class:`Project2D`, which at training time looks at a 3D sequence from a
random viewpoint before dropping depth, and maps the stored y-up coordinates back to image ones.
:class:`KeypointNoise` then adds the jitter and the lost joints of a video pose estimator.

Per source (splits ``train`` and ``test``: each dataset's standard protocol):

* NW-UCLA: cross-view (views 1+2 train, view 3 test); UTD-MHAD: cross-subject; Penn Action: the
  official split; MSRC-12: odd/even persons, at most :data:`MSRC_PER_RECORDING` segments of each
  recording (the first ones) so that its 6,221 segments do not outweigh the other sets.
* SBU: fold 1 is the test split (folds 2-5 train). Each person becomes a sample of their own where
  the action is theirs: both persons for the mutual interactions (shaking hands, hugging,
  exchanging an object); for the one-sided ones (approaching, departing, kicking, pushing,
  punching) only the person who acts, told by who moves the action's key joints more
  (:data:`SBU_ACTOR_JOINTS`); the other person just stands or receives.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from .catalog import register_dataset
from .errors import DataError, PrepareReport
from .layouts import BODY_13, get_mapping
from .store import DatasetWriter, Sample
from .transforms import _person_mask, register

#: merged class -> the (dataset, class) pairs it holds
CLASSES: dict[str, tuple[tuple[str, str], ...]] = {
    "pick up with one hand": (("nw-ucla", "pick up with one hand"),),
    "pick up with two hands": (("nw-ucla", "pick up with two hands"),),
    "drop trash": (("nw-ucla", "drop trash"),),
    "walk": (("nw-ucla", "walk around"), ("utd-mhad", "walk")),
    "sit down": (("nw-ucla", "sit down"), ("utd-mhad", "stand to sit")),
    "stand up": (("nw-ucla", "stand up"), ("utd-mhad", "sit to stand")),
    "donning": (("nw-ucla", "donning"),),
    "doffing": (("nw-ucla", "doffing"),),
    "throw": (("nw-ucla", "throw"), ("utd-mhad", "throw"), ("msrc-12", "throw")),
    "carry": (("nw-ucla", "carry"),),
    "swipe left": (("utd-mhad", "swipe left"),),
    "swipe right": (("utd-mhad", "swipe right"),),
    "wave": (("utd-mhad", "wave"),),
    "clap": (("utd-mhad", "clap"),),
    "arm cross": (("utd-mhad", "arm cross"),),
    "basketball shoot": (("utd-mhad", "basketball shoot"),),
    "draw x": (("utd-mhad", "draw x"),),
    "draw circle (clockwise)": (("utd-mhad", "draw circle (clockwise)"),),
    "draw circle (counter clockwise)": (("utd-mhad", "draw circle (counter clockwise)"),),
    "draw triangle": (("utd-mhad", "draw triangle"),),
    "bowling": (("utd-mhad", "bowling"), ("penn-action", "bowl")),
    "punch": (("utd-mhad", "boxing"), ("sbu", "punching")),
    "baseball swing": (("utd-mhad", "baseball swing"), ("penn-action", "baseball swing")),
    "tennis forehand": (("utd-mhad", "tennis swing"), ("penn-action", "tennis forehand")),
    "arm curl": (("utd-mhad", "arm curl"),),
    "tennis serve": (("utd-mhad", "tennis serve"), ("penn-action", "tennis serve")),
    "push": (("utd-mhad", "push"), ("sbu", "pushing")),
    "knock": (("utd-mhad", "knock"),),
    "catch": (("utd-mhad", "catch"),),
    "pick up and throw": (("utd-mhad", "pickup and throw"),),
    "jog": (("utd-mhad", "jog"),),
    "lunge": (("utd-mhad", "lunge"),),
    "squat": (("utd-mhad", "squat"), ("penn-action", "squat")),
    "baseball pitch": (("penn-action", "baseball pitch"),),
    "bench press": (("penn-action", "bench press"),),
    "clean and jerk": (("penn-action", "clean and jerk"),),
    "golf swing": (("penn-action", "golf swing"),),
    "jump rope": (("penn-action", "jump rope"),),
    "jumping jacks": (("penn-action", "jumping jacks"),),
    "pull up": (("penn-action", "pullup"),),
    "push up": (("penn-action", "pushup"),),
    "sit up": (("penn-action", "situp"),),
    "strum guitar": (("penn-action", "strum guitar"),),
    "approach": (("sbu", "approaching"),),
    "depart": (("sbu", "departing"),),
    "kick": (("sbu", "kicking"), ("msrc-12", "kick")),
    "shake hands": (("sbu", "shaking hands"),),
    "hug": (("sbu", "hugging"),),
    "hand over an object": (("sbu", "exchanging object"),),
    "lift outstretched arms": (("msrc-12", "lift outstretched arms"),),
    "duck": (("msrc-12", "duck"),),
    "push right": (("msrc-12", "push right"),),
    "goggles": (("msrc-12", "goggles"),),
    "wind it up": (("msrc-12", "wind it up"),),
    "shoot a pistol": (("msrc-12", "shoot"),),
    "bow": (("msrc-12", "bow"),),
    "had enough": (("msrc-12", "had enough"),),
    "change weapon": (("msrc-12", "change weapon"),),
    "beat both": (("msrc-12", "beat both"),),
}
#: source dataset -> (train split, test split)
SOURCES: dict[str, tuple[str, str]] = {
    "nw-ucla": ("train", "test"), "utd-mhad": ("train", "test"), "penn-action": ("train", "test"),
    "sbu": ("fold1_train", "fold1_test"), "msrc-12": ("train", "test"),
}
MSRC_PER_RECORDING = 3
SBU_MUTUAL = ("shaking hands", "hugging", "exchanging object")
#: SBU's one-sided interactions: the joints whose motion tells the acting person
SBU_ACTOR_JOINTS = {"approaching": ("left_hip", "right_hip"), "departing": ("left_hip", "right_hip"),
                    "kicking": ("left_ankle", "right_ankle"), "pushing": ("left_wrist", "right_wrist"),
                    "punching": ("left_wrist", "right_wrist")}

HOW_TO_GET = """The general dataset is built from the prepared NW-UCLA, UTD-MHAD, Penn Action, SBU and
MSRC-12 datasets, each found under the data root {where} (see `actlm prepare --help`)."""


def merged_label(dataset: str, class_name: str) -> int:
    """Index in :data:`CLASSES` of ``dataset``'s class ``class_name``."""
    for k, members in enumerate(CLASSES.values()):
        if (dataset, class_name) in members:
            return k
    raise DataError(f"merged class list: {dataset} class {class_name!r} belongs to no merged class")


def exclude_sources(ds: Any, sources: list[str] | tuple[str, ...]) -> Any:
    """``ds`` (a split of the merged dataset) without the samples of the source datasets ``sources``
    (names of :data:`SOURCES`), told by each sample's ``meta["source"]``; class list and labels unchanged."""
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown:
        raise DataError(f"data.exclude_sources: {', '.join(unknown)} is no source of the merged dataset "
                        f"(one of {', '.join(SOURCES)})")
    metas = [ds.meta(i) for i in range(len(ds))]
    if any("source" not in m for m in metas):
        raise DataError(f"data.exclude_sources: {ds.name} is not the merged dataset (its samples name no source)")
    keep = [i for i, m in enumerate(metas) if m["source"] not in set(sources)]
    if not keep:
        raise DataError(f"data.exclude_sources: no sample of {ds.name}/{ds.split_name} is left")
    return ds.subset(keep)


def repeat_sources(ds: Any, repeats: dict[str, int]) -> Any:
    """``ds`` (a training split of the merged dataset) with each sample of a source named in
    ``repeats`` listed that many times (other sources once): a per-source oversampling, so that a
    small dataset (UTD-MHAD: 16 training recordings per class) is not drowned by the large ones."""
    unknown = sorted(set(repeats) - set(SOURCES))
    if unknown:
        raise DataError(f"data.source_repeat: {', '.join(unknown)} is no source of the merged dataset "
                        f"(one of {', '.join(SOURCES)})")
    bad = {k: v for k, v in repeats.items() if int(v) != v or v < 1}
    if bad:
        raise DataError(f"data.source_repeat: repeats must be whole numbers >= 1, got {bad}")
    metas = [ds.meta(i) for i in range(len(ds))]
    if any("source" not in m for m in metas):
        raise DataError(f"data.source_repeat: {ds.name} is not the merged dataset (its samples name no source)")
    positions = [i for i, m in enumerate(metas) for _ in range(int(repeats.get(m["source"], 1)))]
    return ds.subset(positions)


def to_common_body(data: np.ndarray, layout: Any, dataset: str) -> np.ndarray:
    """(M, T, V, C) in ``layout`` -> (M, T, 13, 3) in ``body-13``, y up (Penn's image y negated, z = 0)."""
    present = _person_mask(data)
    body = get_mapping(layout, BODY_13).apply(data)
    if body.shape[-1] == 2:                       # 2D image annotations: y down -> up, no depth
        body = np.concatenate([body[..., :1], -body[..., 1:2], np.zeros_like(body[..., :1])], axis=-1)
    body[~present] = 0
    return body.astype(np.float32)


def sbu_persons(sample: Sample, class_name: str, body: np.ndarray) -> list[int]:
    """The persons of an SBU interaction who perform it (see the module docstring)."""
    if class_name in SBU_MUTUAL:
        return [0, 1]
    joints = [BODY_13.index(j) for j in SBU_ACTOR_JOINTS[class_name]]
    motion = np.linalg.norm(np.diff(body[:, :, joints], axis=1), axis=-1).sum(axis=(1, 2))
    return [int(np.argmax(motion))]


def merged_samples(dataset: str, split: str, data_root_dir: str | Path | None = None) -> Iterator[Sample]:
    """The samples of one source split, in the common body with merged labels and their origin in meta."""
    from .registry import load

    source = load(dataset, split=split, data_root_dir=data_root_dir)
    per_recording: dict[str, int] = {}
    for i in range(len(source)):
        sample = source[i]
        class_name = source.classes[sample.label]
        meta = {"source": dataset, "source_id": sample.sample_id, "source_class": class_name,
                "depth": source.layout.name != "penn-13"}
        # Penn Action's hidden joint-frames (Sample.visibility), by joint name: penn-13 maps one to one
        # onto body-13 and no frame is dropped, so they stay where they are
        meta.update({key: sample.meta[key] for key in ("hidden", "unseen") if key in sample.meta})
        if dataset == "msrc-12":
            recording = sample.meta["recording"]
            per_recording[recording] = per_recording.get(recording, 0) + 1
            if per_recording[recording] > MSRC_PER_RECORDING:
                continue
        body = to_common_body(sample.data, source.layout, dataset)
        label = merged_label(dataset, class_name)
        persons = sbu_persons(sample, class_name, body) if dataset == "sbu" else [0]
        for m in persons:
            suffix = f"_p{m + 1}" if dataset == "sbu" else ""
            yield Sample(data=body[m:m + 1], label=label, sample_id=f"{dataset}/{sample.sample_id}{suffix}",
                         meta={**meta, "person": m + 1} if dataset == "sbu" else meta)


@register_dataset("general", ".", HOW_TO_GET, aliases=("general-2d", "merged"), built_from=tuple(SOURCES))
def prepare(raw: Path, out: Path, progress: Callable | None = None) -> PrepareReport:
    """Write the general dataset to ``out`` from the sources found under the data root ``raw``."""
    splits: dict[str, list[str]] = {"train": [], "test": []}
    extra = {"default_benchmark": None, "source": str(raw), "coordinates": "x, y up, z (Penn Action: z = 0)",
             "sources": {name: {"train": tr, "test": te} for name, (tr, te) in SOURCES.items()},
             "merged_from": {name: [f"{d}: {c}" for d, c in members] for name, members in CLASSES.items()}}
    with DatasetWriter(out, "general", BODY_13, ["x", "y", "z"], list(CLASSES), max_persons=1,
                       extra=extra) as writer:
        for dataset, (train, test) in SOURCES.items():
            for part, split in (("train", train), ("test", test)):
                for sample in merged_samples(dataset, split, raw):
                    writer.add(sample)
                    splits[part].append(sample.sample_id)
        writer.close(splits)
    return PrepareReport(written=len(writer.index), skipped=[], output=writer.root)


# --- from the stored body to what a video pose estimator gives --------------------------------
def _rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """Rotation about the vertical axis (yaw), then the horizontal one (pitch), then the view axis (roll)."""
    cy, sy, cp, sp, cr, sr = np.cos(yaw), np.sin(yaw), np.cos(pitch), np.sin(pitch), np.cos(roll), np.sin(roll)
    turn = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    tilt = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    spin = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return spin @ tilt @ turn


@register
class Project2D:
    """Stored (x, y up, z) -> image coordinates (x, y down), seen from a random viewpoint.

    A 3D sequence is turned about its centre by a yaw drawn from ``[-yaw, yaw]`` degrees, a
    pitch from ``[-pitch, pitch]`` and a roll from ``[-roll, roll]``, then its depth is dropped
    (an orthographic camera: the normalisation that follows removes scale and position). A flat
    sequence (z = 0: Penn Action's image annotations) only rolls. With all ranges 0 this is the
    front view, the test pipeline's. Input that is already 2D (a video's keypoints at prediction
    time) is image coordinates and passes unchanged."""

    def __init__(self, yaw: float = 0.0, pitch: float = 0.0, roll: float = 0.0):
        self.limits = np.radians([yaw, pitch, roll])

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if x.shape[-1] == 2:
            return x
        present = _person_mask(x)
        yaw, pitch, roll = (rng.uniform(-lim, lim) if lim > 0 else 0.0 for lim in self.limits)
        if not np.any(x[..., 2]):
            yaw = pitch = 0.0
        out = x
        if yaw or pitch or roll:
            centre = x[present].mean(axis=(0, 1)) if present.any() else np.zeros(3, x.dtype)
            out = (x - centre) @ _rotation(yaw, pitch, roll).T + centre
        image = np.stack([out[..., 0], -out[..., 1]], axis=-1)
        image[~present] = 0
        return image.astype(np.float32)


@register
class KeypointNoise:
    """A video pose estimator's errors, in body units (after ``SpineAlign``): Gaussian jitter of
    ``std`` per joint and frame, and each joint lost with probability ``drop`` for a run of frames
    (held at its last position, as a tracker does)."""

    def __init__(self, std: float = 0.02, drop: float = 0.05, run: int = 8):
        self.std, self.drop, self.run = float(std), float(drop), int(run)

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        present = _person_mask(x)
        out = x + rng.normal(0.0, self.std, size=x.shape).astype(np.float32)
        m, t, v, _ = x.shape
        for person, joint in zip(*np.nonzero(rng.random((m, v)) < self.drop)):
            start = int(rng.integers(1, t)) if t > 1 else 0
            end = min(t, start + self.run)
            if start > 0:
                out[person, start:end, joint] = out[person, start - 1, joint]
        out[~present] = 0
        return out.astype(np.float32)


# --- written class descriptions ---------------------------------------------------------------
#: merged class -> (PURLS sheet, class on that sheet): the shared GPT-3 descriptions (BSD-3)
PURLS_TEXTS: dict[str, tuple[str, str]] = {
    **{name: ("NW-UCLA", name) for name in ("pick up with one hand", "pick up with two hands", "drop trash",
                                            "sit down", "stand up", "donning", "doffing", "throw", "carry")},
    "walk": ("NW-UCLA", "walk around"),
    **{name: ("UTD-MHAD", name) for name in (
        "swipe left", "swipe right", "wave", "clap", "arm cross", "basketball shoot", "draw x",
        "draw circle (clockwise)", "draw circle (counter clockwise)", "draw triangle", "bowling", "baseball swing",
        "arm curl", "tennis serve", "push", "knock", "catch", "jog", "lunge", "squat")},
    "punch": ("UTD-MHAD", "boxing"), "tennis forehand": ("UTD-MHAD", "tennis swing"),
    "pick up and throw": ("UTD-MHAD", "pickup and throw"),
    "bench press": ("Kinetic-skeletons", "bench pressing"), "clean and jerk": ("Kinetic-skeletons", "clean and jerk"),
    "golf swing": ("Kinetic-skeletons", "golf driving"), "jump rope": ("Kinetic-skeletons", "skipping rope"),
    "pull up": ("Kinetic-skeletons", "pull ups"), "push up": ("Kinetic-skeletons", "push up"),
    "sit up": ("Kinetic-skeletons", "situp"), "strum guitar": ("Kinetic-skeletons", "strumming guitar"),
    "hug": ("Kinetic-skeletons", "hugging"), "shake hands": ("Kinetic-skeletons", "shaking hands"),
    "kick": ("NTU-RGB+D", "kicking something"),
    "hand over an object": ("NTU-RGB+D", "giving something to other person"),
    "shoot a pistol": ("NTU-RGB+D", "shoot at other person with a gun"),
}
#: merged classes no PURLS sheet has: written here (actlm), from the datasets' own definitions
OWN_TEXTS: dict[str, str] = {
    "baseball pitch": "A person stands on one leg, lifts the other knee, strides forward and whips the throwing "
                      "arm over the shoulder to hurl a ball, the body following through forward.",
    "jumping jacks": "A person jumps spreading the legs wide while swinging both arms out and up over the head, "
                     "then jumps back to feet together with the arms at the sides, repeatedly.",
    "approach": "A person walks forward towards someone standing in front of them and stops close to them.",
    "depart": "A person turns or steps away from someone close to them and walks away from them.",
    "lift outstretched arms": "A person raises both arms stretched out sideways from the hips up above the head, "
                              "then lowers them again.",
    "duck": "A person quickly crouches down, bending the knees and lowering the head and body as if to hide, "
            "then stands up again.",
    "push right": "A person moves the right hand across the chest and pushes it out to the right side, palm "
                  "first, as if pushing a menu aside.",
    "goggles": "A person raises both hands to the face and holds them around the eyes like goggles, then lowers them.",
    "wind it up": "A person circles both forearms around each other in front of the chest, rolling them "
                  "forward repeatedly.",
    "had enough": "A person raises both hands to the head and holds the head in protest, elbows out, then "
                  "lowers the hands.",
    "change weapon": "A person reaches with one hand over the shoulder to the back as if drawing a weapon "
                     "and brings it forward in front of the body.",
    "beat both": "A person raises both hands and beats them down and up in front of the body to a fast rhythm, "
                 "like drumming with both hands.",
    "bow": "A person bends the upper body forward from the hips with the head lowered, holds briefly, and "
           "straightens up again.",
}


def class_text_sources() -> dict[str, str]:
    """Where each merged class's written description comes from (for the checkpoint's ABOUT.json)."""
    return {name: (f"PURLS {PURLS_TEXTS[name][0]}: {PURLS_TEXTS[name][1]}" if name in PURLS_TEXTS
                   else "written for actlm (actlm/data/merged.py OWN_TEXTS)") for name in CLASSES}
