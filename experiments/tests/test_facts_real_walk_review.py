"""The walk review's own step counter (experiments/facts_real_walk_review.py), on made-up feet
whose steps are known, and on real NW-UCLA clips whose walks were checked by plot."""
from __future__ import annotations

import numpy as np
import pytest

from experiments import facts_real_walk_review as review
from actlm.paths import data_root


def _walking_feet(steps: int, stride: float = 0.5, frames_per_step: int = 5, pause: int = 2) -> dict[str, np.ndarray]:
    """Feet on the floor taking ``steps`` alternating steps along x (left first), each foot
    carried ``stride`` while the other stands, ``pause`` frames of both standing in between."""
    left, right = [np.zeros(2)], [np.array([0.0, 0.2])]
    for k in range(steps):
        moving, standing = (left, right) if k % 2 == 0 else (right, left)
        for _ in range(frames_per_step):
            moving.append(moving[-1] + [stride / frames_per_step, 0.0])
            standing.append(standing[-1].copy())
        for _ in range(pause):
            left.append(left[-1].copy())
            right.append(right[-1].copy())
    return {"left": np.array(left), "right": np.array(right)}


def test_alternating_steps_are_counted_as_one_walk():
    feet = _walking_feet(4)
    steps = review.steps_of(feet)
    assert [s["side"] for s in steps] == ["left", "right", "left", "right"]
    assert all(s["length"] == pytest.approx(0.5, abs=0.01) for s in steps)
    (walk,) = review.chains_of(steps)
    assert len(walk) == 4


def test_feet_sliding_together_or_jittering_take_no_step():
    rng = np.random.default_rng(0)
    slide = np.linspace(0, 1.0, 30)[:, None] * [1.0, 0.0]                 # the whole skeleton drifts 1 m
    assert review.steps_of({"left": slide, "right": slide + [0.0, 0.2]}) == []
    jitter = {s: rng.normal(scale=0.01, size=(60, 2)) for s in ("left", "right")}   # 1 cm tracking noise
    assert review.steps_of(jitter) == []


def test_a_long_pause_splits_the_walks_and_one_foot_twice_is_one_step():
    feet = _walking_feet(2, pause=review.WALK_GAP + 5)                    # left, long pause, right
    assert [len(c) for c in review.chains_of(review.steps_of(feet))] == [1, 1]
    left = _walking_feet(1)["left"]
    twice = {"left": np.concatenate([left, left[-1] + left[1:]]), "right": np.zeros((2 * len(left) - 1, 2))}
    (walk,) = review.chains_of(review.steps_of(twice))
    assert len(walk) == 1 and walk[0]["length"] == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("clip, verdict", [
    ("a11_s05_e03_v02", "walking"),     # a throw's run-up: 5+ alternating steps, 1.9 m (checked by plot)
    ("a06_s08_e02_v02", "shuffle"),     # stands up, then one step with each foot, pelvis 0.36 m
    ("a04_s01_e01_v01", "walking"),     # walk around
])
def test_real_clips_checked_by_plot(clip, verdict):
    path = data_root() / "nw-ucla" / "all_sqe" / f"{clip}.json"
    if not path.exists():
        pytest.skip("NW-UCLA data not found")
    assert review.measure(path)["verdict"] == verdict
