"""Agreement of two hand-check judges on made-up verdicts."""
import json
import math

import pytest

from experiments import handcheck_agreement as ha


def _verdicts(*verdicts: str) -> dict:
    return {"seq": {f"raise|left_hand|fact {i}": [v, f"reason {i}"] for i, v in enumerate(verdicts)}}


def _summary(first: dict, second: dict) -> dict:
    return ha.summary(ha.paired_facts(first, second)[0])


def test_identical_files_agree_fully_with_kappa_one():
    v = _verdicts("holds", "holds", "false", "ambiguous", "holds")
    s = _summary(v, v)
    assert s["raw_agreement"] == 1.0
    assert s["kappa"] == 1.0
    assert s["disagreements"] == []


def test_known_case_kappa():
    # 10 facts: first judge 8 holds / 2 false; second agrees on 7 holds and 1 false,
    # rules one of the first's holds false and one of its false ambiguous.
    first = _verdicts(*["holds"] * 8, "false", "false")
    second = _verdicts(*["holds"] * 7, "false", "false", "ambiguous")
    s = _summary(first, second)
    assert s["table"]["holds"] == {"holds": 7, "false": 1, "ambiguous": 0}
    assert s["table"]["false"] == {"holds": 0, "false": 1, "ambiguous": 1}
    assert s["raw_agreement"] == pytest.approx(0.8)
    # chance: holds 0.8*0.7 + false 0.2*0.2 + ambiguous 0*0.1 = 0.60; kappa = (0.8-0.6)/(1-0.6) = 0.5
    assert s["kappa"] == pytest.approx(0.5)
    assert s["holds_share_first"] == pytest.approx(0.8)
    assert s["holds_share_second"] == pytest.approx(0.7)
    assert [p.fact for p in s["disagreements"]] == ["raise|left_hand|fact 7", "raise|left_hand|fact 9"]


def test_opposite_judges_have_negative_kappa():
    s = _summary(_verdicts("holds", "false"), _verdicts("false", "holds"))
    assert s["raw_agreement"] == 0.0
    assert s["kappa"] == pytest.approx(-1.0)


def test_one_verdict_for_everything_leaves_kappa_undefined():
    v = _verdicts("holds", "holds", "holds")
    assert math.isnan(_summary(v, v)["kappa"])


def test_facts_only_one_judge_has_are_left_out_of_the_table():
    first = _verdicts("holds", "false")
    second = {"seq": {"raise|left_hand|fact 0": ["holds", "r"]}, "other": {"walk|legs|x": ["holds", "r"]}}
    pairs, unmatched = ha.paired_facts(first, second)
    assert [p.fact for p in pairs] == ["raise|left_hand|fact 0"]
    assert sorted(unmatched) == [("other", "walk|legs|x"), ("seq", "raise|left_hand|fact 1")]


def test_unknown_verdict_is_refused():
    with pytest.raises(ValueError):
        _summary(_verdicts("holds"), _verdicts("maybe"))


def test_main_reads_two_files(tmp_path, capsys):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(_verdicts("holds", "false")))
    b.write_text(json.dumps(_verdicts("holds", "ambiguous")))
    ha.main([str(a), str(b), "--markdown"])
    out = capsys.readouterr().out
    assert "raw agreement 0.5" in out
    assert "| false | 0 | 0 | 1 | 1 |" in out
