"""The MSRC-12 online detector's firing rule and its matching to action points."""
import numpy as np

from experiments.msrc12_online import detections, fire, match


def test_fire_is_causal_with_hysteresis_and_refractory():
    times = np.arange(12) * 0.1
    signal = np.array([0.1, 0.8, 0.9, 0.6, 0.8, 0.2, 0.9, 0.95, 0.1, 0.1, 0.9, 0.1])
    # rises at 1; 0.6 is not below 0.7 - 0.2, so 4 does not fire again; re-armed at 5, fires at 6
    assert fire(signal, times, on=0.7, gap=0.2, refractory=0.0).tolist() == [1, 6, 10]
    # a refractory of 0.6 s keeps 6 (0.5 s after 1) silent: the still-high 7 fires instead, and 10
    # (0.3 s after 7) stays silent
    assert fire(signal, times, on=0.7, gap=0.2, refractory=0.6).tolist() == [1, 7]
    # the past decides: changing the future leaves earlier firings as they were
    later = signal.copy()
    later[8:] = 0.99
    assert fire(later, times, 0.7, 0.2, 0.0).tolist()[:2] == [1, 6]


def test_match_counts_each_action_point_once_and_only_the_right_gesture():
    found = [(1.0, 3), (1.1, 3), (2.9, 5), (3.2, 3), (9.0, 3)]
    points = np.array([1.05, 3.0, 6.0])
    hits, delays = match(found, points, gesture=3, tolerance=0.5)
    assert hits == 2                      # 1.05 <- 1.0, 3.0 <- 3.2; the other gesture's 2.9 does not count
    assert np.allclose(delays, [-0.05, 0.2])
    assert match(found, points, gesture=3, tolerance=0.1)[0] == 1


def test_detections_renormalise_among_gestures_only_when_asked():
    score = {"ends": np.array([0, 1, 2]), "motion": np.zeros(3),
             "probs": np.array([[0.05, 0.05], [0.4, 0.05], [0.05, 0.05]], dtype=np.float32)}
    times = np.array([0.0, 0.1, 0.2])
    assert detections(score, times, on=0.8, gap=0.1, refractory=0.0) == [(0.1, 0)]          # 0.4/0.45 = 0.89
    assert detections(score, times, on=0.8, gap=0.1, refractory=0.0, among_gestures=False) == []
