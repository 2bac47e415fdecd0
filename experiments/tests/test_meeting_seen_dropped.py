"""The script that lists the statements ``_meeting_seen`` drops (experiments/meeting_seen_dropped.py):
its bypass, and its raw-wrist reading, on real Penn Action clips read by hand."""
from __future__ import annotations

import numpy as np
import pytest

from actlm.explain import facts as detector
from actlm.paths import data_root
from experiments import meeting_seen_dropped as dropped
from experiments.facts_handcheck import Source

TOGETHER = "hands_together|both_hands|brings both hands together in front of the body"


def _penn(stem: str) -> Source:
    path = data_root() / "penn-action" / f"{stem}.mat"
    if not path.exists():
        pytest.skip(f"Penn Action not found under {data_root()} (set ACTLM_DATA)")
    return Source("penn-action", path, "")


def test_bypass_states_the_dropped_meeting_and_restores_the_detector():
    """Penn 0892 (golf swing, wrists never both seen): stated only with ``_meeting_seen`` bypassed."""
    source, original = _penn("0892"), detector._meeting_seen
    now, frames = dropped.stated(source, bypass=False)
    bypassed, _ = dropped.stated(source, bypass=True)
    assert TOGETHER not in {k for k, _ in now}
    assert TOGETHER in {k for k, _ in bypassed}
    assert frames == 49
    assert detector._meeting_seen is original


def test_raw_stature_uses_frames_with_head_and_ankles_seen():
    x = np.zeros((3, 13))
    y = np.zeros((3, 13))
    y[:, dropped.LEFT_ANKLE] = y[:, dropped.RIGHT_ANKLE] = [100.0, 100.0, 300.0]
    seen = np.ones((3, 13), bool)
    seen[2, dropped.LEFT_ANKLE] = False          # the 300-px frame is a guessed ankle: left out
    assert dropped.raw_stature(x, y, seen) == pytest.approx(100.0)


def test_raw_wrists_read_penn_0159_meeting():
    """Penn 0159 frame 42 (read from the .mat by hand): left wrist (303.3, 126.7), right (296.7,
    132.7), both flagged seen: 9.0 px apart; the only both-seen frame within 0.076 statures."""
    raw = dropped.raw_wrists(_penn("0159").path)
    frame = raw["frames"][42]
    assert frame["left"] == [303, 127, 1] and frame["right"] == [297, 133, 1]
    assert frame["gap_px"] == pytest.approx(9.0, abs=0.05)
    assert raw["closest_both_seen_frame"] == 42
    assert raw["closest_both_seen_st"] == pytest.approx(9.0 / raw["scale_px"], abs=1e-3)
