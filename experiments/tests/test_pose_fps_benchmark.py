"""experiments/pose_fps_benchmark.py: a statement at a reduced rate is the full rate's when its kind,
motion and part agree and its video frames overlap; judged statements are found again that way, and
the committed results hold what the table says."""
import json

from experiments.pose_fps_benchmark import RESULTS, NAME, compare, judged_made, same_statement


def _fact(start: int, end: int, part: str = "both_hands", text: str = "raises both hands above the head") -> dict:
    return {"kind": "fact", "motion": "raise", "part": part, "text": text,
            "frames": {"start": start, "peak": (start + end) // 2, "end": end}}


def test_a_fact_matches_only_the_same_part_in_overlapping_frames():
    assert same_statement(_fact(160, 250), _fact(162, 243, text="raises both hands high"))
    assert not same_statement(_fact(160, 250), _fact(251, 290))
    assert not same_statement(_fact(160, 250), _fact(160, 250, part="left_hand"))


def test_a_problem_matches_its_kind_whichever_joints_it_lists():
    a = {"kind": "problem", "motion": "jumping_joint", "part": "left_wrist", "text": "x", "frames": {"start": 5, "peak": 9, "end": 20}}
    b = dict(a, part="left_wrist+right_wrist")
    assert same_statement(a, b) and not same_statement(a, dict(b, motion="low_visibility"))


def test_kept_lost_new_and_judged_counts():
    full = {"probs": {"a": 0.6, "b": 0.4}, "top3": [("a", 0.6)], "statements": [_fact(160, 250), _fact(10, 20, "left_hand")]}
    other = {"clip": "clean_and_jerk", "probs": {"a": 0.3, "b": 0.7}, "top3": [("b", 0.7)],
             "statements": [_fact(170, 240), _fact(100, 120, "right_hand")]}
    vs = compare(full, other)
    assert (vs["same_top1"], vs["max_abs_p_diff"], vs["kept"], len(vs["lost"]), len(vs["new"])) == (False, 0.3, 1, 1, 1)
    verdicts = {"clean_and_jerk|fact|raise|both_hands|raises both hands above the head|160-218-246": ["holds", ""],
                "clean_and_jerk|fact|raise|left_hand|raises the left hand|10-15-20": ["false", ""],
                "tai_chi|fact|raise|both_hands|raises both hands above the head|160-218-246": ["holds", ""]}
    assert judged_made(other, verdicts) == {"holds": [1, 1], "false": [1, 0]}
    assert judged_made(dict(other, statements=[_fact(170, 240, text="other words")]), verdicts,
                       same_text=True) == {"holds": [1, 0], "false": [1, 0]}


def test_the_committed_results_hold_every_clip_at_every_rate():
    doc = json.loads((RESULTS / f"{NAME}.json").read_text())
    rates = {(r["clip"], r["rate"]) for r in doc["runs"]}
    assert len(rates) == 5 * 5 and set(doc["totals"]) == {"full", "15 fps", "10 fps", "15 fps, full pose subsampled",
                                                          "10 fps, full pose subsampled"}
    for r in doc["runs"]:
        assert r["pose_frames"] == -(-r["video_frames"] // r["stride"]) and r["frames_with_person"] <= r["pose_frames"]
