"""Config-built transform pipelines: determinism, normalisation, streams, persons, layouts."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from actlm.data import SkeletonSet, get_layout
from actlm.data.loader import SkeletonDataset
from actlm.data.errors import ConfigError
from actlm.data.transforms import SpineAlign, Stream, build_pipeline

TRAIN = [{"type": "SpineAlign"}, {"type": "RandomRotate", "degrees": 15}, {"type": "RandomScale", "amount": 0.1},
         {"type": "RandomShear", "amount": 0.2}, {"type": "ValidCropResize", "length": 32, "ratio": [0.5, 1.0]},
         {"type": "Stream", "kind": "bone_motion"}]


def test_spine_align_gives_an_upright_unit_body(ucla_prepared):
    lay = get_layout("kinect-v1")
    x = SkeletonSet(ucla_prepared)[0].data
    y = SpineAlign(lay)(x, np.random.default_rng(0))
    np.testing.assert_allclose(y[0, 0, lay.center[0]], 0, atol=1e-5)
    spine = y[0, :, lay.spine_top[0]] - y[0, :, lay.spine_bottom[0]]
    assert np.linalg.norm(spine, axis=-1).mean() == pytest.approx(1.0, rel=1e-4)
    assert spine[:, 1].mean() > 0.95 and abs(spine[:, 0].mean()) < 0.05
    across = y[0, 0, lay.left_shoulder] - y[0, 0, lay.right_shoulder]
    assert across[0] > 0 and abs(across[2]) < 1e-4
    # shoulders="mean": the shoulder line averaged over the frames is the x axis instead
    mean = SpineAlign(lay, shoulders="mean")(x, np.random.default_rng(0))
    across = (mean[0, :, lay.left_shoulder] - mean[0, :, lay.right_shoulder]).mean(axis=0)
    assert across[0] > 0 and abs(across[2]) < 1e-4
    assert abs((y[0, :, lay.left_shoulder] - y[0, :, lay.right_shoulder]).mean(axis=0)[2]) > 1e-3
    with pytest.raises(ConfigError, match="shoulders"):
        build_pipeline([{"type": "SpineAlign", "shoulders": "last"}], "kinect-v1")


def test_pipeline_is_deterministic_under_a_seed(ucla_prepared):
    ds = SkeletonSet(ucla_prepared).subset(range(8))
    a, b = SkeletonDataset(ds, TRAIN, seed=3), SkeletonDataset(ds, TRAIN, seed=3)
    for i in range(8):
        torch.testing.assert_close(a[i][0], b[i][0], rtol=0, atol=0)
    assert a[0][0].shape == (1, 32, 20, 3)
    other_epoch = SkeletonDataset(ds, TRAIN, seed=3)
    other_epoch.set_epoch(1)
    assert not torch.equal(a[0][0], other_epoch[0][0])


def test_valid_crop_resize_jitter_reads_the_window_at_sorted_random_times():
    x = np.zeros((1, 40, 20, 3), np.float32)
    x[0, :30] = np.arange(30, dtype=np.float32)[:, None, None] + 1   # 30 valid frames, then padding
    even = build_pipeline([{"type": "ValidCropResize", "length": 16}], "kinect-v1")(x, np.random.default_rng(0))
    np.testing.assert_allclose(even[0, :, 0, 0], np.linspace(1, 30, 16), rtol=1e-6)
    jitter = build_pipeline([{"type": "ValidCropResize", "length": 16, "jitter": True}], "kinect-v1")
    runs = [jitter(x, np.random.default_rng(seed))[0, :, 0, 0] for seed in range(3)]
    for times in runs:   # the frame value is its time: ascending, inside the valid frames, not evenly spaced
        assert times.shape == (16,) and np.all(np.diff(times) >= 0) and 1 <= times.min() and times.max() <= 30
        assert np.diff(times).std() > 0.1
    assert not np.allclose(runs[0], runs[1])


def test_valid_crop_resize_loop_keeps_short_windows_at_their_recorded_speed():
    x = np.zeros((1, 40, 20, 3), np.float32)
    x[0, :10] = np.arange(10, dtype=np.float32)[:, None, None] + 1   # 10 valid frames
    loop = build_pipeline([{"type": "ValidCropResize", "length": 16, "short": "loop"}], "kinect-v1")
    np.testing.assert_array_equal(loop(x, np.random.default_rng(0))[0, :, 0, 0], [*range(1, 11), *range(1, 7)])
    x[0, :30] = np.arange(30, dtype=np.float32)[:, None, None] + 1   # longer than 16: resized as before
    np.testing.assert_allclose(loop(x, np.random.default_rng(0))[0, :, 0, 0], np.linspace(1, 30, 16), rtol=1e-6)
    with pytest.raises(ConfigError, match="short"):
        build_pipeline([{"type": "ValidCropResize", "length": 16, "short": "pad"}], "kinect-v1")


def test_min_max_normalize_fills_the_unit_cube_and_leaves_absent_persons_zero(ucla_prepared):
    x = SkeletonSet(ucla_prepared)[0].data
    two = np.concatenate([x, np.zeros_like(x)])                  # a second, absent person
    two[1, :3] = x[0, :3] * 0.5 + 7                               # ... present for 3 frames only
    rng = np.random.default_rng(0)
    per_axis = build_pipeline([{"type": "MinMaxNormalize"}], "kinect-v1")
    y = per_axis(two, rng)
    points = y.reshape(-1, 3)[np.abs(two).sum(-1).reshape(-1) > 0]
    np.testing.assert_allclose(points.min(axis=0), -1, atol=1e-6)
    np.testing.assert_allclose(points.max(axis=0), 1, atol=1e-6)
    assert not y[1, 3:].any()
    # a score channel is kept as it is
    scored = np.concatenate([x, np.full(x.shape[:-1] + (1,), 0.8, np.float32)], axis=-1)
    np.testing.assert_allclose(per_axis(scored, rng)[..., 3], 0.8, rtol=1e-6)
    np.testing.assert_allclose(per_axis(scored, rng)[..., :3], per_axis(x, rng), atol=1e-6)
    # per axis: an anisotropic stretch of the input gives the same output; the isotropic variant keeps proportions
    stretched = x * np.array([3.0, 0.5, 2.0], np.float32)
    np.testing.assert_allclose(per_axis(stretched, rng), per_axis(x, rng), atol=1e-5)
    iso = build_pipeline([{"type": "MinMaxNormalize", "per_axis": False}], "kinect-v1")(x, rng)
    extent = iso.reshape(-1, 3).max(axis=0) - iso.reshape(-1, 3).min(axis=0)
    raw = x.reshape(-1, 3).max(axis=0) - x.reshape(-1, 3).min(axis=0)
    assert extent.max() == pytest.approx(2.0, rel=1e-5)
    np.testing.assert_allclose(extent / extent.max(), raw / raw.max(), rtol=1e-4)


def test_mirror_order_pairs_the_sides_of_every_layout():
    for name in ("kinect-v1", "kinect-v2", "coco-17", "blazepose-33"):
        lay = get_layout(name)
        order = lay.mirror_order()
        np.testing.assert_array_equal(order[order], np.arange(lay.num_joints))
        for i, j in enumerate(order):
            swapped = lay.joints[i].replace("left", "@").replace("right", "left").replace("@", "right")
            assert lay.joints[j] == swapped
        # a bone's mirror is the mirrored joint's bone: flipping commutes with the bone stream
        np.testing.assert_array_equal(lay.parents()[order], order[lay.parents()])
    blaze = get_layout("blazepose-33")
    assert blaze.mirror_order()[blaze.index("mouth_left")] == blaze.index("mouth_right")


def test_random_flip_mirrors_the_performance_in_place(ucla_prepared):
    lay = get_layout("kinect-v1")
    x = SkeletonSet(ucla_prepared)[0].data
    rng = np.random.default_rng(0)
    flip = build_pipeline([{"type": "RandomFlip", "p": 1.0}], "kinect-v1")
    y = flip(x, rng)
    left, right = lay.index("left_hand"), lay.index("right_hand")
    axis = x[0, 0, lay.center[0], 0]
    np.testing.assert_allclose(y[0, :, left, 0], 2 * axis - x[0, :, right, 0], atol=1e-5)
    np.testing.assert_allclose(y[0, :, left, 1:], x[0, :, right, 1:])
    np.testing.assert_allclose(y[0, 0, lay.center[0]], x[0, 0, lay.center[0]], atol=1e-6)   # stays in place
    np.testing.assert_allclose(flip(y, rng), x, atol=1e-5)                                  # an involution
    # after SpineAlign the body's left side (+x) becomes its right side and the bone stream flips alike
    aligned = SpineAlign(lay)(x, rng)
    flipped = flip(aligned, rng)
    assert (flipped[0, 0, lay.left_shoulder] - flipped[0, 0, lay.right_shoulder])[0] > 0
    bones = Stream(lay, "bone")
    expect = bones(aligned, rng)[:, :, lay.mirror_order()] * np.array([-1, 1, 1], np.float32)
    np.testing.assert_allclose(bones(flipped, rng), expect, atol=1e-5)
    # never with p=0; about half the time with p=0.5; an absent person stays zero; a score channel is kept
    assert build_pipeline([{"type": "RandomFlip", "p": 0.0}], "kinect-v1")(x, rng) is x
    half = build_pipeline([{"type": "RandomFlip"}], "kinect-v1")
    changed = [not np.array_equal(half(x, np.random.default_rng(s)), x) for s in range(200)]
    assert 0.4 < np.mean(changed) < 0.6
    two = np.concatenate([x, np.zeros_like(x)])
    assert not flip(two, rng)[1].any()
    scored = np.concatenate([x, np.linspace(0, 1, x.shape[2], dtype=np.float32)[None, None, :, None]
                             .repeat(x.shape[1], 1)], axis=-1)
    np.testing.assert_allclose(flip(scored, rng)[..., 3], scored[..., 3][:, :, lay.mirror_order()])


def test_random_flip_back_gives_the_skeleton_of_a_performer_seen_from_behind(ucla_prepared):
    lay = get_layout("kinect-v1")
    rng = np.random.default_rng(0)
    back = build_pipeline([{"type": "SpineAlign"}, {"type": "RandomFlip", "p": 1.0, "kind": "back"}], "kinect-v1")
    x = SkeletonSet(ucla_prepared)[0].data
    aligned, y = SpineAlign(lay)(x, rng), back(x, rng)
    order = lay.mirror_order()
    np.testing.assert_allclose(y, aligned[:, :, order] * np.array([-1, 1, -1], np.float32), atol=1e-5)
    # still a body frame (left shoulder at +x), but what was in front of the body is now behind it
    assert (y[0, 0, lay.left_shoulder] - y[0, 0, lay.right_shoulder])[0] > 0
    hands = [lay.index("left_hand"), lay.index("right_hand")]
    forward = (aligned[0][:, hands, 2] - aligned[0][:, [lay.center[0]], 2]).mean()
    assert np.sign((y[0][:, hands, 2] - y[0][:, [lay.center[0]], 2]).mean()) == -np.sign(forward)
    # on 2D input only x can be reflected: the same as a mirror
    flat = x[..., :2]
    mirror = build_pipeline([{"type": "RandomFlip", "p": 1.0}], "kinect-v1")
    two_d_back = build_pipeline([{"type": "RandomFlip", "p": 1.0, "kind": "back"}], "kinect-v1")
    np.testing.assert_allclose(two_d_back(flat, rng), mirror(flat, rng))
    with pytest.raises(ConfigError, match="kind"):
        build_pipeline([{"type": "RandomFlip", "kind": "upside-down"}], "kinect-v1")


def test_random_arm_depth_flip_puts_one_hand_behind_the_body(ucla_prepared):
    lay = get_layout("kinect-v1")
    x = SkeletonSet(ucla_prepared)[0].data
    aligned = SpineAlign(lay)(x, np.random.default_rng(0))
    flip = build_pipeline([{"type": "SpineAlign"}, {"type": "RandomArmDepthFlip", "p": 1.0}], "kinect-v1")
    y = flip(x, np.random.default_rng(0))
    arms = [lay.index(n) for n in ("left_elbow", "left_wrist", "left_hand", "right_elbow", "right_wrist", "right_hand")]
    rest = [j for j in range(lay.num_joints) if j not in arms]
    np.testing.assert_array_equal(y[..., rest, :], aligned[..., rest, :])      # torso, legs, shoulders kept
    np.testing.assert_array_equal(y[..., arms, :2], aligned[..., arms, :2])    # only depth changes
    for side in ("left", "right"):
        shoulder, hand = lay.index(f"{side}_shoulder"), lay.index(f"{side}_hand")
        np.testing.assert_allclose(y[0, :, hand, 2] - y[0, :, shoulder, 2],
                                   -(aligned[0, :, hand, 2] - aligned[0, :, shoulder, 2]), atol=1e-5)
    twice = build_pipeline([{"type": "RandomArmDepthFlip", "p": 1.0}], "kinect-v1")
    np.testing.assert_allclose(twice(y, np.random.default_rng(1)), aligned, atol=1e-5)   # an involution
    # p=0 and 2D input: unchanged; p=0.5: each side on its own, so some draws flip one arm only
    assert build_pipeline([{"type": "RandomArmDepthFlip", "p": 0.0}], "kinect-v1")(aligned, np.random.default_rng(0)) is aligned
    flat = aligned[..., :2]
    np.testing.assert_array_equal(twice(flat, np.random.default_rng(0)), flat)
    half = build_pipeline([{"type": "RandomArmDepthFlip", "p": 0.5}], "kinect-v1")
    left, right = lay.index("left_hand"), lay.index("right_hand")
    flipped = [tuple(~np.isclose(half(aligned, np.random.default_rng(s))[0, :, [left, right], 2], aligned[0, :, [left, right], 2]).all(axis=1))
               for s in range(40)]
    assert {(True, False), (False, True), (True, True), (False, False)} <= set(flipped)
    # an absent second person stays zero
    two = np.concatenate([aligned, np.zeros_like(aligned)])
    assert not twice(two, np.random.default_rng(0))[1].any()


def test_streams():
    lay = get_layout("kinect-v1")
    x = np.random.default_rng(0).normal(size=(1, 6, 20, 3)).astype(np.float32)
    rng = np.random.default_rng(0)
    bone = Stream(lay, "bone")(x, rng)
    child, parent = lay.bones[3]
    np.testing.assert_allclose(bone[0, :, child], x[0, :, child] - x[0, :, parent])
    assert not bone[:, :, lay.root].any()
    motion = Stream(lay, "joint_motion")(x, rng)
    np.testing.assert_allclose(motion[0, 2], x[0, 3] - x[0, 2])
    assert not motion[:, -1].any()
    with pytest.raises(ValueError, match="unknown stream"):
        Stream(lay, "velocity")


def test_absent_person_stays_zero_and_padding():
    x = np.zeros((2, 10, 25, 3), np.float32)
    x[0] = np.random.default_rng(0).normal(size=(10, 25, 3))
    pipe = build_pipeline(TRAIN[:4] + [{"type": "UniformSample", "length": 16}, {"type": "PadPersons", "persons": 3}],
                          "kinect-v2")
    y = pipe(x, np.random.default_rng(0))
    assert y.shape == (3, 16, 25, 3) and y[0].any() and not y[1:].any()


def test_map_layout_and_unknown_transform():
    pipe = build_pipeline([{"type": "MapLayout", "source": "blazepose-33", "target": "kinect-v1"}], "blazepose-33")
    assert pipe(np.ones((1, 4, 33, 3), np.float32), np.random.default_rng(0)).shape == (1, 4, 20, 3)
    with pytest.raises(ValueError, match="unknown transform 'Flip'"):
        build_pipeline([{"type": "Flip"}], "coco-17")
    with pytest.raises(ValueError, match="RandomRotate"):
        build_pipeline([{"type": "RandomRotate", "degres": 3}], "coco-17")


def test_transforms_after_map_layout_use_the_target_layout():
    """coco-17 mapped to kinect-v1, then the bone stream: bones of the 20-joint layout."""
    x = np.random.default_rng(0).normal(size=(1, 8, 17, 3)).astype(np.float32)
    pipe = build_pipeline([{"type": "MapLayout", "source": "coco-17", "target": "kinect-v1"},
                           {"type": "Stream", "kind": "bone"}], "coco-17")
    out = pipe(x, np.random.default_rng(0))
    mapped = build_pipeline([{"type": "MapLayout", "source": "coco-17", "target": "kinect-v1"}], "coco-17")(
        x, np.random.default_rng(0))
    child, parent = get_layout("kinect-v1").bones[0]
    assert out.shape == (1, 8, 20, 3)
    np.testing.assert_allclose(out[..., child, :], mapped[..., child, :] - mapped[..., parent, :], atol=1e-6)


def test_spine_align_keeps_a_degenerate_spine_from_blowing_up_the_scale():
    """Hips and shoulders annotated at one point (Penn Action close-ups) gave a spine of ~1e-4 and
    coordinates of ~470 body sizes; the body's extent stands in for it."""
    from actlm.data.transforms import SpineAlign

    rng = np.random.default_rng(0)
    x = rng.normal(0, 100, size=(1, 20, 13, 3)).astype(np.float32)
    x[..., 2] = 0
    x[0, :, [1, 2, 7, 8]] = x[0, :, [1]] + 1e-4          # shoulders and hips at one place
    out = SpineAlign("body-13")(x, rng)
    assert np.isfinite(out).all() and np.abs(out).max() < 20
    normal = rng.normal(0, 100, size=(1, 20, 13, 3)).astype(np.float32)
    scaled = SpineAlign("body-13", rotate=False)(normal, rng)[0]
    spine = np.linalg.norm(scaled[:, [1, 2]].mean(1) - scaled[:, [7, 8]].mean(1), axis=-1).mean()
    assert abs(spine - 1.0) < 1e-4                        # an ordinary spine is still the unit
