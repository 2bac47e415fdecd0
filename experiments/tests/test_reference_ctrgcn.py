"""The CTR-GCN reference benchmark runs a CTR-GCN checkout's own feeder, model and recipe on the
CPU, and an interrupted run resumes to the same result. The official code is not available in CI,
so a stand-in checkout with the same interface (feeders/feeder_ucla.py reading
data/NW-UCLA/all_sqe/ relative to the working directory, model/ctrgcn.py, config/ucla/default.yaml,
augmentation drawn from Python's ``random``) takes its place."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from experiments.tests import fresh_import


NAMES = [f"a{a:02d}_s01_e0{e}_v0{v}" for a in (1, 2) for e in range(3) for v in (1, 3)]

FEEDER = f"NAMES = {NAMES!r}\n" + '''
import json, random
import numpy as np
from torch.utils.data import Dataset


class Feeder(Dataset):
    def __init__(self, data_path, label_path, repeat=1, debug=False, random_choose=False, window_size=-1,
                 normalization=False, **_):
        self.train = "train" in label_path
        self.data_dict = [{"file_name": n, "label": int(n[1:3])} for n in NAMES if ("v03" in n) != self.train]
        self.label = [d["label"] - 1 for d in self.data_dict]
        self.repeat = repeat
        self.data = [np.array(json.load(open("data/NW-UCLA/all_sqe/" + d["file_name"] + ".json"))["skeletons"])
                     for d in self.data_dict]

    def __len__(self):
        return len(self.data) * self.repeat

    def __getitem__(self, index):
        x = self.data[index % len(self.data)]
        if self.train:
            x = x * random.uniform(0.5, 1.5)
        idx = np.linspace(0, len(x) - 1, 8).astype(np.int)
        return np.transpose(x[idx], (2, 0, 1))[..., None], self.label[index % len(self.data)], index
'''

MODEL = '''
from torch import nn


class Model(nn.Module):
    def __init__(self, num_class=2, num_point=20, num_person=1, graph=None, graph_args=None):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(3 * 8 * num_point, 16), nn.BatchNorm1d(16), nn.ReLU(),
                                 nn.Dropout(0.2), nn.Linear(16, num_class))

    def forward(self, x):
        return self.net(x)
'''

CONFIG = {
    "feeder": "feeders.feeder_ucla.Feeder",
    "train_feeder_args": {"data_path": "joint", "label_path": "train", "repeat": 5, "window_size": 8},
    "test_feeder_args": {"data_path": "joint", "label_path": "val"},
    "model": "model.ctrgcn.Model", "model_args": {"num_class": 2, "num_point": 20, "graph": "graph.ucla.Graph"},
    "weight_decay": 0.0001, "base_lr": 0.1, "lr_decay_rate": 0.1, "step": [3], "batch_size": 2,
    "test_batch_size": 4, "num_epoch": 4, "nesterov": True, "warm_up_epoch": 2,
}


@pytest.fixture()
def reference(tmp_path, monkeypatch):
    """A stand-in checkout and data folder, and the benchmark module."""
    repo = tmp_path / "CTR-GCN"
    for rel, text in {"feeders/feeder_ucla.py": FEEDER, "model/ctrgcn.py": MODEL,
                      "config/ucla/default.yaml": yaml.safe_dump(CONFIG)}.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    data = tmp_path / "all_sqe"
    data.mkdir()
    rng = np.random.default_rng(0)
    for name in NAMES:
        (data / f"{name}.json").write_text(json.dumps({"skeletons": rng.normal(size=(12, 20, 3)).tolist()}))
    for mod in [m for m in sys.modules if m.split(".")[0] in ("feeders", "model")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.chdir(tmp_path)
    reference_ctrgcn_nwucla = fresh_import("reference_ctrgcn_nwucla")

    return reference_ctrgcn_nwucla, repo, data


def namespace(repo: Path, data: Path, run_dir: Path) -> argparse.Namespace:
    return argparse.Namespace(reference_repo=repo, data=data, stream="joint", seed=3, epochs=None, repeat=2,
                              threads=1, run_dir=str(run_dir))


def test_the_official_recipe_is_read_from_the_checkouts_config(reference):
    bench, repo, _ = reference
    cfg = bench.official_config(repo)
    assert [round(bench.learning_rate(cfg, e), 6) for e in range(4)] == [0.05, 0.1, 0.1, 0.01]


def test_an_interrupted_reference_run_resumes_to_the_same_result(reference, tmp_path, monkeypatch):
    bench, repo, data = reference
    straight = bench.run(namespace(repo, data, tmp_path / "straight"))
    assert [h["epoch"] for h in straight["history"]] == [1, 2, 3, 4]
    assert straight["repeat"] == 2 and straight["epochs"] == 4

    real_epoch, calls = bench.train_epoch, []

    def killed_in_epoch_3(*args):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_epoch(*args)

    monkeypatch.setattr(bench, "train_epoch", killed_in_epoch_3)
    with pytest.raises(KeyboardInterrupt):
        bench.run(namespace(repo, data, tmp_path / "resumed"))
    monkeypatch.setattr(bench, "train_epoch", real_epoch)
    resumed = bench.run(namespace(repo, data, tmp_path / "resumed"))

    keys = ("loss", "train_top1", "test_top1")
    assert [[h[k] for k in keys] for h in resumed["history"]] == [[h[k] for k in keys] for h in straight["history"]]
    a = np.load(straight["run_dir"] / "test_scores_last.npz")
    b = np.load(resumed["run_dir"] / "test_scores_last.npz")
    np.testing.assert_allclose(a["logits"], b["logits"], rtol=1e-5, atol=1e-6)
    assert len(a["sample_ids"]) == 6 and all(str(s).endswith("v03") for s in a["sample_ids"])
