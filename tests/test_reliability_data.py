"""Issue 41, data side: prepare never deletes what it did not write (1), built-in names are
reserved (2), a custom set's class order is stable and stated (4), bad and hostile files are
skipped and reported (7), and a new user's own-data traps are handled (9)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from actlm.cli import main
from actlm.data import DataError, DatasetWriter, Sample, SkeletonSet, prepare
from actlm.data.custom import keep_persons, persons_per_sequence
from actlm.data.layout_file import MAX_YAML_VALUES, read_layout_file
from actlm.data.layouts import get_layout, layout_warnings
from actlm.data.sequence_files import read_array
from actlm.data.store import PREPARED_KIND, scan_lost_frames
from actlm.data.validate import fill_lost_frames
from actlm.language.class_texts import resolve_class_texts


def _pose(frames: int = 6, persons: int = 1, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).normal(size=(persons, frames, 17, 2)) * 20 + 200).astype(np.float32)


@pytest.fixture
def clips(tmp_path) -> Path:
    raw = tmp_path / "clips"
    raw.mkdir()
    for i in range(4):
        np.save(raw / f"c{i}.npy", _pose(seed=i)[0])
    (raw / "labels.csv").write_text("sample,label,split\nc0,wave,train\nc1,hug,test\nc2,wave,train\nc3,hug,test\n")
    return raw


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _custom(raw: Path, out: Path | None = None, **options):
    return prepare("custom", raw=raw, out=out, layout="coco-17", **{"name": "mine", **options})


# --- 1: only a prepared dataset is ever replaced ----------------------------------------------
@pytest.mark.parametrize("out", ["clips", ".", "clips/prepared"])
def test_an_out_overlapping_the_raw_folder_is_refused_and_nothing_is_deleted(clips, tmp_path, out):
    before = _files(tmp_path)
    with pytest.raises(DataError, match="raw folder"):
        _custom(clips, tmp_path / out)
    assert _files(tmp_path) == before


def test_an_out_that_is_a_user_folder_a_file_or_a_link_is_left_alone(clips, tmp_path):
    (tmp_path / "thesis").mkdir()
    (tmp_path / "thesis" / "chapter1.tex").write_text("years of work")
    (tmp_path / "notes.txt").write_text("keep")
    (tmp_path / "link").symlink_to(tmp_path / "thesis")
    before = _files(tmp_path)
    for out, message in (("thesis", "not a prepared actlm dataset"), ("notes.txt", "not a folder"),
                         ("link", "symbolic link")):
        with pytest.raises(DataError, match=message):
            _custom(clips, tmp_path / out)
    assert _files(tmp_path) == before


@pytest.mark.parametrize("name", [".", "..", "../../victim", "/abs/dir", "a/b", "a\\b", "   ", "", " mine", ".hidden",
                                  "tab\there"])
def test_a_name_is_a_name_not_a_path(clips, isolated_cache, name):
    other = isolated_cache / "datasets" / "other"
    _custom(clips, name="other")
    before = _files(isolated_cache)
    with pytest.raises(DataError, match="--name"):
        _custom(clips, name=name)
    assert _files(isolated_cache) == before and (other / "frames.npy").is_file()


def test_preparing_again_replaces_the_sets_own_folder_also_one_written_before_the_marker(clips, tmp_path):
    out = tmp_path / "mine"
    _custom(clips, out)
    info = json.loads((out / "dataset.json").read_text())
    assert info["kind"] == PREPARED_KIND
    del info["kind"]                                   # as actlm wrote it before the marker existed
    (out / "dataset.json").write_text(json.dumps(info))
    np.save(clips / "c9.npy", _pose(seed=9)[0])
    with open(clips / "labels.csv", "a") as fh:
        fh.write("c9,wave,train\n")
    assert _custom(clips, out).written == 5 and len(SkeletonSet(out)) == 5
    assert "replaced the prepared dataset 'mine'" in _custom(clips, out, name="yours").summary()
    with pytest.raises(DataError, match="inside the prepared dataset"):
        _custom(clips, out / "nested")
    (out / "my_notes.txt").write_text("mine")          # a file actlm does not write: no longer its folder
    with pytest.raises(DataError, match="not a prepared actlm dataset"):
        _custom(clips, out)
    assert (out / "my_notes.txt").is_file()


# --- 2: built-in names are reserved --------------------------------------------------------
@pytest.mark.parametrize("name", ["nw-ucla", "ucla", "NTU", "ntu120", "sbu-kinect", "Penn"])
def test_builtin_dataset_names_and_aliases_are_reserved(clips, name):
    with pytest.raises(DataError, match="reserved"):
        _custom(clips, name=name)


def test_videos_names_are_checked_before_any_video_is_read(tmp_path):
    (tmp_path / "v").mkdir()
    with pytest.raises(DataError, match="reserved"):
        prepare("videos", raw=tmp_path / "v", name="utd")


def test_a_prepared_builtin_dataset_is_not_overwritten_by_another_set(clips, tmp_path):
    ucla = tmp_path / "nw-ucla"
    with DatasetWriter(ucla, "nw-ucla", "kinect-v1", ["x", "y", "z"], ["a"], 1) as writer:
        writer.add(Sample(np.ones((1, 3, 20, 3), np.float32), 0, "s1"))
        writer.close()
    with pytest.raises(DataError, match="built-in dataset 'nw-ucla'"):
        _custom(clips, ucla)
    assert SkeletonSet(ucla).name == "nw-ucla"


# --- 4: the class order is stable and stated ------------------------------------------------
def test_a_class_listed_twice_in_classes_txt_is_an_error_naming_both_lines(clips, tmp_path):
    (tmp_path / "classes.txt").write_text("wave\nhug\n\nwave\n")
    with pytest.raises(DataError, match=r"classes.txt:4: class 'wave' listed twice \(first on line 1\)"):
        _custom(clips, classes=tmp_path / "classes.txt")


def test_the_summary_says_how_the_class_order_was_chosen(clips, tmp_path):
    report = _custom(clips, tmp_path / "a")
    assert "sorted order (0=hug, 1=wave)" in report.summary() and "--classes classes.txt" in report.summary()
    (tmp_path / "classes.txt").write_text("wave\nhug\njump\n")
    report = _custom(clips, tmp_path / "b", classes=tmp_path / "classes.txt")
    ds = SkeletonSet(tmp_path / "b")
    assert ds.classes == ["wave", "hug", "jump"] and ds.info["class_order"] == "classes.txt"
    assert "in the order of" in report.summary()
    with open(clips / "labels.csv", "a") as fh:                      # a new label shifts sorted indices
        fh.write("c0b,clap,train\n")
    np.save(clips / "c0b.npy", _pose(seed=5)[0])
    report = _custom(clips, tmp_path / "a")
    assert "index changed for hug, wave" in report.summary()


# --- 7: bad files are skipped and reported, hostile ones refused -------------------------------
@pytest.mark.parametrize("content, message", [
    ("sample,label\nc0,étreinte\n".encode("latin-1"), "not UTF-8 text"),
    (bytes(range(256)) * 4, "binary data"),
])
def test_a_labels_file_that_is_not_utf8_text_is_an_error_naming_it(clips, content, message):
    (clips / "labels.csv").write_bytes(content)
    with pytest.raises(DataError, match=rf"labels.csv(:\d+)?: {message}"):
        _custom(clips)


def test_a_bom_odd_subjects_and_a_huge_field(clips, tmp_path):
    text = "sample,label,subject\nc0,wave,--5\nc1,hug,²\nc2,wave,-3\nc3,hug,7\nc9,wave," + "x" * 200_000 + "\n"
    (clips / "labels.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    report = _custom(clips, tmp_path / "o")
    ds = SkeletonSet(tmp_path / "o")
    assert report.written == 4 and {s: ds.meta(ds.find(s))["subject"] for s in ds.sample_ids} == \
        {"c0": "--5", "c1": "²", "c2": -3, "c3": 7}
    assert any("line 6: a field of 200,000 characters" in s.reason for s in report.skipped)


def _npy_claiming(path: Path, shape: tuple[int, ...], data_bytes: int) -> None:
    with open(path, "wb") as fh:
        np.lib.format.write_array_header_1_0(fh, {"descr": "<f4", "fortran_order": False, "shape": shape})
        fh.write(b"\0" * data_bytes)


def test_bad_sequence_files_are_skipped_with_the_reason_and_the_rest_written(clips, tmp_path):
    _npy_claiming(clips / "huge.npy", (1 << 37, 17, 2), 64)         # 2 TiB claimed: never allocated
    _npy_claiming(clips / "short.npy", (6, 17, 2), 100)              # truncated
    (clips / "deep.json").write_text('{"skeletons": ' + "[" * 2000 + "]" * 2000 + "}")
    np.save(clips / "cplx.npy", _pose()[0].astype(np.complex64))
    np.save(clips / "flags.npy", _pose()[0] > 200)
    (clips / "truth.json").write_text(json.dumps({"skeletons": (_pose()[0] > 200).tolist()}))
    os.mkfifo(clips / "pipe.npy")
    np.save(clips / "renamed.npy", _pose(seed=7)[0])
    os.rename(clips / "renamed.npy", clips / "renamed.npz")          # an .npy saved under .npz
    names = ["huge", "short", "deep", "cplx", "flags", "truth", "pipe", "renamed"]
    with open(clips / "labels.csv", "a") as fh:
        fh.write("".join(f"{n},wave,train\n" for n in names))
    report = _custom(clips, tmp_path / "o")
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert "more than the 1024 MiB" in reasons["huge.npy"] and "truncated" in reasons["short.npy"]
    assert "nested too deeply" in reasons["deep.json"] and "complex" in reasons["cplx.npy"]
    assert "booleans" in reasons["flags.npy"] and "bool" in reasons["truth.json"]
    assert "FIFO" in reasons["pipe.npy"]
    assert report.written == 5 and "renamed" in SkeletonSet(tmp_path / "o").sample_ids


def test_read_array_refuses_object_arrays_inside_npz(tmp_path):
    path = tmp_path / "obj.npz"
    np.savez(path, skeleton=np.array([{"a": 1}], dtype=object))
    with pytest.raises(DataError, match="pickle"):
        read_array(path)


def test_a_file_with_more_persons_than_the_rest_keeps_the_most_present_ones(clips, tmp_path):
    crowd = _pose(persons=5, seed=3)
    crowd[[0, 2, 4], :3] = 0                                           # persons 1 and 3 are there throughout
    np.save(clips / "crowd.npy", crowd)
    with open(clips / "labels.csv", "a") as fh:
        fh.write("crowd,wave,train\n")
    report = _custom(clips, tmp_path / "o")
    ds = SkeletonSet(tmp_path / "o")
    assert ds.info["max_persons"] == 1 and "crowd.npy (5)" in report.summary()
    np.testing.assert_array_equal(ds[ds.find("crowd")].data[0], crowd[1])
    assert _custom(clips, tmp_path / "p", persons=2).written == 5
    assert SkeletonSet(tmp_path / "p").info["max_persons"] == 2


@pytest.mark.parametrize("counts, persons", [([1], 1), ([2], 2), ([1, 1, 5], 1), ([2, 2, 2, 1], 2),
                                              ([1] * 18 + [2, 2], 2), ([1] * 30 + [2, 2], 1)])
def test_the_persons_rule(counts, persons):
    assert persons_per_sequence(counts) == persons
    assert keep_persons(np.ones((3, 2, 17, 2)), 2).shape[0] == 2


def _arms(**change) -> dict:
    joints = ["left_shoulder", "left_elbow", "left_hand", "right_shoulder", "right_elbow", "right_hand"]
    spec = {"name": "arms", "joints": joints, "center": ["left_shoulder", "right_shoulder"],
            "bones": [["left_elbow", "left_shoulder"], ["left_hand", "left_elbow"], ["right_elbow", "right_shoulder"],
                      ["right_hand", "right_elbow"], ["right_shoulder", "left_shoulder"]]}
    return {**spec, **change}


@pytest.mark.parametrize("change, message", [
    ({"bones": [[["left_elbow"], "left_shoulder"]] + _arms()["bones"][1:]}, r"bones entry .* is not a joint name"),
    ({"left_shoulder": ["left_shoulder"]}, "'left_shoulder': .* is not a joint name"),
    ({"parts": {"left_arm": [["left_elbow"]]}}, "'parts.left_arm': .* is not a joint name"),
    ({"center": 3}, "'center' must be a joint name"),
    ({"name": 5}, "'name' must be text"),
    ({"name": "   "}, "'name' is blank"),
    ({"description": {"a": 1}}, "'description' must be text"),
])
def test_layout_entries_of_the_wrong_type_name_the_file_and_key(tmp_path, change, message):
    path = tmp_path / "arms.json"
    path.write_text(json.dumps(_arms(**change)))
    with pytest.raises(DataError, match=rf"arms.json: {message}"):
        read_layout_file(path)


def test_a_yaml_layout_with_a_number_as_key_names_it(tmp_path):
    path = tmp_path / "arms.yaml"
    path.write_text("\n".join(f"{k}: {json.dumps(v)}" for k, v in _arms().items()) + "\n1: x\n")
    with pytest.raises(DataError, match="arms.yaml: unknown key"):
        read_layout_file(path)


def test_a_yaml_alias_bomb_and_deep_nesting_are_refused_quickly(tmp_path):
    levels = ['&x0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"&x{i} [" + ",".join([f"*x{i - 1}"] * 9) + "]" for i in range(1, 9)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(f"{k}: {json.dumps(v)}" for k, v in _arms().items())
                    + "\ndescription: [" + ", ".join(levels) + "]\n")
    with pytest.raises(DataError, match=rf"bomb.yaml: its anchors and aliases expand to more than {MAX_YAML_VALUES:,}"):
        read_layout_file(bomb)
    deep = tmp_path / "deep.yaml"
    deep.write_text("name: " + "[" * 600 + "]" * 600)
    with pytest.raises(DataError, match="deep.yaml"):
        read_layout_file(deep)


def test_class_text_longer_than_a_file_name_is_text():
    text = "; ".join(f"class{i}: the person raises both hands above the head and waves them from side to side"
                     for i in range(4))
    assert len(text) > 255 and [t.name for t in resolve_class_texts(text)] == [f"class{i}" for i in range(4)]


# --- 9: own-data traps ---------------------------------------------------------------------
def test_sample_column_with_the_file_suffix_finds_the_files(clips, tmp_path):
    (clips / "labels.csv").write_text("sample,label\nc0.npy,wave\nc1.NPY,hug\nc2,wave\nc3.npy,hug\n")
    report = _custom(clips, tmp_path / "o")
    assert report.written == 4 and not report.skipped


def test_integer_labels_are_sorted_as_numbers_and_the_summary_says_so(clips, tmp_path):
    (clips / "labels.csv").write_text("sample,label\nc0,10\nc1,2\nc2,1\nc3,-1\n")
    report = _custom(clips, tmp_path / "o")
    assert SkeletonSet(tmp_path / "o").classes == ["-1", "1", "2", "10"] and "numeric order" in report.summary()


def test_fill_lost_frames_drops_the_ends_and_interpolates_inside_per_person():
    data = np.zeros((2, 8, 3, 2), np.float32)
    data[0, 1:7] = np.arange(1, 7, dtype=np.float32)[:, None, None]
    data[1, 1:3] = 5.0                                                 # the second person leaves at frame 3
    data[:, 3:5] = 0                                                   # tracking lost for everyone
    out, ends, inside = fill_lost_frames(data)
    assert (ends, inside) == (2, 2) and out.shape == (2, 6, 3, 2)
    np.testing.assert_allclose(out[0, :, 0, 0], [1, 2, 3, 4, 5, 6])   # frames 3, 4 filled on the line 3 -> 6
    assert not out[1, 2:].any()                                        # absent after the gap: stays absent
    same, none, none2 = fill_lost_frames(np.ones((1, 4, 3, 2)))
    assert none == none2 == 0 and same.shape == (1, 4, 3, 2)


def test_lost_frames_are_reported_by_prepare_and_data_summary(clips, tmp_path, isolated_cache):
    gappy = _pose(frames=10, seed=5)[0]
    gappy[[0, 4, 5]] = 0
    np.save(clips / "gappy.npy", gappy)
    with open(clips / "labels.csv", "a") as fh:
        fh.write("gappy,wave,train\n")
    report = _custom(clips)
    assert "gappy.npy (1 at the ends, 2 inside)" in report.summary()
    result = CliRunner().invoke(main, ["data", "summary", "mine"])
    assert result.exit_code == 0
    assert "2 inside sequences filled by interpolation, 1 at the ends dropped" in result.output
    old = tmp_path / "old"                                               # written by another tool: zeros remain
    with DatasetWriter(old, "old", "coco-17", ["x", "y"], ["wave"], 1) as writer:
        writer.add(Sample(gappy[None], 0, "gappy"))
        writer.close()
    assert scan_lost_frames(SkeletonSet(old)) == (2, 1, ["gappy"])
    result = CliRunner().invoke(main, ["data", "summary", str(old)])
    assert "warning: frames with no skeleton (all zero, tracking lost) remain: 2 inside" in result.output


def test_a_layout_in_pieces_says_how_to_join_them_and_one_without_spine_warns(tmp_path):
    path = tmp_path / "arms.json"
    path.write_text(json.dumps(_arms(bones=_arms()["bones"][:-1])))
    with pytest.raises(DataError, match=r"Join the pieces with one bone each, e.g. \[right_shoulder, left_shoulder\]"):
        read_layout_file(path)
    path.write_text(json.dumps(_arms()))
    assert "no spine" in layout_warnings(read_layout_file(path))[0]
    assert layout_warnings(get_layout("coco-17")) == [] and layout_warnings(get_layout("kinect-v2")) == []


def test_terminal_escapes_in_labels_and_file_names_never_reach_the_terminal(clips, tmp_path):
    with open(clips / "labels.csv", "a") as fh:
        fh.write("c9,\x1b[2Jwave,train\n")
    np.save(clips / "c\x1b[31m.npy", _pose()[0])
    report = _custom(clips, tmp_path / "o")
    assert report.written == 4 and "control characters" in report.summary() and "\x1b" not in report.summary()
    (tmp_path / "classes.txt").write_text("wave\nhug\x1b]0;pwned\x07\n")
    with pytest.raises(DataError, match="classes.txt:2: .* control characters"):
        _custom(clips, tmp_path / "p", classes=tmp_path / "classes.txt")


@pytest.mark.parametrize("damage, message", [
    ("frames header", "frames.npy: damaged"),
    ("index offset", "index.json: sample 0 is damaged"),
    ("info keys", "dataset.json: no layout"),
    ("deep index", "damaged dataset files"),
])
def test_a_damaged_prepared_folder_is_a_clear_error(tmp_path, damage, message):
    out = tmp_path / "set"
    with DatasetWriter(out, "set", "coco-17", ["x", "y"], ["a"], 1) as writer:
        writer.add(Sample(_pose(), 0, "s1"))
        writer.close()
    if damage == "frames header":
        _npy_claiming(out / "frames.npy", (1 << 37, 1, 17, 2), 64)
    elif damage == "index offset":
        records = json.loads((out / "index.json").read_text())
        records[0]["offset"] = 10 ** 9
        (out / "index.json").write_text(json.dumps(records))
    elif damage == "info keys":
        (out / "dataset.json").write_text(json.dumps({"format_version": 1, "name": "set", "kind": PREPARED_KIND}))
    else:
        (out / "index.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DataError, match=message):
        SkeletonSet(out)


def test_without_name_a_raw_folder_named_like_a_builtin_set_does_not_name_the_set_so(tmp_path):
    raw = tmp_path / "ucla"
    raw.mkdir()
    for i in range(2):
        np.save(raw / f"c{i}.npy", _pose(seed=i)[0])
    (raw / "labels.csv").write_text("sample,label\nc0,wave\nc1,hug\n")
    prepare("custom", raw=raw, out=tmp_path / "o", layout="coco-17")
    assert SkeletonSet(tmp_path / "o").name == "custom"


@pytest.mark.parametrize("count", ["--5", "²", "9" * 400])
def test_an_ntu_file_with_an_odd_frame_count_is_skipped_with_its_line(tmp_path, count):
    from actlm.data.ntu import parse_skeleton_file

    path = tmp_path / "S001C001P001R001A001.skeleton"
    path.write_text(f"{count}\n0\n")
    with pytest.raises(DataError, match=r"skeleton:1: (expected the number of frames|not a text .skeleton file)"):
        parse_skeleton_file(path)


def test_data_show_with_a_non_ascii_digit_is_a_clear_error(clips, isolated_cache, tmp_path):
    _custom(clips)
    result = CliRunner().invoke(main, ["data", "show", "²", "--dataset", "mine", "--out", str(tmp_path / "a.png")])
    assert result.exit_code == 2 and "no sample '²'" in result.output


def test_an_nwucla_file_with_true_false_coordinates_is_refused(tmp_path):
    from actlm.data.nwucla import read_sequence

    path = tmp_path / "a01_s01_e00_v01.json"
    path.write_text(json.dumps({"skeletons": [[[True, 0.5, 1.0]] * 20] * 4}))
    with pytest.raises(DataError, match="a01_s01_e00_v01.json: 'skeletons' holds bool values"):
        read_sequence(path)


def test_a_prepared_folder_with_a_fifo_for_frames_is_refused_without_opening_it(tmp_path):
    out = tmp_path / "set"
    with DatasetWriter(out, "set", "coco-17", ["x", "y"], ["a"], 1) as writer:
        writer.add(Sample(_pose(), 0, "s1"))
        writer.close()
    (out / "frames.npy").unlink()
    os.mkfifo(out / "frames.npy")
    with pytest.raises(DataError, match="frames.npy: not a regular file but a FIFO"):
        SkeletonSet(out)


def test_no_set_is_written_to_or_opened_from_a_builtin_datasets_place(clips, isolated_cache):
    from actlm.data import load, prepared_path

    with pytest.raises(DataError, match="place of the prepared built-in dataset nw-ucla"):
        _custom(clips, prepared_path("nw-ucla"))
    _custom(clips, isolated_cache / "elsewhere")
    (isolated_cache / "elsewhere").rename(prepared_path("utd"))      # as an older actlm could leave it
    with pytest.raises(DataError, match="holds the dataset 'mine', not utd-mhad"):
        load("utd")


def test_a_layout_of_a_thousand_joints_is_read_at_once_and_more_are_refused(tmp_path):
    import time

    from actlm.data.layouts import MAX_JOINTS, Layout

    joints = [f"j{i}" for i in range(MAX_JOINTS)]
    spec = {"name": "chain", "joints": joints, "bones": [[joints[i + 1], joints[i]] for i in range(MAX_JOINTS - 1)],
            "center": "j0", "left_shoulder": "j1", "right_shoulder": "j2"}
    start = time.perf_counter()
    assert Layout.from_dict(spec).num_joints == MAX_JOINTS and time.perf_counter() - start < 2
    with pytest.raises(DataError, match="bones form a cycle: j1 -> j0 -> j999 .* \\(1000 joints\\)"):
        Layout.from_dict({**spec, "bones": [[joints[(i + 1) % MAX_JOINTS], joints[i]] for i in range(MAX_JOINTS)]})
    with pytest.raises(DataError, match="1001 joints; a layout has at most 1000"):
        Layout.from_dict({**spec, "joints": joints + ["extra"]})


def test_a_split_column_of_ids_is_flagged_and_splits_are_views_not_rereads(tmp_path):
    raw = tmp_path / "many"
    raw.mkdir()
    rows = ["sample,label,split"]
    for i in range(12):
        np.save(raw / f"s{i}.npy", _pose(seed=i)[0])
        rows.append(f"s{i},{'ab'[i % 2]},id{i}")
    (raw / "labels.csv").write_text("\n".join(rows) + "\n")
    report = prepare("custom", raw=raw, out=tmp_path / "o", layout="coco-17")
    assert "the split column has 12 distinct values" in report.summary()
    ds = SkeletonSet(tmp_path / "o")
    part = ds.split("id3")
    assert part.sample_ids == ["s3"] and part._records is ds._records and ds.subset([0, 1]).sample_ids == ["s0", "s1"]
    ds.info["splits"]["id3"] = [99]
    with pytest.raises(DataError, match="split 'id3' lists samples that are not in the index"):
        ds.split("id3")


def test_class_description_files_refuse_alias_bombs_and_odd_keys_quickly(tmp_path):
    from actlm.data.errors import ConfigError
    from actlm.language.class_texts import read_class_texts

    levels = ['&x0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"&x{i} [" + ",".join([f"*x{i - 1}"] * 9) + "]" for i in range(1, 9)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("wave: {description: [" + ", ".join(levels) + "]}\n")
    with pytest.raises(ConfigError, match="bomb.yaml: its anchors and aliases expand"):
        read_class_texts(bomb)
    odd = tmp_path / "odd.yaml"
    odd.write_text("wave: {description: hands up, 1: x}\n")
    with pytest.raises(ConfigError, match=r"odd.yaml: class 'wave': unknown field\(s\) \['1'\]"):
        read_class_texts(odd)
    many = tmp_path / "many.json"
    many.write_text(json.dumps({f"class {i}": "a text" for i in range(50_000)}))
    assert len(read_class_texts(many)) == 50_000


def test_a_nan_written_into_a_prepared_sets_frames_is_an_error_naming_the_sample(damaged_ucla):
    """frames.npy damaged after prepare (one NaN coordinate): reading that sample names the file, the
    sample and its frame, instead of a transform silently reading the frame as 'no person'."""
    damaged, records = damaged_ucla
    ds = SkeletonSet(damaged)
    assert ds[2].data.shape[1] == records[2]["length"]     # the other samples read as before
    with pytest.raises(DataError, match=rf"frames.npy: sample {records[3]['id']} has 1 NaN/inf .* frame 5"):
        ds[3]
