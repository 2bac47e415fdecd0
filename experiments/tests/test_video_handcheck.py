"""experiments/video_handcheck.py: verdicts are tied to the exact statement and frames, fact times
reach video frames through the frames with a person, and the committed table matches its verdicts."""
import json

import numpy as np

from experiments.video_handcheck import RESULTS, NAME, sheet_frames, statement_key, to_video_frame


def _committed() -> tuple[dict, dict]:
    table = json.loads((RESULTS / f"{NAME}.json").read_text())
    verdicts = json.loads((RESULTS / f"{NAME}.verdicts.json").read_text())["statements"]
    return table, verdicts


def test_a_fact_whose_frames_change_loses_its_verdict():
    row = {"kind": "fact", "motion": "raise", "part": "both_hands", "text": "raises both hands above the head",
           "frames": {"start": 160, "peak": 218, "end": 246}}
    moved = dict(row, frames={"start": 160, "peak": 230, "end": 246})
    assert statement_key("clean_and_jerk", row) != statement_key("clean_and_jerk", moved)
    assert statement_key("clean_and_jerk", row).endswith("|160-218-246")


def test_fact_times_skip_the_frames_without_a_person():
    kept = np.array([0, 1, 2, 3, 4] + list(range(40, 60)))      # frames 5-39 had nobody (as skateboarding's 5-35)
    assert to_video_frame(0.0, kept) == 0
    assert to_video_frame(1.0, kept) == 59
    assert to_video_frame(0.25, kept) == 41                     # 6th kept frame, not video frame 6


def test_sheet_frames_cover_start_peak_end_and_a_margin():
    frames = sheet_frames({"start": 100, "peak": 130, "end": 160}, total=300)
    assert {100, 130, 160} <= set(frames)
    assert min(frames) < 100 and max(frames) > 160 and max(frames) < 300


def test_committed_table_has_a_verdict_for_every_statement_and_no_stale_ones():
    table, verdicts = _committed()
    keys = {r["key"] for clip in table["clips"] for r in clip["statements"]}
    assert keys == set(verdicts)
    assert all(r["verdict"] == verdicts[r["key"]][0] for clip in table["clips"] for r in clip["statements"])


def test_committed_precision_is_recomputed_from_the_verdicts():
    table, _ = _committed()
    facts = [r["verdict"] for clip in table["clips"] for r in clip["statements"] if r["kind"] == "fact"]
    holds, false = facts.count("holds"), facts.count("false")
    assert table["summary"]["fact"]["precision"] == f"{holds / (holds + false):.2f}"
