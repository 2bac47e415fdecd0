"""HGLNet's building blocks: the fast temporal pooling helpers equal the torch operators they replace,
and the network runs on every layout (20, 25, 17, 33 joints; 1 or 2 persons; 2D or 3D)."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from actlm.data import get_layout
from actlm.encoder.hglnet import HGLNet, max_pool_time, mean_pool_time


@pytest.mark.parametrize("frames", [13, 16])
@pytest.mark.parametrize("stride", [1, 2])
def test_max_pool_time_equals_max_pool2d_with_and_without_autograd(frames, stride):
    x = torch.randn(2, 6, frames, 5)
    reference = F.max_pool2d(x, (3, 1), (stride, 1), (1, 0))
    with torch.no_grad():
        assert torch.equal(max_pool_time(x, stride), reference)
    xg = x.clone().requires_grad_()
    out = max_pool_time(xg, stride)
    out.sum().backward()
    assert torch.equal(out.detach(), reference) and xg.grad is not None


@pytest.mark.parametrize("frames", [12, 13, 14])
@pytest.mark.parametrize("stride", [2, 3])
def test_mean_pool_time_equals_ceil_mode_avg_pool2d(frames, stride):
    x = torch.randn(2, 6, frames, 5, requires_grad=True)
    reference = F.avg_pool2d(x, (stride, 1), (stride, 1), ceil_mode=True)
    out = mean_pool_time(x, stride)
    torch.testing.assert_close(out, reference)
    grad_ours, = torch.autograd.grad(out.square().sum(), x)
    grad_ref, = torch.autograd.grad(reference.square().sum(), x)
    torch.testing.assert_close(grad_ours, grad_ref)


@pytest.mark.parametrize("layout,persons,channels", [("kinect-v1", 1, 3), ("kinect-v2", 2, 3),
                                                     ("coco-17", 2, 2), ("blazepose-33", 1, 3)])
def test_hglnet_runs_on_every_layout_and_trains(layout, persons, channels):
    joints = get_layout(layout).num_joints
    model = HGLNet(5, layout, channels, persons, stages=[[16, 1, 1], [32, 1, 2]], groups=4, heads=2)
    x = torch.randn(3, persons, 15, joints, channels)   # odd length: the strided stage's short last window
    logits = model(x)
    assert logits.shape == (3, 5)
    F.cross_entropy(logits, torch.tensor([0, 1, 2])).backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)
    model.eval()
    with torch.no_grad():
        a = model(x)
    with torch.inference_mode():
        b = model(x)
    torch.testing.assert_close(a, b)
    with pytest.raises(ValueError, match=f"{joints} joints"):
        model(torch.randn(1, persons, 15, joints + 1, channels))
