"""experiments/facts_wave_utd.py: its turn-back count on made-up signals, and its reading of one real wave."""
import numpy as np
import pytest

from experiments import facts_wave_utd as wave


def test_turn_backs_count_only_swings_that_clear_the_size_both_ways():
    x = np.array([0, 3, 6, 3, 0, 3, 6, 5, 6, 0], float) / 100       # out 6 cm, back, out, a 1-cm wobble, back
    assert wave.turn_backs(x, 0.02) == [2, 4, 6]                     # the wobble is no turn; its extreme is the first 6
    assert wave.turn_backs(x, 0.07) == []


def test_jitter_of_a_smooth_swing_is_small_and_of_white_noise_its_spread():
    t = np.arange(300)
    assert wave.jitter(0.05 * np.sin(2 * np.pi * t / 30)) < 0.002    # a 1 Hz, 10-cm swing at 30 frames/s
    noise = np.random.default_rng(0).normal(0, 0.01, 3000)
    assert 0.008 < wave.jitter(noise) < 0.012


def test_the_table_reads_a_caught_small_wave_and_agrees_with_the_detector(shared_data, monkeypatch):
    if not (shared_data / "utd-mhad" / "a3_s8_t3_skeleton.mat").exists():
        pytest.skip("UTD-MHAD not found")
    monkeypatch.setenv("ACTLM_DATA", str(shared_data))
    row = wave.table(["a3_s8_t3"]).splitlines()[-1]        # the script asserts its verdict is read_motion's
    assert row.startswith("| a3_s8_t3 |") and row.endswith("| wave |")
