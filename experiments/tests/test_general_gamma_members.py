"""experiments/general_gamma_members.py: the statistics by hand, and that the members' mean cosine it
inspects is the quantity the shipped ensemble's open-vocabulary scores (and so its gamma) act on."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from experiments.general_gamma_members import CHECKPOINT, compare, cosines_of, member_directions, scale_stats


def test_scale_stats_by_hand():
    cosines = np.array([[0.5, 0.1, 0.3],     # label 0: top 0.5, rest mean 0.2, second 0.3
                        [0.2, 0.6, 0.1]])    # label 2: top 0.6, true 0.1, rest mean 0.15, second 0.2
    stats = scale_stats(cosines, np.array([0, 2]))
    assert stats["top"]["median"] == pytest.approx(0.55)
    assert stats["true_class"]["median"] == pytest.approx(0.3)
    assert stats["rest_mean"]["median"] == pytest.approx(0.175)
    assert stats["top_minus_rest"]["median"] == pytest.approx(0.375)
    assert stats["top_minus_second"]["median"] == pytest.approx(0.3)
    assert stats["top1_train"] == 0.5 and stats["samples"] == 2


def test_compare_sees_a_member_on_another_scale():
    rng = np.random.default_rng(0)
    joint = rng.normal(0, 0.05, (2, 40, 5))
    labels = np.arange(40) % 5
    joint[:, np.arange(40), labels] += 0.5
    same = compare(np.concatenate([joint, joint[:1]]), labels)
    assert same["ratio all / joint"]["top"] == pytest.approx(1.0, abs=0.03)
    halved = compare(np.concatenate([joint, joint[:1] * 0.1]), labels)   # a third member with small cosines
    assert halved["ratio all / joint"]["top_minus_rest"] < 0.8


def test_member_mean_is_the_ensembles_open_vocabulary_cosine():
    from actlm.engine import load_checkpoint
    from actlm.language.open_vocab import OpenVocabScorer

    model, _ = load_checkpoint(CHECKPOINT)
    class_text = torch.randn(7, model.class_text.shape[1], generator=torch.Generator().manual_seed(0))
    x = torch.randn(3, 1, 32, 13, 2, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        ours = cosines_of(model, member_directions(model, class_text), x)
        shipped = OpenVocabScorer(model, class_text).eval().raw(x) / model.logit_scale.exp()
    assert ours.shape == (len(model.members), 3, 7)
    assert torch.allclose(ours.mean(0), shipped, atol=1e-5)
