"""The general dataset and model (issue 42.2/42.3): merged classes, the 2D view of 3D data, class texts."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from actlm.data import Sample
from actlm.data.layouts import BODY_13, get_layout
from actlm.data.merged import (CLASSES, OWN_TEXTS, PURLS_TEXTS, KeypointNoise, Project2D, merged_label, sbu_persons,
                               to_common_body, write_class_texts)
from actlm.data.errors import DataError

CONFIG_DIR = Path(__import__("actlm").__file__).parent / "configs" / "general"


def test_every_source_class_has_exactly_one_merged_class():
    from actlm.data import msrc12, nwucla, penn, sbu, utdmhad
    sources = {"nw-ucla": nwucla.CLASSES, "utd-mhad": utdmhad.CLASSES, "penn-action": penn.CLASSES,
               "sbu": sbu.CLASSES, "msrc-12": msrc12.CLASSES}
    members = [pair for pairs in CLASSES.values() for pair in pairs]
    assert len(members) == len(set(members))
    assert sorted(members) == sorted((d, c) for d, names in sources.items() for c in names)
    # the same action in two datasets is one class
    assert merged_label("nw-ucla", "throw") == merged_label("utd-mhad", "throw") == merged_label("msrc-12", "throw")
    assert merged_label("utd-mhad", "tennis serve") == merged_label("penn-action", "tennis serve")
    assert merged_label("nw-ucla", "sit down") == merged_label("utd-mhad", "stand to sit")
    with pytest.raises(DataError, match="penn-action class 'juggling'"):
        merged_label("penn-action", "juggling")


def test_every_class_has_one_written_description_source():
    assert set(PURLS_TEXTS) | set(OWN_TEXTS) == set(CLASSES)
    assert not set(PURLS_TEXTS) & set(OWN_TEXTS)


def test_shipped_class_texts_are_the_generated_ones(tmp_path):
    pytest.importorskip("openpyxl")
    from actlm.paths import data_root
    if not (data_root() / "descriptions" / "purls_gpt3_desc.xlsx").is_file():
        pytest.skip("PURLS descriptions not in the shared data")
    fresh = write_class_texts(tmp_path / "classes.yaml")
    assert fresh.read_text() == (CONFIG_DIR / "classes.yaml").read_text()


def test_penn_becomes_y_up_and_flat():
    penn = get_layout("penn-13")
    image = np.random.default_rng(0).uniform(10, 200, size=(1, 4, 13, 2)).astype(np.float32)
    body = to_common_body(image, penn, "penn-action")
    assert body.shape == (1, 4, 13, 3)
    assert np.array_equal(body[..., 1], -image[..., 1]) and not body[..., 2].any()


def test_front_view_gives_image_coordinates_and_2d_passes():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 6, 13, 3)).astype(np.float32)
    x[0, 5] = 0                                               # an empty frame stays empty
    front = Project2D()(x, rng)
    assert front.shape == (1, 6, 13, 2)
    assert np.allclose(front[0, :5, :, 0], x[0, :5, :, 0]) and np.allclose(front[0, :5, :, 1], -x[0, :5, :, 1])
    assert not front[0, 5].any()
    assert Project2D(yaw=60)(front, rng) is front            # a video's 2D keypoints are image coordinates


def test_random_views_turn_3d_but_only_roll_flat_data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 5, 13, 3)).astype(np.float32)
    turned = Project2D(yaw=80)(x, rng)
    assert not np.allclose(turned[..., 0], x[..., 0])         # x changes with the yaw
    assert np.allclose(turned[..., 1], -x[..., 1], atol=1e-5)  # a pure yaw keeps the height
    flat = x.copy()
    flat[..., 2] = 0
    assert np.allclose(Project2D(yaw=80)(flat, rng)[..., 0], flat[..., 0])


def test_keypoint_noise_keeps_absent_persons_absent():
    x = np.ones((2, 20, 13, 2), np.float32)
    x[1] = 0
    out = KeypointNoise(std=0.05, drop=0.5)(x, np.random.default_rng(0))
    assert not out[1].any() and 0 < np.abs(out[0] - 1).mean() < 0.2


def test_sbu_one_sided_interactions_keep_the_actor():
    body = np.zeros((2, 10, 13, 3), np.float32)
    body[:, :, :, 1] = 1.0
    ankle = BODY_13.index("right_ankle")
    body[1, :, ankle, 0] = np.linspace(0, 1, 10)            # person 2 kicks
    sample = Sample(body, 0, "s")
    assert sbu_persons(sample, "kicking", body) == [1]
    assert sbu_persons(sample, "hugging", body) == [0, 1]
