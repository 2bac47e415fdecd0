"""DDP through torchrun: 2 CPU processes (gloo) reach the weights of one process with the same global batch."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file

from test_training import tiny_overrides


def _initial_weights(dataset: Path) -> dict[str, torch.Tensor]:
    from actlm.encoder import build_model
    from actlm.engine import load_config

    cfg = load_config("nw-ucla/hglnet_joint", tiny_overrides(dataset, Path("unused")))
    torch.manual_seed(cfg.train.seed)
    model = build_model("hglnet", num_classes=10, layout="kinect-v1", in_channels=3, num_persons=1, **cfg.model.args)
    return {k: v.detach() for k, v in model.state_dict().items()}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], env_extra: dict[str, str]) -> None:
    env = {**os.environ, **env_extra, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)   # torchrun's workers too, not only the launcher
        _, err = proc.communicate()
        raise AssertionError(f"timed out: {' '.join(args)}\n{err[-3000:]}") from None
    assert proc.returncode == 0, err[-3000:]


def test_two_gloo_processes_match_one_process(tiny_ucla, tmp_path, isolated_cache):
    common = tiny_overrides(tiny_ucla, tmp_path, epochs=1) + ["train.threads=1", "train.max_steps_per_epoch=3",
                                                              "optim.label_smoothing=0"]
    env = {"ACTLM_CACHE": str(isolated_cache)}
    _run([sys.executable, "-m", "actlm", "train", "nw-ucla/hglnet_joint", *common,
          f"train.work_dir={tmp_path / 'single'}"], env)
    _run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", f"--master_port={_free_port()}",
          "-m", "actlm", "train", "nw-ucla/hglnet_joint", *common, f"train.work_dir={tmp_path / 'ddp'}"], env)
    single = load_file(str(tmp_path / "single" / "last" / "model.safetensors"))
    ddp = load_file(str(tmp_path / "ddp" / "last" / "model.safetensors"))
    assert single.keys() == ddp.keys()
    init = _initial_weights(tiny_ucla)
    learned = [k for k in single if "running" not in k and "num_batches" not in k]
    step = torch.cat([(single[k] - init[k]).flatten() for k in learned]).norm()
    gap = torch.cat([(single[k] - ddp[k]).flatten() for k in learned]).norm()
    print(f"update norm {step:.4f}, DDP vs single gap {gap:.5f}")
    assert step > 1e-2  # training did move the weights
    # Same data, same global batch, averaged gradients, batch statistics shared across processes:
    # the runs differ only by floating-point summation order.
    assert gap < 1e-3 * step, f"DDP and single-process runs diverge: gap {gap} vs update {step}"
    assert not (tmp_path / "ddp" / "last.partial").exists()
