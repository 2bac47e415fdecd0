"""Video-to-Semantic-Tokens (VST): a skeleton sequence as a short narrative of discrete action tokens.

Read top to bottom:

1. Segments. A trained HGLNet encodes the sequence; its last feature map (N, M, D, T', V)
   pooled over persons and joints and then over ``pool`` time steps gives one feature per
   temporal segment (T=52 input frames, T'=13, pool 2 -> 7 segments of ~8 frames).
2. Codebook. Segment features (L2-normalised) are quantised against K codes: k-means++
   initialisation and Lloyd steps on the training segments, then EMA updates (online k-means)
   with dead-code restarts (a code used by almost no segment is moved onto a segment that is
   far from every code).
3. Temporal consistency. Codes are decoded per sequence by Viterbi with a switching penalty
   (cost = distance to the code + ``switch_penalty`` per change), so a segment that is only
   slightly closer to another code does not break a run; runs of the same code are then merged
   (run-length), giving a short narrative that is stable under small time shifts.
4. Names. Every code gets a phrase from the kinematic facts measured inside its member
   segments (the motion most over-represented among them, e.g. "right hand rises"); codes
   whose segments show no measured motion are named by how much the body moves.

``SemanticTokenizer.save_pretrained(dir)`` writes config.json + safetensors (codebook and the
encoder weights), so a tokenizer is one self-contained folder.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from ..data.errors import DataError
from ..data.layouts import get_layout
from ..data.store import SkeletonSet
from ..data.transforms import build_pipeline
from ..encoder import build_model
from ..explain.facts import kinematic_facts

MIN_FRAMES = 4

#: Short phrases for (motion) with the body part filled in.
PHRASES = {
    "raise": "{part} rises", "lower": "{part} lowers", "wave": "{part} waves", "reach_forward": "{part} reaches forward",
    "reach_down": "{part} reaches down", "touch_head": "{part} goes to the head", "hands_together": "hands come together",
    "swing": "{part} swings fast", "bend": "torso bends forward", "lean_back": "torso leans back",
    "squat": "knees bend", "sit_down": "body lowers to sit", "stand_up": "body rises to stand", "walk": "walks",
    "turn": "body turns", "approach": "people approach", "depart": "people move apart", "still": "holds still",
}


class TokenizeError(DataError):
    """A sample that cannot be tokenised (too short, empty); the message says which and why."""


@dataclass(frozen=True)
class Token:
    code: int
    name: str
    start: int   # first input frame of the run (after resampling to the model's length)
    end: int     # one past the last

    @property
    def symbol(self) -> str:
        return f"<a{self.code:02d}>" if self.code < 100 else f"<a{self.code}>"


@dataclass
class Narrative:
    sample_id: str
    tokens: list[Token]

    def __str__(self) -> str:
        return " -> ".join(f"{t.symbol} {t.name}" for t in self.tokens)

    @property
    def symbols(self) -> str:
        return " ".join(t.symbol for t in self.tokens)


def part_phrase(part: str) -> str:
    return part.replace("both_", "both ").replace("_", " ")


_PLURAL = {"rises": "rise", "lowers": "lower", "waves": "wave", "reaches": "reach", "goes": "go", "swings": "swing"}


def fact_phrase(motion: str, part: str) -> str:
    phrase = PHRASES.get(motion, motion).format(part=part_phrase(part))
    if part.startswith("both_"):
        phrase = " ".join(_PLURAL.get(w, w) for w in phrase.split())
    return phrase


# --- quantiser ---------------------------------------------------------------------------
def kmeans_pp(x: torch.Tensor, k: int, gen: torch.Generator) -> torch.Tensor:
    """k-means++ seeding on rows of ``x`` (cosine geometry: rows are unit vectors)."""
    centers = [x[torch.randint(len(x), (1,), generator=gen)].squeeze(0)]
    d = (1 - x @ centers[0]).clamp(min=0)
    for _ in range(1, k):
        probs = d / d.sum() if d.sum() > 0 else torch.full_like(d, 1 / len(d))
        centers.append(x[torch.multinomial(probs, 1, generator=gen)].squeeze(0))
        d = torch.minimum(d, (1 - x @ centers[-1]).clamp(min=0))
    return torch.stack(centers)


class Codebook:
    """K unit-norm codes with k-means init, EMA updates and dead-code restarts."""

    def __init__(self, size: int, dim: int, decay: float = 0.9, dead_fraction: float = 0.002, seed: int = 0):
        self.size, self.dim, self.decay, self.dead_fraction = size, dim, decay, dead_fraction
        self.codes = torch.zeros(size, dim)
        self.gen = torch.Generator().manual_seed(seed)
        self.restarts = 0

    def distances(self, x: torch.Tensor) -> torch.Tensor:
        return 1 - x @ self.codes.t()            # cosine distance, (N, K)

    def assign(self, x: torch.Tensor) -> torch.Tensor:
        return self.distances(x).argmin(1)

    def fit(self, x: torch.Tensor, lloyd_steps: int = 10, ema_epochs: int = 5, batch: int = 512) -> None:
        x = F.normalize(x, dim=1)
        if len(x) < self.size:
            raise ValueError(f"{len(x)} training segments for a codebook of {self.size}: use a smaller codebook")
        self.codes = kmeans_pp(x, self.size, self.gen)
        for _ in range(lloyd_steps):
            a = self.assign(x)
            sums = torch.zeros_like(self.codes).index_add_(0, a, x)
            counts = torch.bincount(a, minlength=self.size).float()
            used = counts > 0
            self.codes[used] = F.normalize(sums[used], dim=1)
        for _ in range(ema_epochs):
            order = torch.randperm(len(x), generator=self.gen)
            for i in range(0, len(x), batch):
                self.ema_step(x[order[i: i + batch]])
            self.restart_dead(x)

    def ema_step(self, x: torch.Tensor) -> None:
        a = self.assign(x)
        sums = torch.zeros_like(self.codes).index_add_(0, a, x)
        counts = torch.bincount(a, minlength=self.size).float()
        used = counts > 0
        target = sums[used] / counts[used, None]
        self.codes[used] = F.normalize(self.decay * self.codes[used] + (1 - self.decay) * target, dim=1)

    def restart_dead(self, x: torch.Tensor) -> None:
        counts = torch.bincount(self.assign(x), minlength=self.size)
        dead = torch.nonzero(counts <= self.dead_fraction * len(x)).flatten()
        if len(dead):
            far = self.distances(x).min(1).values
            pick = torch.multinomial(far / far.sum(), len(dead), replacement=False, generator=self.gen)
            self.codes[dead] = x[pick]
            self.restarts += len(dead)


def viterbi(dist: np.ndarray, switch_penalty: float) -> np.ndarray:
    """Code per segment minimising sum of distances + ``switch_penalty`` per change. dist: (S, K)."""
    s, k = dist.shape
    cost = dist[0].copy()
    back = np.zeros((s, k), dtype=np.int64)
    for t in range(1, s):
        best_prev = int(cost.argmin())
        stay = cost
        switch = cost[best_prev] + switch_penalty
        back[t] = np.where(stay <= switch, np.arange(k), best_prev)
        cost = np.minimum(stay, switch) + dist[t]
    path = np.empty(s, dtype=np.int64)
    path[-1] = int(cost.argmin())
    for t in range(s - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def run_lengths(codes: np.ndarray) -> list[tuple[int, int, int]]:
    """[(code, first segment, one past last segment)] for runs of equal codes."""
    runs, start = [], 0
    for i in range(1, len(codes) + 1):
        if i == len(codes) or codes[i] != codes[start]:
            runs.append((int(codes[start]), start, i))
            start = i
    return runs


# --- the tokenizer -----------------------------------------------------------------------
class SemanticTokenizer:
    """Encoder + codebook + names; ``tokenize(data)`` -> :class:`Narrative`."""

    def __init__(self, encoder: torch.nn.Module, encoder_meta: dict[str, Any], codebook: Codebook,
                 names: list[str], pool: int = 2, switch_penalty: float = 0.05):
        self.encoder = encoder.eval()
        self.meta = encoder_meta
        self.pipeline = build_pipeline(encoder_meta["test_pipeline"], encoder_meta["layout"])
        self.codebook, self.names = codebook, names
        self.pool, self.switch_penalty = int(pool), float(switch_penalty)

    @property
    def size(self) -> int:
        return self.codebook.size

    def prepare(self, data: np.ndarray, sample_id: str = "sample") -> torch.Tensor:
        layout = get_layout(self.meta["layout"])
        if data.ndim != 4 or data.shape[2] != layout.num_joints:
            raise TokenizeError(f"{sample_id}: shape {data.shape}, but this tokenizer reads layout {layout.name} "
                                f"(persons, frames, {layout.num_joints} joints, channels)")
        frames = int((np.abs(data).reshape(data.shape[0], data.shape[1], -1).sum(-1) > 0).any(0).sum())
        if frames < MIN_FRAMES:
            raise TokenizeError(f"{sample_id}: {frames} frame(s) with a person; at least {MIN_FRAMES} are needed to tokenise")
        return torch.from_numpy(self.pipeline(data, np.random.default_rng(0)))

    @torch.no_grad()
    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(N, M, T, V, C) -> unit-norm segment features (N, S, D) and the clip feature (N, D).

        The clip feature is what the encoder's classifier reads (the feature map averaged over
        persons, time and joints), layer-normalised and scaled to unit norm like the segments:
        unit-norm segments keep the direction of each moment but drop how strongly it fires,
        which the clip feature keeps.
        """
        fmap = self.encoder.feature_map(x).mean(dim=(1, 4))          # (N, D, T')
        seg = F.avg_pool1d(fmap, self.pool, self.pool, ceil_mode=True) if self.pool > 1 else fmap
        clip = F.layer_norm(fmap.mean(-1), fmap.shape[1:2]) / fmap.shape[1] ** 0.5
        return F.normalize(seg.transpose(1, 2), dim=-1), clip

    def segment_features(self, x: torch.Tensor) -> torch.Tensor:
        """(N, M, T, V, C) -> unit-norm segment features (N, S, D)."""
        return self.encode(x)[0]

    def frames_per_segment(self, x: torch.Tensor) -> float:
        return x.shape[2] / max(self.segment_features(x[:1]).shape[1], 1)

    def decode(self, feats: torch.Tensor) -> np.ndarray:
        return viterbi(self.codebook.distances(feats).numpy(), self.switch_penalty)

    def tokenize(self, data: np.ndarray, sample_id: str = "sample") -> Narrative:
        return self.narrative(self.segment_features(self.prepare(data, sample_id)[None])[0], sample_id)

    def narrative(self, feats: torch.Tensor, sample_id: str = "sample") -> Narrative:
        """Tokens of one sequence's segment features (S, D); frame spans refer to the model input."""
        frames = int(self.meta_length() or feats.shape[0] * self.pool)
        step = frames / feats.shape[0]
        return Narrative(sample_id, [Token(c, self.names[c], int(a * step), int(min(b * step, frames)))
                                     for c, a, b in run_lengths(self.decode(feats))])

    def meta_length(self) -> int | None:
        """Frames per model input (the test pipeline's resampled length), if it fixes one."""
        for t in self.meta.get("test_pipeline", []):
            if "length" in t:
                return int(t["length"])
        return None

    # -- persistence ----------------------------------------------------------------------
    def save_pretrained(self, path: str | Path, encoder_checkpoint: str | None = None) -> None:
        """Config + codebook + the encoder's weights; with ``encoder_checkpoint`` (a checkpoint
        folder, relative to ``path``, holding the same weights) the weights are not copied: a
        tokenizer shipped beside its encoder reads them from there."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        config = {"kind": "actlm-semantic-tokenizer", "size": self.size, "dim": self.codebook.dim,
                  "pool": self.pool, "switch_penalty": self.switch_penalty, "names": self.names,
                  "encoder": {k: self.meta[k] for k in ("model", "classes", "layout", "dataset", "test_pipeline")}}
        tensors = {"codebook": self.codebook.codes.contiguous()}
        if encoder_checkpoint is None:
            tensors.update({f"encoder.{k}": v.contiguous() for k, v in self.encoder.state_dict().items()})
        else:
            config["encoder_checkpoint"] = encoder_checkpoint
        (path / "config.json").write_text(json.dumps(config, indent=1))
        save_file(tensors, str(path / "tokenizer.safetensors"))

    @classmethod
    def from_pretrained(cls, path: str | Path) -> "SemanticTokenizer":
        path = Path(path)
        try:
            config = json.loads((path / "config.json").read_text())
            tensors = load_file(str(path / "tokenizer.safetensors"))
        except (OSError, ValueError, SafetensorError) as exc:
            raise DataError(f"{path}: not a semantic tokenizer folder ({exc})") from None
        if config.get("kind") != "actlm-semantic-tokenizer":
            raise DataError(f"{path}: config.json is not a semantic tokenizer's")
        enc = config["encoder"]
        if "encoder_checkpoint" in config:
            encoder = _referenced_encoder(path, config["encoder_checkpoint"], enc)
        else:
            encoder = build_model(enc["model"]["name"], **enc["model"]["args"])
            encoder.load_state_dict({k[8:]: v for k, v in tensors.items() if k.startswith("encoder.")})
        book = Codebook(config["size"], config["dim"])
        book.codes = tensors["codebook"]
        return cls(encoder, enc, book, config["names"], config["pool"], config["switch_penalty"])


def _referenced_encoder(path: Path, reference: str, expected: dict[str, Any]) -> torch.nn.Module:
    """The encoder of a tokenizer saved without weights, from the checkpoint it names; it must be
    the model the tokenizer was fitted on (same architecture, classes and layout)."""
    from ..engine.checkpoint import load_checkpoint

    where = (path / reference).resolve()
    try:
        encoder, meta = load_checkpoint(where)
    except (OSError, ValueError, KeyError) as exc:
        raise DataError(f"{path}: its encoder checkpoint {where} cannot be loaded ({exc})") from None
    if meta["model"] != expected["model"] or list(meta.classes) != list(expected["classes"]) \
            or meta.layout != expected["layout"]:
        raise DataError(f"{path}: the encoder at {where} is not the one this tokenizer was fitted on")
    return encoder


# --- fitting -----------------------------------------------------------------------------
def _batches(ds: SkeletonSet, pipeline, batch: int):
    xs, ids = [], []
    for i in range(len(ds)):
        s = ds[i]
        xs.append(torch.from_numpy(pipeline(s.data, np.random.default_rng(0))))
        ids.append(i)
        if len(xs) == batch or i == len(ds) - 1:
            yield torch.stack(xs), ids
            xs, ids = [], []


def encode_dataset(tok: SemanticTokenizer, ds: SkeletonSet, batch: int = 64,
                   progress: Callable | None = None) -> torch.Tensor:
    """Segment features (N, S, D) of every sample of ``ds``."""
    out = []
    it = _batches(ds, tok.pipeline, batch)
    for x, _ in (progress(it, (len(ds) + batch - 1) // batch) if progress else it):
        out.append(tok.segment_features(x))
    return torch.cat(out)


def name_codes(codes: np.ndarray, ds: SkeletonSet, size: int) -> list[str]:
    """A phrase per code from the kinematic facts measured inside its member segments."""
    layout = ds.layout
    per_code: list[Counter] = [Counter() for _ in range(size)]
    members = np.zeros(size)
    overall: Counter = Counter()
    for i in range(len(ds)):
        sample = ds[i]
        data = sample.data
        t = data.shape[1]
        seq_codes = codes[i]
        for c, a, b in run_lengths(seq_codes):
            lo = int(a / len(seq_codes) * t)
            hi = max(int(b / len(seq_codes) * t), lo + MIN_FRAMES)
            try:
                facts = kinematic_facts(data[:, lo:hi], layout, fps=sample.fps)
            except ValueError:
                continue
            found = {(f.motion, f.part) for f in facts if f.motion != "still"}
            per_code[c].update(found)
            overall.update(found)
            members[c] += 1
    total = max(members.sum(), 1)
    names = []
    for c in range(size):
        if members[c] == 0:
            names.append("unused")
            continue
        scored = [((n / members[c]) / (overall[key] / total), n / members[c], key) for key, n in per_code[c].items()
                  if n / members[c] >= 0.2]
        if scored:
            _, _, (motion, part) = max(scored)
            names.append(fact_phrase(motion, part))
        else:
            names.append("holds still")
    return names


def fit_tokenizer(encoder: torch.nn.Module, meta: dict[str, Any], train_set: SkeletonSet, size: int = 64,
                  pool: int = 2, switch_penalty: float = 0.05, seed: int = 0,
                  progress: Callable | None = None) -> tuple[SemanticTokenizer, dict[str, Any]]:
    """Fit the codebook on the training segments and name its codes; returns (tokenizer, stats)."""
    tok = SemanticTokenizer(encoder, meta, Codebook(size, 1, seed=seed), [], pool, switch_penalty)
    feats = encode_dataset(tok, train_set, progress=progress)              # (N, S, D)
    n, s, d = feats.shape
    book = Codebook(size, d, seed=seed)
    book.fit(feats.reshape(-1, d))
    tok.codebook = book
    codes = np.stack([tok.decode(f) for f in feats])
    tok.names = name_codes(codes, train_set, size)
    return tok, codebook_stats(codes, size) | {"restarts": book.restarts, "segments_per_sequence": s}


def codebook_stats(codes: np.ndarray, size: int) -> dict[str, Any]:
    """Usage, perplexity and narrative length of decoded codes (N, S)."""
    counts = np.bincount(codes.ravel(), minlength=size).astype(float)
    p = counts / counts.sum()
    nz = p[p > 0]
    lengths = [len(run_lengths(c)) for c in codes]
    return {"codebook_size": size, "used_codes": int((counts > 0).sum()),
            "perplexity": float(np.exp(-(nz * np.log(nz)).sum())),
            "mean_tokens_per_sequence": float(np.mean(lengths)), "max_tokens_per_sequence": int(np.max(lengths))}


def shift_stability(tok: SemanticTokenizer, ds: SkeletonSet, shift: int = 2, limit: int = 200) -> float:
    """Mean fraction of segments whose code is unchanged when the sequence starts ``shift`` frames later."""
    agree = []
    for i in range(min(limit, len(ds))):
        data = ds[i].data
        if data.shape[1] < 2 * shift + MIN_FRAMES:
            continue
        a = tok.decode(tok.segment_features(tok.prepare(data)[None])[0])
        b = tok.decode(tok.segment_features(tok.prepare(data[:, shift:])[None])[0])
        agree.append(float((a == b).mean()))
    return float(np.mean(agree))
