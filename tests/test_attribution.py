"""Attribution that means what it shows: the numbers an explanation gives are the drops measured by
freezing exactly the cited set (and span), and the cited set is the best candidate."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from actlm.data import SkeletonSet
from actlm.data.layouts import get_layout
from actlm.explain.attribution import (CRITERION, MIN_EFFECT, PAIR_GAIN, candidate_sets, centred_logit_drop, freeze_frames,
                                       freeze_joints, margin_drop, Occlusion, occlude, parse_criterion, pick_smallest, probability_drop,
                                       set_joints, set_key, set_size, shortlist, softmax, time_windows)
from actlm.explain.explainer import Explainer, shipped_encoder
from actlm.explain.text import set_words, template_explanation


@pytest.fixture(scope="module")
def shipped(ucla_prepared) -> tuple[Explainer, SkeletonSet]:
    """The shipped NW-UCLA explainer and the test view it explains."""
    return Explainer(shipped_encoder()), SkeletonSet(ucla_prepared).split("xview_test")


def _probability(model: torch.nn.Module, x: torch.Tensor, target: int) -> float:
    with torch.no_grad():
        return float(model(x).softmax(1)[0, target])


def test_the_number_shown_is_the_drop_measured_by_freezing_that_set(shipped):
    explainer, test_view = shipped
    layout = get_layout(explainer.layout)
    for i in range(0, len(test_view), 160):
        s = test_view[i]
        ev, text = explainer.explain(s.data, s.sample_id)
        x = explainer.model_input(s.data)
        target = explainer.classes.index(ev.action)
        base = _probability(explainer.model, x, target)
        frozen = _probability(explainer.model, freeze_joints(x, set_joints(ev.best_set, layout)), target)
        assert abs((base - frozen) - ev.used_drop) < 1e-3, s.sample_id
        if ev.used_parts:
            assert f"from {base:.0%} to {max(frozen, 0):.0%}" in text, (s.sample_id, text)
            assert set_words(ev.used_parts) in text
        t = x.shape[2]
        a, b = round(ev.span[0] * t), round(ev.span[1] * t)
        span_frozen = _probability(explainer.model, freeze_frames(x, a, b), target)
        assert abs((base - span_frozen) - ev.span_drop) < 1e-3, s.sample_id
        if ev.span_drop > 0:
            assert f"freezing that window drops it to {max(span_frozen, 0):.0%}" in text


def test_the_cited_set_ranks_first_by_the_criterion_unless_a_larger_one_gains_enough(shipped):
    """Within a size the cited set is the criterion's first; a pair is cited only when freezing it
    drops the probability by PAIR_GAIN more than the first single unit; the drop shown is the set's."""
    explainer, test_view = shipped
    layout = get_layout(explainer.layout)
    for i in range(5, len(test_view), 160):
        s = test_view[i]
        ev = explainer.evidence(s.data, s.sample_id)
        occ = occlude(explainer.model, explainer.model_input(s.data), layout)
        rank = occ.set_ranks(explainer.classes.index(ev.action), CRITERION)
        first = {n: max((c for c in rank if set_size(c) == n), key=rank.get) for n in (1, 2)}
        best = tuple(ev.best_set)
        assert best == first[set_size(best)], (s.sample_id, best, first)
        gain = ev.set_drops[set_key(first[2])] - ev.set_drops[set_key(first[1])]
        assert (set_size(best) == 2) == (gain >= PAIR_GAIN), (s.sample_id, best, gain)
        assert abs(ev.set_drops[set_key(best)] - ev.used_drop) < 1e-6
        assert (ev.used_parts == ev.best_set) == (ev.used_drop >= MIN_EFFECT)


def test_a_decision_resting_on_both_arms_is_cited_as_both_arms_and_hands(shipped):
    """a09_s06_e03_v03 (doffing): no single part moves it (2 points), both arms with their hands 93."""
    explainer, test_view = shipped
    s = test_view[test_view.find("a09_s06_e03_v03")]
    ev, text = explainer.explain(s.data, s.sample_id)
    assert max(ev.parts.values()) < 0.05
    assert ev.set_drops["left_arm+left_hand+right_arm+right_hand"] > 0.8
    assert ev.used_drop >= ev.set_drops["left_arm+left_hand+right_arm+right_hand"]
    assert "no one or two body parts" not in text


def test_pick_smallest_prefers_the_smaller_set_unless_the_larger_gains_the_margin():
    drops = {("a",): 0.50, ("b",): 0.20, ("a", "b"): 0.50 + PAIR_GAIN / 2}
    assert pick_smallest(drops, len) == (("a",), 0.50)
    drops[("a", "b")] = 0.50 + PAIR_GAIN
    assert pick_smallest(drops, len) == (("a", "b"), 0.50 + PAIR_GAIN)


def test_pick_smallest_ranks_by_the_criterion_and_returns_the_probability_drop():
    drops = {("a",): 0.50, ("b",): 0.45, ("a", "b"): 0.52}
    rank = {("a",): 1.0, ("b",): 3.0, ("a", "b"): 9.0}
    assert pick_smallest(drops, len, rank) == (("b",), 0.45)          # b ranks first; the pair gains < PAIR_GAIN
    drops[("a", "b")] = 0.45 + PAIR_GAIN
    assert pick_smallest(drops, len, rank) == (("a", "b"), 0.45 + PAIR_GAIN)


def test_the_criteria_measure_what_they_name_on_hand_computed_logits():
    base = np.array([3.0, 1.0, 0.0])
    frozen = np.array([[3.0, 1.0, 0.0],      # untouched: no drop by any criterion
                       [4.0, 2.0, 1.0],      # every logit up by 1: same probabilities, same margin, same centred logit
                       [2.0, 2.5, 0.0],      # class 1 overtakes: margin 2 -> -0.5
                       [1.0, -1.0, -2.0]])   # every logit down by 2
    assert np.allclose(margin_drop(base, frozen, 0), [0.0, 0.0, 2.5, 0.0])
    assert np.allclose(centred_logit_drop(base, frozen, 0), [0.0, 0.0, (3 - 4 / 3) - (2 - 4.5 / 3), 0.0])
    p = softmax(base)[0]
    assert np.allclose(probability_drop(base, frozen, 0), [0.0, 0.0, p - softmax(frozen[2])[0], 0.0])


class OneJointModel(torch.nn.Module):
    """Class 0's logit grows with how high joint ``j`` is on average: only that joint matters."""

    def __init__(self, j: int):
        super().__init__()
        self.j = j

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        height = x[:, :, :, self.j, 1].mean(dim=(1, 2))
        return torch.stack([8 * height, torch.zeros_like(height)], dim=1)


def test_occlusion_finds_the_one_joint_a_model_reads_and_the_window_it_moves_in():
    layout = get_layout("kinect-v1")
    right_hand = layout.parts["right_hand"][0]
    x = torch.zeros(1, 1, 32, layout.num_joints, 3)
    x[0, 0, 8:16, right_hand, 1] = torch.linspace(0, 1, 8)     # the hand rises in frames 8-15 and stays up
    x[0, 0, 16:, right_hand, 1] = 1.0
    x[0, 0, :, layout.parts["left_leg"][0], 0] = torch.linspace(0, 2, 32)   # a joint the model ignores moves a lot
    occ = occlude(OneJointModel(right_hand), x, layout)
    cited, drop = occ.cited_set(0)
    assert cited == ("right_hand",) and drop > 0.4
    (a, b), _ = occ.span(0)
    assert a <= 8 and b >= 16 and b - a <= 16


def test_the_margin_cites_the_part_that_lets_a_rival_win_not_the_one_that_blurs_every_class():
    """Freezing "leg" lifts eight classes a little (the target's probability drops 0.34, its margin
    1.5 nats); freezing "hand" lifts one rival nearly to the top (probability -0.19, margin -2.5):
    the probability cites the leg, the margin the hand."""
    base = np.array([3.0] + [0.0] * 9)
    occ = Occlusion(base, {("hand",): np.array([3.0, 2.5] + [0.0] * 8), ("leg",): np.array([3.0, 0.0] + [1.5] * 8)},
                    [(0, 1)], base[None], 1)
    assert occ.cited_set(0, "probability")[0] == ("leg",)
    hand, drop = occ.cited_set(0, "margin")
    assert hand == ("hand",) and abs(drop - (softmax(base)[0] - softmax(occ.set_logits[("hand",)])[0])) < 1e-9


def test_the_two_step_criterion_ranks_by_direction_only_among_the_sets_that_cost_most_of_the_probability():
    """Freezing "arm" lowers the target by 4 nats and lifts two rivals by 4 (the largest probability
    and margin drop: margin cites it); "hand" lowers the target by 4 and barely touches the rest
    (0.74 of 0.80: on the shortlist, and the most class-specific there); "leg" lowers only the
    target, by 1 nat (the purest direction, but 0.20: direction alone cites it, the shortlist drops it)."""
    base = np.array([3.0] + [0.0] * 5)
    sets = {("arm",): np.array([-1.0, 4, 4, 0, 0, 0]), ("hand",): np.array([-1.0, 0.3, 0, 0, 0, 0]),
            ("leg",): np.array([2.0, 0, 0, 0, 0, 0])}
    occ = Occlusion(base, sets, [(0, 1)], base[None], 1)
    drops = occ.set_drops(0)
    assert occ.cited_set(0, "margin")[0] == ("arm",)
    assert occ.cited_set(0, "direction")[0] == ("leg",)
    hand, drop = occ.cited_set(0, "direction@0.8")
    assert hand == ("hand",) and drop == drops[("hand",)] and drops[("hand",)] >= 0.8 * drops[("arm",)]
    assert occ.set_ranks(0, "direction@0.8")[("leg",)] == -np.inf
    assert occ.cited_set(0, "direction@0.95")[0] == ("arm",)        # hand's 0.74 is off a 0.95 shortlist
    assert occ.cited_set(0, "direction~0.1")[0] == ("hand",)         # 0.06 below the arm's drop
    assert occ.cited_set(0, "direction~0.05")[0] == ("arm",)
    assert CRITERION == f"direction~{MIN_EFFECT}"


def test_the_shortlist_is_per_size_and_keeps_everything_where_nothing_lowers_the_probability():
    drops = {("a",): 0.50, ("b",): 0.35, ("a", "b"): 0.90, ("a", "c"): 0.60, ("c",): -0.1, ("d",): -0.2}
    assert shortlist(drops, len, 0.7) == {("a",), ("b",), ("a", "b")}
    assert shortlist({("c",): -0.1, ("d",): -0.2}, len, 0.7) == {("c",), ("d",)}
    assert shortlist(drops, len, within=0.2) == {("a",), ("b",), ("a", "b")}
    assert shortlist(drops, len, within=0.1) == {("a",), ("a", "b")}
    assert parse_criterion("direction@0.8") == ("direction", 0.8, None)
    assert parse_criterion("direction~0.05") == ("direction", None, 0.05)
    assert parse_criterion("margin") == ("margin", None, None)
    with pytest.raises(ValueError):
        parse_criterion("energy@0.8")


def test_candidates_hold_every_unit_and_pair_once_and_windows_cover_the_clip():
    sets = candidate_sets(get_layout("kinect-v1"))
    assert ("left_arm", "left_hand", "right_arm", "right_hand") in sets and ("torso",) in sets
    assert len({tuple(js) for js in sets.values()}) == len(sets)            # no set twice
    assert set_size(("left_arm", "left_hand", "right_arm", "right_hand")) == 2
    assert set_size(("left_arm", "right_arm")) == 2 and set_size(("right_arm", "right_hand")) == 1
    windows = time_windows(32)
    assert {b - a for a, b in windows} == {8, 16}
    assert min(a for a, _ in windows) == 0 and max(b for _, b in windows) == 32
    assert time_windows(5) and all(0 <= a < b <= 5 for a, b in time_windows(5))


def test_an_unmoved_input_cites_no_set_and_says_so(shipped):
    explainer, test_view = shipped
    s = test_view[0]
    still = np.repeat(s.data[:, :1], 30, axis=1)
    ev = explainer.evidence(still, "still")
    assert ev.used_parts == [] and abs(ev.used_drop) < MIN_EFFECT
    assert "no one or two body parts carry it" in template_explanation(ev)
