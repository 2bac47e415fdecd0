"""The training loop, config system, checkpoints and the train/eval/ensemble CLI, on real NW-UCLA data."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from safetensors.torch import load_file

from actlm.cli import main
from actlm.engine import CheckpointError, ConfigError, load_checkpoint, load_config, shipped_configs, train

TINY_MODEL = ["model.args.stages=[[16,1,1],[32,1,2]]", "model.args.groups=4", "model.args.heads=2"]


def tiny_overrides(dataset: Path, work_dir: Path, epochs: int = 2) -> list[str]:
    return TINY_MODEL + [
        f"data.dataset={dataset}", f"train.work_dir={work_dir}", f"train.epochs={epochs}",
        "train.batch_size=8", "train.test_batch_size=16", "train.threads=2", "schedule.warmup_epochs=1"]


def test_unknown_config_key_fails_with_valid_keys():
    with pytest.raises(ConfigError) as err:
        load_config("nw-ucla/hglnet_joint", ["train.epoch=3"])
    assert "train.epoch" in str(err.value) and "epochs" in str(err.value)
    with pytest.raises(ConfigError, match="not found"):
        load_config("no/such_config")


def test_base_configs_and_overrides():
    cfg = load_config("nw-ucla/hglnet_bone_motion", ["optim.lr=0.05", "train.epochs=7"])
    assert cfg.data.train_pipeline[-1] == {"type": "Stream", "kind": "bone_motion"}
    assert cfg.optim.lr == 0.05 and cfg.train.epochs == 7
    assert cfg.model.args["stages"] == load_config("nw-ucla/hglnet_joint").model.args["stages"]



def test_override_indexes_into_a_pipeline_list():
    cfg = load_config("nw-ucla/hglnet_joint", ["data.train_pipeline.3.length=52", "data.test_pipeline.1.length=52"])
    assert cfg.data.train_pipeline[3] == {"type": "ValidCropResize", "length": 52, "ratio": [0.8, 1.0]}
    assert cfg.data.test_pipeline[1]["length"] == 52
    assert load_config("nw-ucla/hglnet_joint").data.train_pipeline[3]["length"] == 32  # shipped file untouched
    with pytest.raises(ConfigError, match="not an index of this list"):
        load_config("nw-ucla/hglnet_joint", ["data.train_pipeline.9.length=32"])
    with pytest.raises(ConfigError, match="holds a value"):
        load_config("nw-ucla/hglnet_joint", ["train.epochs.max=3"])

def test_every_shipped_config_builds_its_model():
    from actlm.encoder import build_model

    names = shipped_configs()
    assert {"nw-ucla/hglnet_joint", "ntu60/hglnet_xsub_joint", "ntu120/hglnet_xset_joint"} <= set(names)
    for name in names:
        cfg = load_config(name)
        ntu = cfg.data.dataset.startswith("ntu")
        model = build_model(cfg.model.name, num_classes=120 if "120" in cfg.data.dataset else 60 if ntu else 10,
                            layout="kinect-v2" if ntu else "kinect-v1", in_channels=3,
                            num_persons=2 if ntu else 1, **cfg.model.args)
        x = torch.randn(2, 2 if ntu else 1, 24, model.num_joints, 3)
        assert model(x).shape == (2, model.num_classes)


def test_layout_mismatch_fails_before_training(tiny_ucla, tmp_path):
    cfg = load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, tmp_path / "run") + ["model.args.layout=kinect-v2"])
    with pytest.raises(ConfigError, match="MapLayout"):
        train(cfg)
    assert not (tmp_path / "run" / "last").exists()


def _weights(run: Path) -> dict[str, torch.Tensor]:
    return load_file(str(run / "last" / "model.safetensors"))


def test_resume_reaches_the_same_weights(tiny_ucla, tmp_path):
    base = tiny_overrides(tiny_ucla, tmp_path / "straight") + ["train.deterministic=true"]
    train(load_config("nw-ucla/hglnet_joint", base))
    interrupted = tiny_overrides(tiny_ucla, tmp_path / "resumed") + ["train.deterministic=true"]
    train(load_config("nw-ucla/hglnet_joint", interrupted + ["train.epochs=1"]))
    train(load_config("nw-ucla/hglnet_joint", interrupted), resume=tmp_path / "resumed")
    a, b = _weights(tmp_path / "straight"), _weights(tmp_path / "resumed")
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    history = json.loads((tmp_path / "resumed" / "metrics.json").read_text())
    assert [row["epoch"] for row in history] == [1, 2]


def test_sparse_evaluation_resume_guards_and_interrupted_save(tiny_ucla, tmp_path):
    run = tmp_path / "run"
    train(load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, run, epochs=3) + ["train.eval_every=2"]))
    with open(run / "metrics.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["epoch"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["test_top1"] == "" and rows[1]["test_top1"] and rows[2]["test_top1"]   # evaluated at 2 and 3

    with pytest.raises(ConfigError, match="continues the run in"):   # resume = continue the same run
        train(load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, tmp_path / "other", epochs=4)), resume=run)
    with pytest.raises(CheckpointError, match="no optimiser state"):
        train(load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, run, epochs=4)), resume=run / "best")

    (run / "last").rename(run / "last.old")    # killed between moving the old checkpoint aside and the swap
    report = train(load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, run, epochs=4)), resume=run)
    assert json.loads((run / "metrics.json").read_text())[-1]["epoch"] == 4 and report["n"] == 20
    assert (run / "last" / "config.json").exists() and not (run / "last.old").exists()


def test_training_set_smaller_than_a_batch_is_a_config_error(tiny_ucla, tmp_path):
    with pytest.raises(ConfigError, match="lower the batch size"):
        train(load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, tmp_path / "r") + ["train.batch_size=4096"]))


def test_run_directory_eval_and_ensemble_cli(tiny_ucla, tmp_path):
    runs = []
    for stream in ("joint", "bone"):
        run = tmp_path / stream
        report = train(load_config(f"nw-ucla/hglnet_{stream}", tiny_overrides(tiny_ucla, run)))
        assert 0.0 <= report["top1"] <= 1.0 and report["n"] == 20
        for name in ("eval.json", "metrics.csv", "metrics.json", "confusion.png", "test_scores.npz", "config.yaml"):
            assert (run / name).exists(), name
        assert np.load(run / "test_scores.npz")["classes"].tolist() == json.loads((run / "eval.json").read_text())["classes"]
        runs.append(run)
    runner = CliRunner()
    result = runner.invoke(main, ["eval", str(runs[0]), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"top1", "top5", "n", "per_class", "confusion"} <= set(report) and report["n"] == 20
    saved = json.loads((runs[0] / "eval.json").read_text())
    assert report["top1"] == pytest.approx(saved["top1"])
    result = runner.invoke(main, ["ensemble", str(runs[0]), str(runs[1]), "--weights", "1,1", "--json"])
    assert result.exit_code == 0, result.output
    fused = json.loads(result.stdout)
    assert fused["n"] == 20 and set(fused["runs"]) == {str(r) for r in runs}
    result = runner.invoke(main, ["ensemble", str(runs[0]), str(runs[1]), "--weights", "1"])
    assert result.exit_code != 0 and "2 runs" in result.output

    # final-epoch scores through `eval --save-scores`, fused alone or with a run directory
    final = [tmp_path / f"{r.name}_last.npz" for r in runs]
    for run, scores in zip(runs, final):
        result = runner.invoke(main, ["eval", str(run / "last"), "--json", "--save-scores", str(scores)])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["n"] == 20 and set(np.load(scores).files) >= {"sample_ids", "logits", "classes"}
    result = runner.invoke(main, ["ensemble", str(final[0]), "--json"])
    last_top1 = json.loads((runs[0] / "metrics.json").read_text())[-1]["test_top1"]
    assert json.loads(result.stdout)["top1"] == pytest.approx(last_top1)
    result = runner.invoke(main, ["ensemble", str(final[0]), str(runs[1]), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["n"] == 20
    (tmp_path / "junk.npz").write_bytes(b"not numpy")
    result = runner.invoke(main, ["ensemble", str(final[0]), str(tmp_path / "junk.npz")])
    assert result.exit_code != 0 and "junk.npz" in result.output and "not a scores file" in result.output


def test_checkpoints_are_safetensors_and_refuse_garbage(tiny_ucla, tmp_path):
    run = tmp_path / "run"
    train(load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, run, epochs=1)))
    model, meta = load_checkpoint(run)  # a run directory means its best/
    assert meta["layout"] == "kinect-v1" and len(meta["classes"]) == 10 and not model.training
    assert sorted(p.name for p in (run / "best").iterdir()) == ["config.json", "model.safetensors"]

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text((run / "best" / "config.json").read_text())
    (broken / "model.safetensors").write_bytes(b"\x80\x04 pickled? no" * 10)
    with pytest.raises(CheckpointError, match="unreadable weights"):
        load_checkpoint(broken)

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "config.json").write_text(json.dumps({"architectures": ["BertModel"]}))
    (foreign / "model.safetensors").write_bytes((run / "best" / "model.safetensors").read_bytes())
    with pytest.raises(CheckpointError, match="not an actlm checkpoint"):
        load_checkpoint(foreign)

    other = tmp_path / "other_arch"
    other.mkdir()
    meta = json.loads((run / "best" / "config.json").read_text())
    meta["model"]["args"]["stages"] = [[16, 1, 1], [64, 1, 2]]
    (other / "config.json").write_text(json.dumps(meta))
    (other / "model.safetensors").write_bytes((run / "best" / "model.safetensors").read_bytes())
    with pytest.raises(CheckpointError, match="do not fit the model"):
        load_checkpoint(other)

    result = CliRunner().invoke(main, ["eval", str(foreign)])
    assert result.exit_code == 2 and "not an actlm checkpoint" in result.output
    assert "Traceback" not in result.output


def test_lr_schedule_warmup_then_cosine():
    from actlm.engine.trainer import lr_at

    cfg = load_config("nw-ucla/hglnet_joint", ["train.epochs=10", "schedule.warmup_epochs=2", "optim.lr=0.1"])
    lrs = [lr_at(cfg, s, 10) for s in range(100)]
    assert lrs[0] == pytest.approx(0.005) and lrs[19] == pytest.approx(0.1)
    assert all(a >= b for a, b in zip(lrs[20:], lrs[21:])) and lrs[-1] < 0.001
    step = load_config("nw-ucla/hglnet_joint", ["schedule.name=step", "schedule.milestones=[5]", "schedule.warmup_epochs=0"])
    assert lr_at(step, 49, 10) == pytest.approx(0.1) and lr_at(step, 50, 10) == pytest.approx(0.01)


def test_quickstart_without_data_explains_where_to_put_it(tmp_path):
    result = CliRunner().invoke(main, ["quickstart", "--data-root", str(tmp_path / "nothing")])
    assert result.exit_code == 2
    assert "nw-ucla/all_sqe" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("config", ["ntu60/hglnet_xsub_joint", "ntu60/hglnet_xview_joint",
                                    "ntu120/hglnet_xsub_joint", "ntu120/hglnet_xset_joint"])
def test_ntu_configs_train_a_few_steps_on_real_files(config, shared_data, tmp_path_factory, tmp_path):
    from actlm.data import prepare

    variant = config.split("/")[0]
    prepared = tmp_path_factory.getbasetemp() / f"ntu-real-{variant}"
    if not (prepared / "dataset.json").exists():
        prepare(variant, raw=shared_data / "ntu-samples", out=prepared)
    cfg = load_config(config, [f"data.dataset={prepared}", f"train.work_dir={tmp_path}", "train.epochs=1",
                               "train.batch_size=2", "train.test_batch_size=4", "train.num_workers=0",
                               "train.max_steps_per_epoch=2", "train.threads=2"])
    report = train(cfg)
    assert report["n"] >= 1 and len(report["per_class"]) == (60 if variant == "ntu60" else 120)
    model, meta = load_checkpoint(tmp_path)
    assert meta["model"]["args"]["num_persons"] == 2 and meta["layout"] == "kinect-v2"
    assert meta["model"]["args"]["stages"] == load_config(config).model.args["stages"]


def test_tensorboard_logging_or_a_clear_install_hint(tiny_ucla, tmp_path):
    cfg = load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, tmp_path, epochs=1) + ["train.tensorboard=true"])
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match="pip install tensorboard"):
            train(cfg)
        return
    train(cfg)
    assert any((tmp_path / "tensorboard").iterdir())


def test_test_time_clips_average_probabilities(tiny_ucla, tmp_path):
    from actlm.data import SkeletonSet
    from actlm.data.loader import SkeletonDataset
    from actlm.engine.trainer import _score

    test_set = SkeletonSet(tiny_ucla, split="test")
    fixed = [{"type": "SpineAlign"}, {"type": "ValidCropResize", "length": 16}]
    rotated = fixed + [{"type": "RandomRotate", "degrees": 30}]
    one = SkeletonDataset(test_set, fixed, seed=1)[3][0]
    same = SkeletonDataset(test_set, fixed, seed=1, clips=3)[3][0]
    assert same.shape == (3, *one.shape) and all(torch.equal(c, one) for c in same)
    views = SkeletonDataset(test_set, rotated, seed=1, clips=3)[3][0]
    assert not torch.allclose(views[0], views[1])
    assert torch.equal(views, SkeletonDataset(test_set, rotated, seed=1, clips=3)[3][0])   # seeded per copy

    class Fixed(torch.nn.Module):   # logits from the first coordinate: differ per copy
        def forward(self, x):
            return torch.stack([x[:, 0, 0, 0, 0], -x[:, 0, 0, 0, 0], torch.zeros(len(x))], dim=1)
    mean_probs = Fixed()(views).softmax(-1).mean(0)
    assert torch.allclose(_score(Fixed(), views[None]).softmax(-1)[0], mean_probs, atol=1e-6)

    run = tmp_path / "run"
    train(load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, run, epochs=1) + ["data.test_clips=2"]))
    runner = CliRunner()
    saved = json.loads((run / "eval.json").read_text())
    result = runner.invoke(main, ["eval", str(run), "--json", "--clips", "1"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["top1"] == pytest.approx(saved["top1"])   # a fixed pipeline: copies agree
    pipeline = "[{type: SpineAlign}, {type: RandomRotate, degrees: 20}, {type: ValidCropResize, length: 52}, {type: Stream, kind: joint}]"
    result = runner.invoke(main, ["eval", str(run), "--json", "--clips", "4", "--pipeline", pipeline])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["clips"] == 4 and report["n"] == 20 and report["pipeline"][1]["type"] == "RandomRotate"
    result = runner.invoke(main, ["eval", str(run), "--pipeline", "{type: SpineAlign}"])
    assert result.exit_code != 0 and "--pipeline" in result.output and "list of transforms" in result.output
    result = runner.invoke(main, ["eval", str(run), "--clips", "0"])
    assert result.exit_code != 0 and "--clips" in result.output


def test_weight_ema_follows_its_formula_and_copies_integer_buffers():
    from actlm.engine.ema import WeightEMA

    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    ema = WeightEMA(model, decay=0.9)
    start = model[0].weight.detach().clone()
    with torch.no_grad():
        model[0].weight.add_(1.0)
    model[1].num_batches_tracked += 5
    ema.update(model, step=1)                      # ramp: min(0.9, 2/11)
    keep = 2 / 11
    assert torch.allclose(ema.model[0].weight, keep * start + (1 - keep) * (start + 1))
    assert ema.model[1].num_batches_tracked.item() == 5
    assert ema.decay_at(10_000) == 0.9 and not any(p.requires_grad for p in ema.model.parameters())


def test_ema_run_saves_the_average_logs_raw_accuracy_and_resumes_exactly(tiny_ucla, tmp_path):
    ema = ["train.ema_decay=0.9", "train.deterministic=true"]
    train(load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, tmp_path / "straight") + ema))
    resumed = tiny_overrides(tiny_ucla, tmp_path / "resumed") + ema
    train(load_config("nw-ucla/hglnet_joint", resumed + ["train.epochs=1"]))
    train(load_config("nw-ucla/hglnet_joint", resumed), resume=tmp_path / "resumed")
    for name in ("model.safetensors", "training_model.safetensors"):
        a = load_file(str(tmp_path / "straight" / "last" / name))
        b = load_file(str(tmp_path / "resumed" / "last" / name))
        assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a), name
    run = tmp_path / "straight"
    average, raw = _weights(run), load_file(str(run / "last" / "training_model.safetensors"))
    assert any(not torch.equal(average[k], raw[k]) for k in average if average[k].is_floating_point())
    history = json.loads((run / "metrics.json").read_text())
    assert all("test_top1_raw" in row for row in history)
    best = max(history, key=lambda row: row["test_top1"])   # best/ holds the averaged weights
    result = CliRunner().invoke(main, ["eval", str(run / "best"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["top1"] == pytest.approx(best["test_top1"])


def test_precise_bn_averages_batch_statistics_and_leaves_the_weights():
    from actlm.engine.precise_bn import recalibrate_batchnorm

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Dropout(0.5))
    weights = {k: v.clone() for k, v in model.state_dict().items() if "running" not in k and "num_batches" not in k}
    batches = [torch.randn(16, 3) * 3 + 1 for _ in range(5)]
    assert recalibrate_batchnorm(model, [(b, 0) for b in batches]) == 5
    with torch.no_grad():
        hidden = [model[0](b) for b in batches]
    bn = model[1]
    assert torch.allclose(bn.running_mean, torch.stack([h.mean(0) for h in hidden]).mean(0), atol=1e-5)
    assert torch.allclose(bn.running_var, torch.stack([h.var(0) for h in hidden]).mean(0), atol=1e-4)
    assert bn.momentum == 0.1 and not model.training
    assert all(torch.equal(model.state_dict()[k], v) for k, v in weights.items())
    assert torch.equal(model(batches[0]), model(batches[0]))          # eval mode: dropout off
    with pytest.raises(ValueError, match="no batches"):
        recalibrate_batchnorm(model, [])


def test_precise_bn_run_trains_the_same_weights_and_logs_both_accuracies(tiny_ucla, tmp_path):
    det = ["train.deterministic=true"]
    train(load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, tmp_path / "plain_bn") + det))
    report = train(load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, tmp_path / "precise") + det
                               + ["train.precise_bn=plain"]))
    a, b = _weights(tmp_path / "plain_bn"), _weights(tmp_path / "precise")
    learned = [k for k in a if "running" not in k and "num_batches" not in k]
    assert all(torch.equal(a[k], b[k]) for k in learned)                # the same training trajectory
    assert any(not torch.allclose(a[k], b[k]) for k in a if "running_var" in k)   # other statistics
    history = json.loads((tmp_path / "precise" / "metrics.json").read_text())
    assert all("test_top1_running_bn" in row for row in history)
    best = max(history, key=lambda row: row["test_top1"])
    assert report["top1"] == pytest.approx(best["test_top1"])          # best/ keeps the recomputed statistics
    result = CliRunner().invoke(main, ["eval", str(tmp_path / "plain_bn" / "last"), "--json", "--precise-bn", "train"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["precise_bn"] == "train"


def test_a_loss_that_becomes_nan_stops_the_run_before_saving_it(tiny_ucla, tmp_path):
    """lr=1e8 makes the loss NaN within the first epoch: the run stops with an error naming the
    epoch and step; no NaN model is saved as last/ or best/ and no NaN row is written."""
    run = tmp_path / "run"
    cfg = load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, run) + ["optim.lr=1e8"])
    with pytest.raises(ConfigError, match=r"loss became (nan|inf) at epoch 1, step \d+ of \d+ .*no epoch was saved"):
        train(cfg)
    assert not (run / "last").exists() and not (run / "best").exists() and not (run / "metrics.json").exists()


def test_ensemble_refuses_scores_it_would_fuse_wrongly(tiny_ucla, tmp_path):
    """NaN scores, a logits/classes shape mismatch, other labels for the same samples and negative or
    non-numeric weights are errors naming the file or option; before, NaN rows were fused as class 0,
    relabelled samples scored against the first file's labels and negative weights gave 0 %."""
    from actlm.data import SkeletonSet
    from actlm.engine.metrics import save_scores

    ds = SkeletonSet(tiny_ucla).split("test")
    ids, labels, classes = np.array(ds.sample_ids), ds.labels, ds.classes
    logits = np.random.default_rng(0).normal(size=(len(ids), len(classes)))
    save_scores(tmp_path / "a.npz", ids, labels, logits, classes)
    nan = logits.copy()
    nan[2, 1] = np.nan
    save_scores(tmp_path / "nan.npz", ids, labels, nan, classes)
    save_scores(tmp_path / "narrow.npz", ids, labels, logits[:, :-1], classes)
    save_scores(tmp_path / "relabelled.npz", ids, (labels + 1) % len(classes), logits, classes)
    runner = CliRunner()

    def fails(*args: str) -> str:
        result = runner.invoke(main, ["ensemble", *args])
        assert result.exit_code == 2, result.output
        return result.output

    assert f"NaN or infinite scores for 1 sample(s), first {ids[2]}" in fails(str(tmp_path / "a.npz"), str(tmp_path / "nan.npz"))
    assert "narrow.npz: damaged scores" in fails(str(tmp_path / "a.npz"), str(tmp_path / "narrow.npz"))
    assert f"relabelled.npz: {len(ids)} of the same test samples have other labels" in fails(
        str(tmp_path / "a.npz"), str(tmp_path / "relabelled.npz"))
    assert "each must be a finite number >= 0" in fails(str(tmp_path / "a.npz"), str(tmp_path / "a.npz"), "--weights", "-1,-1")
    assert "expected comma-separated numbers" in fails(str(tmp_path / "a.npz"), str(tmp_path / "a.npz"), "--weights", "1,x")
    ok = runner.invoke(main, ["ensemble", str(tmp_path / "a.npz"), str(tmp_path / "a.npz"), "--weights", "1,0"])
    assert ok.exit_code == 0, ok.output


def test_resume_refuses_a_config_that_trains_otherwise(tiny_ucla, tmp_path):
    """--resume with another lr would mix two recipes in one run and overwrite its config.yaml;
    it is refused naming the value, and the run is left as it was (train.epochs may change)."""
    run = tmp_path / "run"
    train(load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, run, epochs=1)))
    saved = (run / "config.yaml").read_text()
    other = load_config("nw-ucla/hglnet_joint", tiny_overrides(tiny_ucla, run, epochs=2) + ["optim.lr=0.5"])
    with pytest.raises(ConfigError, match=r"differs from the run's .*config.yaml in 1 value.*optim.lr: 0.1 -> 0.5"):
        train(other, resume=run)
    assert (run / "config.yaml").read_text() == saved
    assert len(json.loads((run / "metrics.json").read_text())) == 1


def test_a_base_that_is_missing_names_the_config_and_a_shipped_name_is_a_base(tmp_path):
    """``_base_: nosuch.yaml`` was '[Errno 2] No such file ...' without the config that names it;
    ``_base_: nw-ucla/hglnet_joint`` (the name `actlm train` takes) was the same error."""
    missing = tmp_path / "mine.yaml"
    missing.write_text("_base_: nosuch.yaml\ntrain: {epochs: 2}\n")
    with pytest.raises(ConfigError, match=r"mine.yaml: _base_ 'nosuch.yaml' not found"):
        load_config(missing)
    named = tmp_path / "named.yaml"
    named.write_text("_base_: nw-ucla/hglnet_joint\ntrain: {epochs: 2}\n")
    cfg = load_config(named)
    assert cfg.train.epochs == 2 and cfg.model.args == load_config("nw-ucla/hglnet_joint").model.args


def test_an_interrupted_train_says_what_was_kept_and_how_to_resume(tiny_ucla, tmp_path, monkeypatch):
    """Ctrl-C during epoch 2 printed only click's 'Aborted!' (exit 1)."""
    from actlm.engine.trainer import Trainer

    epoch_of = Trainer.train_epoch

    def interrupted_in_epoch_2(self, epoch):
        if epoch == 1:
            raise KeyboardInterrupt
        return epoch_of(self, epoch)

    monkeypatch.setattr(Trainer, "train_epoch", interrupted_in_epoch_2)
    run = tmp_path / "run"
    result = CliRunner().invoke(main, ["train", "nw-ucla/hglnet_joint", *tiny_overrides(tiny_ucla, run, epochs=3)])
    assert result.exit_code == 130, result.output
    assert f"interrupted: {run} keeps 1 of 3 epoch(s)" in result.output and f"--resume {run}" in result.output
