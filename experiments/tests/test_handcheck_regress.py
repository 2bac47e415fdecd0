"""handcheck_regress reads facts judged later (newly stated by a fix on an earlier round's sequence)
next to the round's own verdicts, so the next fix that drops one of them is counted."""
from __future__ import annotations

import json

from experiments import handcheck_regress as regress


def test_facts_judged_later_count_with_their_round(tmp_path, monkeypatch):
    (tmp_path / "facts_handcheck_s50.verdicts.json").write_text(json.dumps(
        {"0001": {"raise|right_hand|raises the right hand": ["holds", "seen"]}}))
    (tmp_path / "facts_handcheck_s50.json").write_text(json.dumps({"sequences": []}))
    later = tmp_path / "facts_handcheck_later.verdicts.json"
    later.write_text(json.dumps({
        "facts_handcheck_s50/0001": {"stand_up|body|rises from a low position to standing": ["false", "no rise"],
                                     "raise|right_hand|raises the right hand": ["false", "ignored: the round's own verdict wins"]},
        "facts_handcheck_s51/0002": {"walk|body|walks forward": ["holds", "another round"]}}))
    monkeypatch.setattr(regress, "RESULTS", tmp_path)
    monkeypatch.setattr(regress, "LATER", later)
    verdicts = regress.round_verdicts("facts_handcheck_s50")
    assert verdicts == {"0001": {"raise|right_hand|raises the right hand": ["holds", "seen"],
                                 "stand_up|body|rises from a low position to standing": ["false", "no rise"]}}
    lost = regress.compare({"facts_handcheck_s50/0001": ["raise|right_hand|raises the right hand"]})
    assert lost["false_gone"] == ["facts_handcheck_s50/0001: stand_up|body|rises from a low position to standing"]
    assert lost["holds_lost"] == []
