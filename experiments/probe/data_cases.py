"""Probe cases of the data commands (``actlm prepare``, ``actlm data summary``): issue 41 items
1 (nothing but a prepared dataset is ever replaced), 2 (built-in names reserved), 4 (custom class
order), 7 (bad files skipped and reported, hostile files refused) and 9 (own-data traps).

Each case builds a small custom folder of COCO-17 sequences under its temporary folder; cases
that could destroy data check afterwards that every file they planted is still there.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

import numpy as np

from .core import Case, Outcome, Result, Verdict, expect_clear_error, expect_success, run_actlm

AREA = "data"
COCO = "coco-17"


# --- building inputs --------------------------------------------------------------------------
def pose(frames: int = 8, persons: int = 1, seed: int = 0) -> np.ndarray:
    """A (M, T, 17, 2) COCO-17 sequence with visible motion."""
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(persons, frames, 17, 2)) * 20 + 200).astype(np.float32)


def clips(tmp: Path, n: int = 4, labels: list[str] | None = None, folder: str = "clips",
          extra_rows: str = "") -> Path:
    """``tmp/folder`` with ``n`` one-person .npy clips c0..c{n-1} and their labels.csv."""
    raw = tmp / folder
    raw.mkdir(parents=True, exist_ok=True)
    labels = labels or ["wave", "hug"] * ((n + 1) // 2)
    rows = ["sample,label,split"]
    for i in range(n):
        np.save(raw / f"c{i}.npy", pose(seed=i)[0])
        rows.append(f"c{i},{labels[i]},{'train' if i % 2 == 0 else 'test'}")
    (raw / "labels.csv").write_text("\n".join(rows) + "\n" + extra_rows)
    return raw


def prepare_args(raw: str | Path, *more: str, name: str | None = "mine") -> list[str]:
    args = ["prepare", "custom", "--raw", str(raw), "--layout", COCO]
    return args + (["--name", name] if name is not None else []) + list(more)


def snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def keeps(verdict: Verdict, folder: Path, before: set[str]) -> Verdict:
    """``verdict``, unless files that were in ``folder`` before are gone (data lost)."""
    lost = sorted(before - (snapshot(folder) if folder.exists() else set()))
    if lost:
        return Verdict(Outcome.DATA_LOST, f"deleted {len(lost)} file(s), e.g. {lost[:3]}")
    return verdict


def written(tmp: Path, name: str = "mine") -> dict:
    """dataset.json of a custom set prepared into the probe's cache."""
    return json.loads((tmp / ".cache" / "datasets" / name / "dataset.json").read_text())


def index(tmp: Path, name: str = "mine") -> list[dict]:
    return json.loads((tmp / ".cache" / "datasets" / name / "index.json").read_text())


def skipped_with(r: Result, file: str, *words: str) -> str | None:
    """None when the output reports ``file`` as skipped with each of ``words``."""
    lines = [line for line in r.output.splitlines() if file in line]
    if not lines:
        return f"{file} not reported: {r.output.strip()[-300:]}"
    missing = [w for w in words if not any(w.lower() in line.lower() for line in lines)]
    return f"{file} reported without {missing}: {lines[0][:200]}" if missing else None


# --- defect 1: only a prepared dataset is ever replaced ---------------------------------------
def out_is_raw(tmp: Path) -> Verdict:
    clips(tmp)
    before = snapshot(tmp)
    return keeps(expect_clear_error(run_actlm(prepare_args("clips", "--out", "clips"), tmp), "raw"), tmp, before)


def out_is_parent_of_raw(tmp: Path) -> Verdict:
    raw = clips(tmp)
    (tmp / "precious.txt").write_text("keep me")
    before = snapshot(tmp)
    return keeps(expect_clear_error(run_actlm(prepare_args(".", "--out", ".."), raw)), tmp, before)


def out_inside_raw(tmp: Path) -> Verdict:
    clips(tmp)
    before = snapshot(tmp)
    return keeps(expect_clear_error(run_actlm(prepare_args("clips", "--out", "clips/prepared"), tmp), "raw"),
                 tmp, before)


def out_is_a_user_folder(tmp: Path) -> Verdict:
    clips(tmp)
    (tmp / "thesis").mkdir()
    (tmp / "thesis" / "chapter1.tex").write_text("years of work")
    before = snapshot(tmp)
    r = run_actlm(prepare_args("clips", "--out", "thesis"), tmp)
    return keeps(expect_clear_error(r, "thesis", "not a prepared actlm dataset"), tmp, before)


def out_is_a_file(tmp: Path) -> Verdict:
    clips(tmp)
    (tmp / "notes.txt").write_text("keep")
    before = snapshot(tmp)
    return keeps(expect_clear_error(run_actlm(prepare_args("clips", "--out", "notes.txt"), tmp), "notes.txt"),
                 tmp, before)


def prepared_stand_in(folder: Path, name: str, layout: str = COCO) -> None:
    """A small prepared dataset written as actlm writes one (quicker than a second command)."""
    from actlm.data import DatasetWriter, Sample

    channels = 3 if layout.startswith("kinect") else 2
    joints = {"kinect-v1": 20, COCO: 17}[layout]
    with DatasetWriter(folder, name, layout, ["x", "y", "z"][:channels], ["a"], 1) as writer:
        writer.add(Sample(np.ones((1, 3, joints, channels), np.float32), 0, "s1"))
        writer.close()


def name_is_a_path(name: str) -> Callable[[Path], Verdict]:
    def run(tmp: Path) -> Verdict:
        clips(tmp)
        prepared_stand_in(tmp / ".cache" / "datasets" / "other", "other")
        (tmp / "victim").mkdir()
        (tmp / "victim" / "data.bin").write_bytes(b"\0" * 10)
        before = snapshot(tmp)
        target = str(tmp / "victim") if name == "ABS" else name
        return keeps(expect_clear_error(run_actlm(prepare_args("clips", name=target), tmp), "--name"), tmp, before)
    return run


def reprepare_replaces_own_set(tmp: Path) -> Verdict:
    raw = clips(tmp)
    first = run_actlm(prepare_args("clips"), tmp)
    if first.rc != 0:
        return expect_success(first)
    np.save(raw / "c9.npy", pose(seed=9)[0])
    with open(raw / "labels.csv", "a") as fh:
        fh.write("c9,wave,train\n")
    return expect_success(run_actlm(prepare_args("clips"), tmp),
                          lambda r: None if written(tmp)["num_samples"] == 5 else "the set was not replaced")


# --- defect 2: built-in names are reserved ----------------------------------------------------
def builtin_name(name: str) -> Callable[[Path], Verdict]:
    def run(tmp: Path) -> Verdict:
        clips(tmp)
        return expect_clear_error(run_actlm(prepare_args("clips", name=name), tmp), name, "reserved")
    return run


def out_is_prepared_builtin(tmp: Path) -> Verdict:
    """--out pointing at a prepared NW-UCLA (a small stand-in written as actlm writes it)."""
    clips(tmp)
    ucla = tmp / ".cache" / "datasets" / "nw-ucla"
    prepared_stand_in(ucla, "nw-ucla", "kinect-v1")
    before = snapshot(tmp)
    r = run_actlm(prepare_args("clips", "--out", str(ucla)), tmp)
    return keeps(expect_clear_error(r, "nw-ucla"), tmp, before)


# --- defect 4 (custom part): stable class order -----------------------------------------------
def classes_listed_twice(tmp: Path) -> Verdict:
    clips(tmp)
    (tmp / "classes.txt").write_text("wave\nhug\nwave\n")
    return expect_clear_error(run_actlm(prepare_args("clips", "--classes", "classes.txt"), tmp),
                              "classes.txt", "twice")


def class_order_is_stated(tmp: Path) -> Verdict:
    clips(tmp)
    r = run_actlm(prepare_args("clips"), tmp)
    return expect_success(r, lambda r: None if "sorted" in r.output and "--classes" in r.output
                          else "the summary does not say how the class order was chosen")


def classes_file_fixes_order(tmp: Path) -> Verdict:
    clips(tmp)
    (tmp / "classes.txt").write_text("wave\nhug\njump\n")
    r = run_actlm(prepare_args("clips", "--classes", "classes.txt"), tmp)
    return expect_success(r, lambda r: None if written(tmp)["classes"] == ["wave", "hug", "jump"]
                          else f"classes {written(tmp)['classes']}")


# --- defect 7: skipped and reported, never aborted or hung ------------------------------------
def labels_bytes(content: bytes, expect_ok: bool) -> Callable[[Path], Verdict]:
    def run(tmp: Path) -> Verdict:
        raw = clips(tmp)
        (raw / "labels.csv").write_bytes(content)
        r = run_actlm(prepare_args("clips"), tmp)
        if expect_ok:
            return expect_success(r, lambda r: None if written(tmp)["num_samples"] == 4 else "samples lost")
        return expect_clear_error(r, "labels.csv")
    return run


_GOOD_ROWS = "sample,label,split\nc0,wave,train\nc1,hug,test\nc2,wave,train\nc3,hug,test\n"


def odd_subject_values(tmp: Path) -> Verdict:
    raw = clips(tmp)
    (raw / "labels.csv").write_text("sample,label,subject\nc0,wave,--5\nc1,hug,²\nc2,wave,-3\nc3,hug,7\n",
                                    encoding="utf-8")
    r = run_actlm(prepare_args("clips"), tmp)

    def check(r: Result) -> str | None:
        subjects = {rec["id"]: rec["meta"]["subject"] for rec in index(tmp)}
        return None if subjects == {"c0": "--5", "c1": "²", "c2": -3, "c3": 7} else f"subjects {subjects}"
    return expect_success(r, check)


def huge_csv_field(tmp: Path) -> Verdict:
    raw = clips(tmp)
    (raw / "labels.csv").write_text(_GOOD_ROWS + "c9,wave," + "x" * 200_000 + "\n")
    r = run_actlm(prepare_args("clips"), tmp)
    return expect_success(r, lambda r: skipped_with(r, "labels.csv", "line 6", "characters")
                          or (None if written(tmp)["num_samples"] == 4 else "samples lost"))


def bad_sequence_file(name: str, make: Callable[[Path], None], *words: str) -> Callable[[Path], Verdict]:
    """A folder of good clips plus one bad file ``name`` (listed in labels.csv): the bad one is
    skipped with a reason naming it, the four good ones are written."""
    def run(tmp: Path) -> Verdict:
        raw = clips(tmp, extra_rows=f"{Path(name).stem},wave,train\n")
        make(raw / name)
        r = run_actlm(prepare_args("clips"), tmp, timeout=60)
        return expect_success(r, lambda r: skipped_with(r, name, *words)
                              or (None if written(tmp)["num_samples"] == 4 else "good samples lost"))
    return run


def _npy_claiming_2tib(path: Path) -> None:
    header = {"descr": "<f4", "fortran_order": False, "shape": (1 << 37, 17, 2)}
    with open(path, "wb") as fh:
        np.lib.format.write_array_header_1_0(fh, header)
        fh.write(b"\0" * 64)


def _deep_json(path: Path) -> None:
    path.write_text('{"skeletons": ' + "[" * 2000 + "]" * 2000 + "}")


def npy_named_npz(tmp: Path) -> Verdict:
    raw = clips(tmp, extra_rows="c9,wave,train\n")
    np.save(raw / "c9.npy", pose(seed=9)[0])
    os.rename(raw / "c9.npy", raw / "c9.npz")
    r = run_actlm(prepare_args("clips"), tmp)
    return expect_success(r, lambda r: None if written(tmp)["num_samples"] == 5 else "the .npy named .npz was lost")


def fifo_in_raw_folder(tmp: Path) -> Verdict:
    raw = clips(tmp, extra_rows="pipe,wave,train\n")
    os.mkfifo(raw / "pipe.npy")
    r = run_actlm(prepare_args("clips"), tmp, timeout=60)
    return expect_success(r, lambda r: skipped_with(r, "pipe.npy", "FIFO")
                          or (None if written(tmp)["num_samples"] == 4 else "samples lost"))


def five_persons_file(tmp: Path) -> Verdict:
    raw = clips(tmp, n=6, extra_rows="crowd,wave,train\n")
    np.save(raw / "crowd.npy", pose(persons=5, seed=7))
    r = run_actlm(prepare_args("clips"), tmp)
    return expect_success(r, lambda r: (None if written(tmp)["max_persons"] == 1 else
                                        f"set became {written(tmp)['max_persons']}-person")
                          or (None if "crowd.npy" in r.output and "persons" in r.output else
                              "the trimmed file is not reported"))


# --- layout files ----------------------------------------------------------------------------
_ARMS = ["left_shoulder", "left_elbow", "left_wrist", "left_hand",
         "right_shoulder", "right_elbow", "right_wrist", "right_hand"]


def arms_layout(**change) -> dict:
    """An 8-joint two-arm layout (no spine), joined shoulder to shoulder."""
    spec = {"name": "two-arms", "joints": list(_ARMS),
            "bones": [["left_elbow", "left_shoulder"], ["left_wrist", "left_elbow"], ["left_hand", "left_wrist"],
                      ["right_elbow", "right_shoulder"], ["right_wrist", "right_elbow"],
                      ["right_hand", "right_wrist"], ["right_shoulder", "left_shoulder"]],
            "center": ["left_shoulder", "right_shoulder"],
            "parts": {"left_arm": _ARMS[:3], "right_arm": _ARMS[4:7], "left_hand": ["left_hand"],
                      "right_hand": ["right_hand"]}}
    spec.update(change)
    return spec


def arms_clips(tmp: Path) -> Path:
    raw = tmp / "arms"
    raw.mkdir()
    for i in range(3):
        np.save(raw / f"a{i}.npy", np.random.default_rng(i).normal(size=(6, 8, 3)).astype(np.float32))
    (raw / "labels.csv").write_text("sample,label\na0,wave\na1,clap\na2,wave\n")
    return raw


def layout_case(text: str | Callable[[], str], suffix: str, *words: str, ok_check: str | None = None,
                timeout: float = 60, names_file: bool = True) -> Callable[[Path], Verdict]:
    """Prepare the two-arm clips with a layout file of content ``text``: an error naming the
    file and ``words``, or (``ok_check``) a success whose output mentions ``ok_check``."""
    def run(tmp: Path) -> Verdict:
        arms_clips(tmp)
        layout = tmp / f"layout{suffix}"
        layout.write_text(text() if callable(text) else text)
        r = run_actlm(["prepare", "custom", "--raw", "arms", "--layout", layout.name, "--name", "arms"], tmp,
                      timeout=timeout)
        if ok_check is not None:
            return expect_success(r, lambda r: None if ok_check.lower() in r.output.lower()
                                  else f"no {ok_check!r} in: {r.output.strip()[-200:]}")
        verdict = expect_clear_error(r, *([layout.name] if names_file else []), *words)
        big = [p for p in (tmp / ".cache").rglob("dataset.json")] if (tmp / ".cache").exists() else []
        if big and max(p.stat().st_size for p in big) > 10 << 20:
            return Verdict(Outcome.UNSAFE, "a huge dataset.json was written")
        return verdict
    return run


def _yaml_with_alias_bomb() -> str:
    """A 1.5 KB layout whose 'description' nests nine levels of nine-fold aliases (9^9 values)."""
    levels = ['&x0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"&x{i} [" + ",".join([f"*x{i - 1}"] * 9) + "]" for i in range(1, 9)]
    fields = [f"{k}: {json.dumps(v)}" for k, v in arms_layout().items()]
    return "\n".join([*fields, "description: [" + ", ".join(levels) + "]"]) + "\n"


def wrong_type_layouts() -> list[tuple[str, dict, str]]:
    return [("bone-entry-list", arms_layout(bones=[[["left_elbow"], ["left_shoulder"]]] + arms_layout()["bones"][1:]),
             "bones"),
            ("shoulder-list", arms_layout(left_shoulder=["left_shoulder"]), "left_shoulder"),
            ("part-nested", arms_layout(parts={"left_arm": [["left_elbow"]]}), "parts.left_arm"),
            ("name-number", arms_layout(name=5), "name"),
            ("center-number", arms_layout(center=3), "center")]


def chain_layout(joints: int) -> Callable[[], str]:
    """A layout of ``joints`` joints in one chain (the old connectivity check took minutes at 400)."""
    def text() -> str:
        names = [f"j{i}" for i in range(joints)]
        return json.dumps({"name": f"chain-{joints}", "joints": names, "center": "j0", "left_shoulder": "j1",
                           "right_shoulder": "j2", "bones": [[names[i + 1], names[i]] for i in range(joints - 1)]})
    return text


def name_blank_layout() -> str:
    return json.dumps(arms_layout(name="   "))


# --- --classes text -------------------------------------------------------------------------
def long_inline_classes(tmp: Path) -> Verdict:
    """--classes text over 255 characters is text, not a file name (it crashed "File name too long")."""
    from actlm.language.class_texts import resolve_class_texts

    text = "; ".join(f"class{i}: the person raises both hands above the head and waves them from side to side"
                     for i in range(4))
    try:
        texts = resolve_class_texts(text)
    except OSError as exc:
        return Verdict(Outcome.TRACEBACK, f"{type(exc).__name__}: {exc}")
    return Verdict(Outcome.HANDLED) if [t.name for t in texts] == [f"class{i}" for i in range(4)] else \
        Verdict(Outcome.SILENT_WRONG, f"parsed {texts}")


def class_texts_alias_bomb(tmp: Path) -> Verdict:
    """A --classes YAML file whose description nests nine levels of nine-fold aliases."""
    from actlm.data.errors import DataError
    from actlm.language.class_texts import read_class_texts

    levels = ['&x0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"&x{i} [" + ",".join([f"*x{i - 1}"] * 9) + "]" for i in range(1, 9)]
    path = tmp / "classes.yaml"
    path.write_text("wave: {description: [" + ", ".join(levels) + "]}\n")
    try:
        read_class_texts(path)
    except DataError as exc:
        return Verdict(Outcome.HANDLED) if "classes.yaml" in str(exc) else Verdict(Outcome.SILENT_WRONG, str(exc))
    return Verdict(Outcome.SILENT_WRONG, "the bomb was read")


# --- defect 9: own-data traps ---------------------------------------------------------------
def sample_with_suffix(tmp: Path) -> Verdict:
    raw = clips(tmp)
    (raw / "labels.csv").write_text(_GOOD_ROWS.replace("c0,", "c0.npy,").replace("c1,", "c1.NPY,"))
    return expect_success(run_actlm(prepare_args("clips"), tmp),
                          lambda r: None if written(tmp)["num_samples"] == 4 else r.output[-300:])


def integer_labels(tmp: Path) -> Verdict:
    clips(tmp, n=4, labels=["10", "2", "1", "2"])
    r = run_actlm(prepare_args("clips"), tmp)
    return expect_success(r, lambda r: None if written(tmp)["classes"] == ["1", "2", "10"] and "numeric" in r.output
                          else f"classes {written(tmp)['classes']}, output {r.output[-200:]}")


def _clip_with_lost_frames(raw: Path) -> None:
    data = pose(frames=12, seed=5)[0]
    data[[0, 5, 6, 11]] = 0            # tracking lost at the start, in the middle and at the end
    np.save(raw / "lost.npy", data)


def lost_frames_prepare(tmp: Path) -> Verdict:
    raw = clips(tmp, extra_rows="lost,wave,train\n")
    _clip_with_lost_frames(raw)
    r = run_actlm(prepare_args("clips"), tmp)

    def check(r: Result) -> str | None:
        if "lost.npy" not in r.output or "interpolation" not in r.output:
            return "prepare does not report the frames with no skeleton"
        rec = next(x for x in index(tmp) if x["id"] == "lost")
        frames = np.load(tmp / ".cache" / "datasets" / "mine" / "frames.npy", mmap_mode="r")
        seq = frames[rec["offset"]: rec["offset"] + rec["length"]]
        if rec["length"] != 10 or not np.asarray(seq).reshape(rec["length"], -1).any(axis=1).all():
            return f"zero frames kept (length {rec['length']})"
        return None
    return expect_success(r, check)


def lost_frames_summary(tmp: Path) -> Verdict:
    """A prepared set with all-zero frames inside a sequence (written as an older actlm or another
    tool did): ``data summary`` says so."""
    from actlm.data import DatasetWriter, Sample

    out = tmp / "old-set"
    data = pose(frames=10, seed=3)
    data[:, 4:6] = 0
    with DatasetWriter(out, "old-set", COCO, ["x", "y"], ["wave"], 1) as writer:
        writer.add(Sample(data, 0, "gappy"))
        writer.add(Sample(pose(frames=6, seed=4), 0, "fine"))
        writer.close()
    r = run_actlm(["data", "summary", str(out)], tmp)
    return expect_success(r, lambda r: None if "no skeleton" in r.output and "gappy" in r.output
                          else "summary does not report the lost frames")


def damaged_prepared_set(damage: str) -> Callable[[Path], Verdict]:
    """``data summary`` of a prepared folder damaged on disk (or handed over by someone else):
    a clear error naming the file, never a traceback or a 2 TiB memory map."""
    def run(tmp: Path) -> Verdict:
        out = tmp / "set"
        prepared_stand_in(out, "set")
        if damage == "frames header":
            _npy_claiming_2tib(out / "frames.npy")
        elif damage == "frames fifo":
            (out / "frames.npy").unlink()
            os.mkfifo(out / "frames.npy")
        elif damage == "index offset":
            records = json.loads((out / "index.json").read_text())
            records[0]["offset"] = 10 ** 9
            (out / "index.json").write_text(json.dumps(records))
        else:
            (out / "dataset.json").write_text(json.dumps({"format_version": 1, "name": "set"}))
        name = {"frames header": "frames.npy", "frames fifo": "frames.npy",
                "index offset": "index.json"}.get(damage, "dataset.json")
        return expect_clear_error(run_actlm(["data", "summary", str(out)], tmp, timeout=60), name)
    return run


def terminal_escapes_in_labels(tmp: Path) -> Verdict:
    """A label with an escape code (clears the screen) and a file named with one: the row is
    skipped, the name shown escaped; nothing raw reaches the terminal."""
    raw = clips(tmp, extra_rows="c9,\x1b[2Jwave,train\n")
    np.save(raw / "c\x1b[31m.npy", pose()[0])
    r = run_actlm(prepare_args("clips"), tmp)
    if "\x1b" in r.output:
        return Verdict(Outcome.UNSAFE, "an escape code from the data was printed raw")
    return expect_success(r, lambda r: skipped_with(r, "labels.csv", "control characters"))


CASES: list[Case] = [
    Case("prepare --out equal to --raw", AREA, out_is_raw, issue_item="1"),
    Case("prepare --raw . --out ..", AREA, out_is_parent_of_raw, issue_item="1"),
    Case("prepare --out inside --raw", AREA, out_inside_raw, fast=False, issue_item="1"),
    Case("prepare --out a user's folder", AREA, out_is_a_user_folder, fast=False, issue_item="1"),
    Case("prepare --out an existing file", AREA, out_is_a_file, fast=False, issue_item="1"),
    Case("prepare --name .", AREA, name_is_a_path("."), issue_item="1"),
    Case("prepare --name ../../x", AREA, name_is_a_path("../../victim"), fast=False, issue_item="1"),
    Case("prepare --name /abs/dir", AREA, name_is_a_path("ABS"), fast=False, issue_item="1"),
    Case("prepare --name '   '", AREA, name_is_a_path("   "), fast=False, issue_item="1"),
    Case("prepare again replaces its own set", AREA, reprepare_replaces_own_set, fast=False, issue_item="1"),
    Case("prepare custom --name nw-ucla", AREA, builtin_name("nw-ucla"), issue_item="2"),
    Case("prepare custom --name ucla (alias)", AREA, builtin_name("ucla"), fast=False, issue_item="2"),
    Case("prepare custom --name NTU (alias, upper case)", AREA, builtin_name("NTU"), fast=False, issue_item="2"),
    Case("prepare custom --out a prepared nw-ucla", AREA, out_is_prepared_builtin, fast=False, issue_item="2"),
    Case("classes.txt lists a class twice", AREA, classes_listed_twice, issue_item="4"),
    Case("class order stated without classes.txt", AREA, class_order_is_stated, fast=False, issue_item="4"),
    Case("classes.txt fixes the class order", AREA, classes_file_fixes_order, fast=False, issue_item="4"),
    Case("labels.csv in Latin-1", AREA, labels_bytes(_GOOD_ROWS.replace("hug", "étreinte").encode("latin-1"), False),
         issue_item="7"),
    Case("labels.csv is binary", AREA, labels_bytes(bytes(range(256)) * 8, False), fast=False, issue_item="7"),
    Case("labels.csv with a UTF-8 BOM", AREA, labels_bytes(b"\xef\xbb\xbf" + _GOOD_ROWS.encode(), True),
         fast=False, issue_item="7"),
    Case("subject values --5 and ²", AREA, odd_subject_values, fast=False, issue_item="7"),
    Case("labels.csv field over 128 KB", AREA, huge_csv_field, fast=False, issue_item="7"),
    Case(".npy saved as .npz", AREA, npy_named_npz, fast=False, issue_item="7"),
    Case("JSON nested 2,000 deep", AREA, bad_sequence_file("deep.json", _deep_json, "nested"), fast=False,
         issue_item="7"),
    Case(".npy header claiming 2 TiB", AREA, bad_sequence_file("huge.npy", _npy_claiming_2tib, "header"),
         issue_item="7"),
    Case("FIFO in the raw folder", AREA, fifo_in_raw_folder, issue_item="7"),
    Case("complex coordinates", AREA, bad_sequence_file(
        "cplx.npy", lambda p: np.save(p, pose()[0].astype(np.complex64) * 1j), "complex"), fast=False, issue_item="7"),
    Case("boolean coordinates", AREA, bad_sequence_file(
        "flags.npy", lambda p: np.save(p, pose()[0] > 200), "boolean"), fast=False, issue_item="7"),
    Case("JSON true/false as coordinates", AREA, bad_sequence_file(
        "flags.json", lambda p: p.write_text(json.dumps({"skeletons": (pose()[0] > 200).tolist()})), "bool"),
        fast=False, issue_item="7"),
    Case("a five-person file in a one-person set", AREA, five_persons_file, issue_item="7"),
    *[Case(f"layout entry of the wrong type ({label})", AREA, layout_case(json.dumps(spec), ".json", key),
           fast=False, issue_item="7")
      for label, spec, key in wrong_type_layouts()],
    Case("YAML alias bomb as layout", AREA, layout_case(_yaml_with_alias_bomb, ".yaml", "alias"), issue_item="7"),
    Case("layout of 1,000 joints in a chain", AREA, layout_case(
        chain_layout(1000), ".json", "8 joints per frame but layout chain-1000 has 1000", timeout=30,
        names_file=False), fast=False, issue_item="7"),
    Case("layout of 5,000 joints", AREA, layout_case(chain_layout(5000), ".json", "at most", timeout=30),
         fast=False, issue_item="7"),
    Case("layout named '   '", AREA, layout_case(name_blank_layout, ".json", "name"), fast=False, issue_item="7"),
    Case("--classes text over 255 characters", AREA, long_inline_classes, issue_item="7"),
    Case("--classes YAML file with an alias bomb", AREA, class_texts_alias_bomb, fast=False, issue_item="7"),
    Case("sample column with file suffixes", AREA, sample_with_suffix, issue_item="9"),
    Case("integer labels sorted numerically", AREA, integer_labels, fast=False, issue_item="9"),
    Case("all-zero frames: prepare fills and reports", AREA, lost_frames_prepare, issue_item="9"),
    Case("all-zero frames: data summary reports", AREA, lost_frames_summary, fast=False, issue_item="9"),
    Case("prepared set: frames.npy header claiming 2 TiB", AREA, damaged_prepared_set("frames header"), fast=False,
         issue_item="7"),
    Case("prepared set: index offset outside frames.npy", AREA, damaged_prepared_set("index offset"), fast=False,
         issue_item="7"),
    Case("prepared set: dataset.json without layout", AREA, damaged_prepared_set("info keys"), fast=False,
         issue_item="7"),
    Case("prepared set: frames.npy is a FIFO", AREA, damaged_prepared_set("frames fifo"), fast=False,
         issue_item="7"),
    Case("terminal escape codes in labels and file names", AREA, terminal_escapes_in_labels, fast=False,
         issue_item="7"),
    Case("sparse layout in two pieces says how to join them", AREA, layout_case(
        lambda: json.dumps(arms_layout(bones=arms_layout()["bones"][:-1])), ".json", "join"), issue_item="9"),
    Case("layout without a spine warns", AREA, layout_case(lambda: json.dumps(arms_layout()), ".json",
                                                           ok_check="no spine"), fast=False, issue_item="9"),
]
