"""live_benchmark's merge: rerunning one part keeps what live.json holds of the others (no data read)."""
import json

from experiments import live_benchmark as live


def _run(tag: str) -> dict:
    return {"command": f"OMP_NUM_THREADS=1 python -m experiments.live_benchmark --parts {tag}", "commit": "x",
            "date": "d", "seconds": 1.0, "load_before": 0.1, "load_after": 0.2, "cpus": 2, "omp_threads": "1",
            "model": None}


def test_merging_one_part_keeps_the_others(tmp_path, monkeypatch):
    monkeypatch.setattr(live, "RESULTS", tmp_path)
    monkeypatch.setattr(live, "report", lambda out: "report\n")
    earlier = {"runs": [_run("a"), _run("b"), _run("c")], "rtf": ["old a"], "onnx": {}, "sizes": {},
               "hour": ["old b"], "pose_loop": {}, "faults": ["old c"]}
    (tmp_path / "live.json").write_text(json.dumps(earlier))
    (tmp_path / "live_c.json").write_text(json.dumps({**_run("c"), "commit": "new", "faults": ["new c"]}))
    live.merge()
    out = json.loads((tmp_path / "live.json").read_text())
    assert out["rtf"] == ["old a"] and out["hour"] == ["old b"] and out["faults"] == ["new c"]
    assert [r["commit"] for r in out["runs"]] == ["x", "x", "new"]
    assert not (tmp_path / "live_c.json").exists()


def test_the_machine_line_says_which_parts_ran_loaded():
    quiet, busy = {**_run("a"), "part": "a"}, {**_run("b"), "part": "b", "load_after": 2.77}
    assert live._host_words([quiet]).startswith("quiet while measured")
    assert live._host_words([busy]).startswith("shared with other heavy jobs")
    mixed = live._host_words([quiet, busy])
    assert "quiet while part (a) ran" in mixed and "while part (b) ran (load 2 or more" in mixed
