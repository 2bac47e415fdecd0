"""HGLNet: the skeleton encoder of HocSLM, readable top to bottom.

    x (N, M, T, V, C)
      -> input norm + joint embedding               (N*M, C0, T, V)
      -> stage 1..S, each a stack of HGLBlocks:
            CompositeTopologyGC   spatial: physical prior + learned global + sample-dependent topology
            DualPathTemporal      temporal: local multi-scale convolutions || global self-attention, fused
            (+ residual)
         the first block of a stage may halve T, so global and local temporal modelling
         happen at several temporal resolutions (the "hierarchical" part)
      -> mean over T, V and persons -> features (N, D) -> linear classifier (N, K)

Design choices where the HocSLM description is silent (each with its reason):

* Spatial module = ONE 1x1 projection followed by topology aggregation per channel group
  (decoupled graph convolution), instead of one projection per adjacency subset (ST-GCN,
  CTR-GCN). On a CPU the 1x1 projections are the bill; aggregation over V=20..33 joints is
  cheap, so giving every channel group its own composite topology costs little and keeps the
  expressiveness of per-channel topologies.
* Physical prior = the three ST-GCN partitions (self, towards the root, away from the root),
  row-normalised and mixed with learnable per-group weights: direction along the kinematic
  chain matters for actions (a hand moving away from the body vs. towards it).
* Learned global topology = a free (G, V, V) parameter per block, zero-initialised, so training
  starts from the physical graph and learns long-range links (hand-to-head, hand-to-foot).
* Sample-dependent topology = per group, joint queries and keys from the time-averaged features,
  ``tanh(q_i . k_j / sqrt(d))``, scaled by a learned gate starting at 0 (signed, bounded edges
  as in CTR-GCN's refinement; the zero gate keeps early training stable).
* Local temporal path = MS-TCN-style branches (kernel 5 with dilation 1 and 2, max-pool, 1x1);
  global temporal path = multi-head self-attention over time per joint on a quarter of the
  channels with a learned relative-position bias, computed after the stride (cheap, and T is
  small by then). Fusion = a per-channel soft selection between the two paths (selective-
  kernel style), so each channel decides how local or global it is.
* Persons are encoded independently and averaged at the end (as in ST-GCN/CTR-GCN): it works
  for 1 or 2 persons and for any layout from the data layer (20, 25, 17, 33 joints; 2D or 3D).
"""
from __future__ import annotations

import functools
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..data.layouts import Layout, get_layout

#: the input streams a model computes inside itself from the joints it is fed (``stream``): a
#: bone-stream member of an ensemble then reads the same joint input as its joint-stream members
MODEL_STREAMS = ("joint", "bone")


# --- graph prior ---------------------------------------------------------------------------
def partition_prior(layout: Layout) -> np.ndarray:
    """(3, V, V) spatial partitions: identity, inward (towards root), outward; row-normalised."""
    v = layout.num_joints
    inward = np.zeros((v, v), dtype=np.float32)
    for child, parent in layout.bones:
        inward[child, parent] = 1.0
    outward = inward.T.copy()

    def row_norm(a: np.ndarray) -> np.ndarray:
        deg = a.sum(axis=1, keepdims=True)
        return np.divide(a, deg, out=np.zeros_like(a), where=deg > 0)

    return np.stack([np.eye(v, dtype=np.float32), row_norm(inward), row_norm(outward)])


# --- spatial module --------------------------------------------------------------------------
class CompositeTopologyGC(nn.Module):
    """Graph convolution whose topology = physical prior + learned global + sample-dependent.

    Output channels are split into ``groups``; every group aggregates over joints with its own
    (V, V) topology. x: (B, C_in, T, V) -> (B, C_out, T, V).
    """

    def __init__(self, in_channels: int, out_channels: int, prior: np.ndarray, groups: int = 8,
                 rel_channels: int = 8):
        super().__init__()
        if out_channels % groups:
            raise ValueError(f"out_channels {out_channels} not divisible by groups {groups}")
        k, v, _ = prior.shape
        self.groups = groups
        self.register_buffer("prior", torch.tensor(prior), persistent=False)       # (K, V, V), from the layout
        self.prior_mix = nn.Parameter(torch.ones(groups, k))                         # per-group partition weights
        self.global_topology = nn.Parameter(torch.zeros(groups, v, v))               # shared by all samples
        self.query_key = nn.Conv2d(in_channels, 2 * groups * rel_channels, 1)
        self.dynamic_gate = nn.Parameter(torch.zeros(1))                             # starts at the static graph
        self.rel_channels = rel_channels
        self.project = nn.Conv2d(in_channels, out_channels, 1)
        self.bn = nn.BatchNorm2d(out_channels)

    def topology(self, x: torch.Tensor) -> torch.Tensor:
        """(B, G, V, V) composite topology for this batch."""
        static = torch.einsum("gk,kvu->gvu", self.prior_mix, self.prior) + self.global_topology
        pooled = x.mean(dim=2, keepdim=True)                                         # (B, C, 1, V)
        b, v = x.shape[0], x.shape[-1]
        q, k = self.query_key(pooled).view(b, 2, self.groups, self.rel_channels, v).unbind(1)
        dynamic = torch.tanh(torch.einsum("bgcv,bgcu->bgvu", q, k) / math.sqrt(self.rel_channels))
        return static.unsqueeze(0) + self.dynamic_gate * dynamic

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        adjacency = self.topology(x)
        h = self.project(x)
        b, c, t, v = h.shape
        h = h.view(b, self.groups, c // self.groups, t, v)
        h = torch.einsum("bgctu,bgvu->bgctv", h, adjacency).reshape(b, c, t, v)
        return self.bn(h)


# --- temporal module -------------------------------------------------------------------------
def max_pool_time(x: torch.Tensor, stride: int = 1) -> torch.Tensor:
    """Max over each frame and its two neighbours (kernel 3, padding 1), then every ``stride``-th frame.

    Same values as ``F.max_pool2d(x, (3, 1), (stride, 1), (1, 0))``. Without autograd it is two
    elementwise maxima, 2-20x faster on a CPU (max_pool2d always computes the argmax indices);
    in training max_pool2d stays, its backward being the cheaper one.
    """
    if torch.is_grad_enabled() and x.requires_grad:
        return F.max_pool2d(x, (3, 1), (stride, 1), (1, 0))
    p = F.pad(x, (0, 0, 1, 1), value=float("-inf"))
    return torch.maximum(torch.maximum(p[:, :, :-2], p[:, :, 1:-1]), p[:, :, 2:])[:, :, ::stride]


def mean_pool_time(x: torch.Tensor, stride: int) -> torch.Tensor:
    """Mean over non-overlapping windows of ``stride`` frames; a short last window averages the
    frames it has (= ``F.avg_pool2d(x, (stride, 1), (stride, 1), ceil_mode=True)``, 2-4x faster)."""
    b, c, t, v = x.shape
    extra = (-t) % stride
    if not extra:
        return x.view(b, c, -1, stride, v).mean(dim=3)
    sums = F.pad(x, (0, 0, 0, extra)).view(b, c, -1, stride, v).sum(dim=3)
    counts = torch.full((sums.shape[2], 1), float(stride), dtype=x.dtype, device=x.device)
    counts[-1] = stride - extra
    return sums / counts


class LocalTemporalPath(nn.Module):
    """Multi-scale temporal convolutions: dilated kernels (1, 2), max-pool and 1x1 branches.

    One 1x1 convolution produces the inputs of all branches at once (fewer, larger kernels are
    what a CPU runs fast); each branch then works on its slice of the channels.
    """

    def __init__(self, channels: int, stride: int = 1, kernel: int = 5, dilations: tuple[int, ...] = (1, 2)):
        super().__init__()
        n_branches = len(dilations) + 2
        width = channels // n_branches
        self.widths = [width] * (n_branches - 1) + [channels - width * (n_branches - 1)]
        self.stride = stride
        self.reduce = nn.Sequential(nn.Conv2d(channels, channels, 1), nn.BatchNorm2d(channels), nn.ReLU(inplace=True))
        self.dilated = nn.ModuleList(
            nn.Conv2d(width, width, (kernel, 1), stride=(stride, 1), padding=((kernel - 1) * d // 2, 0),
                      dilation=(d, 1))
            for d in dilations)
        self.bn = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        *dilated_in, pool_in, point_in = self.reduce(x).split(self.widths, dim=1)
        outs = [conv(z) for conv, z in zip(self.dilated, dilated_in)]
        outs += [max_pool_time(pool_in, self.stride), point_in[:, :, :: self.stride]]
        return self.bn(torch.cat(outs, dim=1))


@functools.lru_cache(maxsize=64)
def relative_index(t: int, max_distance: int, device: torch.device) -> torch.Tensor:
    """(T, T) index of the clipped offset j - i into a table of 2 * max_distance + 1 biases.

    Cached per length; made outside inference mode so that a tensor cached during evaluation
    can still be saved for backward when training continues.
    """
    with torch.inference_mode(False):
        pos = torch.arange(t, device=device)
        return (pos[None, :] - pos[:, None]).clamp(-max_distance, max_distance) + max_distance


class GlobalTemporalPath(nn.Module):
    """Multi-head self-attention over time, per joint, with a learned relative-position bias."""

    def __init__(self, channels: int, stride: int = 1, heads: int = 4, reduction: int = 4,
                 max_distance: int = 64):
        super().__init__()
        inner = max(channels // reduction, heads)
        inner -= inner % heads
        self.heads, self.head_dim = heads, inner // heads
        self.stride = stride
        self.qkv = nn.Conv2d(channels, 3 * inner, 1)
        self.out = nn.Conv2d(inner, channels, 1)
        self.bn = nn.BatchNorm2d(channels)
        self.max_distance = max_distance
        self.position_bias = nn.Parameter(torch.zeros(heads, 2 * max_distance + 1))

    def relative_bias(self, t: int) -> torch.Tensor:
        return self.position_bias[:, relative_index(t, self.max_distance, self.position_bias.device)]  # (H, T, T)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride > 1:
            x = mean_pool_time(x, self.stride)
        b, _, t, v = x.shape
        q, k, val = self.qkv(x).view(b, 3, self.heads, self.head_dim, t, v).unbind(1)
        # (B, H, d, T, V) -> (B*V, H, T, d): every joint attends over its own time line
        q, k, val = (z.permute(0, 4, 1, 3, 2).reshape(b * v, self.heads, t, self.head_dim) for z in (q, k, val))
        # Written out rather than F.scaled_dot_product_attention: with a float bias, torch's CPU
        # kernel takes its math path plus a fully-masked-row check: 1.5-2x slower at batch 1 on the
        # 2-core CPU (torch 2.13) and no faster in training.
        attention = (q @ k.transpose(-1, -2)) * self.head_dim ** -0.5 + self.relative_bias(t)
        y = attention.softmax(dim=-1) @ val
        y = y.view(b, v, self.heads, t, self.head_dim).permute(0, 2, 4, 3, 1).reshape(b, -1, t, v)
        return self.bn(self.out(y))


class DualPathTemporal(nn.Module):
    """Local and global temporal paths, fused by a per-channel soft selection between them."""

    def __init__(self, channels: int, stride: int = 1, heads: int = 4):
        super().__init__()
        self.local = LocalTemporalPath(channels, stride)
        self.global_ = GlobalTemporalPath(channels, stride, heads)
        hidden = max(channels // 4, 16)
        self.select = nn.Sequential(nn.Linear(channels, hidden), nn.ReLU(inplace=True),
                                    nn.Linear(hidden, 2 * channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        local, global_ = self.local(x), self.global_(x)
        t = min(local.shape[2], global_.shape[2])
        local, global_ = local[:, :, :t], global_[:, :, :t]
        weights = self.select((local + global_).mean(dim=(2, 3)))                    # (B, 2C)
        weights = weights.view(x.shape[0], 2, -1, 1, 1).softmax(dim=1)
        return weights[:, 0] * local + weights[:, 1] * global_


# --- block and network -----------------------------------------------------------------------
class HGLBlock(nn.Module):
    """Spatial (composite topology) -> temporal (dual path), with a residual connection."""

    def __init__(self, in_channels: int, out_channels: int, prior: np.ndarray, stride: int = 1,
                 groups: int = 8, heads: int = 4):
        super().__init__()
        self.spatial = CompositeTopologyGC(in_channels, out_channels, prior, groups)
        self.temporal = DualPathTemporal(out_channels, stride, heads)
        if in_channels == out_channels and stride == 1:
            self.residual: nn.Module = nn.Identity()
        else:
            self.residual = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=(stride, 1)),
                                          nn.BatchNorm2d(out_channels))
        self.spatial_residual = (nn.Identity() if in_channels == out_channels else
                                 nn.Sequential(nn.Conv2d(in_channels, out_channels, 1), nn.BatchNorm2d(out_channels)))
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.relu(self.spatial(x) + self.spatial_residual(x))
        return self.relu(self.temporal(h) + self.residual(x))


DEFAULT_STAGES = ((64, 2, 1), (128, 3, 2), (256, 3, 2))   # (channels, blocks, stride of first block)


class HGLNet(nn.Module):
    """Hierarchical Global-Local skeleton network. Input (N, M, T, V, C) -> logits (N, K).

    ``stream="bone"``: the network is fed joints and reads their bone vectors (each joint minus its
    parent, the data layer's ``Stream(kind="bone")`` definition), so weights trained on the data
    layer's bone stream answer the joint input every shipped checkpoint is given."""

    def __init__(self, num_classes: int, layout: str = "kinect-v2", in_channels: int = 3,
                 num_persons: int = 2, stages: list[list[int]] | tuple = DEFAULT_STAGES,
                 groups: int = 8, heads: int = 4, dropout: float = 0.0, stream: str = "joint"):
        super().__init__()
        if stream not in MODEL_STREAMS:
            raise ValueError(f"stream {stream!r} cannot be computed inside the model; choose one of {MODEL_STREAMS}")
        lay = get_layout(layout)
        self.layout, self.stream = lay, stream
        # the parent of each joint as a tensor (not saved with the weights): indexing with it, unlike
        # a numpy array, traces into an ONNX graph (aten::lift_fresh has no ONNX export)
        self.register_buffer("bone_parents", torch.as_tensor(lay.parents(), dtype=torch.long), persistent=False)
        self.layout_name, self.num_joints = lay.name, lay.num_joints
        self.in_channels, self.num_persons, self.num_classes = in_channels, num_persons, num_classes
        prior = partition_prior(lay)
        stem = stages[0][0]
        self.input_norm = nn.BatchNorm1d(in_channels * lay.num_joints)
        self.embed = nn.Conv2d(in_channels, stem, 1)
        self.joint_embedding = nn.Parameter(torch.zeros(1, stem, 1, lay.num_joints))
        blocks, channels = [], stem
        for out_channels, depth, stride in stages:
            for i in range(depth):
                blocks.append(HGLBlock(channels, out_channels, prior, stride if i == 0 else 1, groups, heads))
                channels = out_channels
        self.blocks = nn.Sequential(*blocks)
        self.feature_dim = channels
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(channels, num_classes)
        self._init_weights()

    def _init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                nn.init.zeros_(m.bias) if m.bias is not None else None
            elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        nn.init.normal_(self.classifier.weight, 0, 0.01)  # small logits at start: loss begins near log(K)
        nn.init.zeros_(self.classifier.bias)
        nn.init.trunc_normal_(self.joint_embedding, std=0.02)

    def check_input(self, x: torch.Tensor) -> None:
        if x.dim() != 5 or x.shape[3] != self.num_joints or x.shape[4] != self.in_channels:
            raise ValueError(
                f"HGLNet built for layout {self.layout_name} ({self.num_joints} joints, "
                f"{self.in_channels} channels) expects input (N, M, T, {self.num_joints}, "
                f"{self.in_channels}); got {tuple(x.shape)}")

    def input_stream(self, x: torch.Tensor) -> torch.Tensor:
        """What the network reads of its joint input (N, M, T, V, C): the joints, or their bones."""
        if self.stream != "bone":
            return x
        return x - x.index_select(-2, self.bone_parents)     # the data layer's bones_of, in torch

    def feature_map(self, x: torch.Tensor) -> torch.Tensor:
        """Per-person feature maps (N, M, D, T', V) before pooling (for language modules)."""
        self.check_input(x)
        x = self.input_stream(x)
        n, m, t, v, c = x.shape
        h = x.permute(0, 1, 4, 3, 2).reshape(n * m, c * v, t)                          # (NM, C*V, T)
        h = self.input_norm(h).view(n * m, c, v, t).permute(0, 1, 3, 2)               # (NM, C, T, V)
        h = self.embed(h) + self.joint_embedding
        h = self.blocks(h)
        return h.view(n, m, *h.shape[1:])

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled features (N, D): mean over time, joints and persons."""
        return self.feature_map(x).mean(dim=(3, 4)).mean(dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.dropout(self.forward_features(x)))
