"""A new training never destroys an old run, and one run directory holds one training at a time (issue 41, item 3)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from actlm.cli import main
from actlm.engine.rundir import LOCK_NAME, RunDirError, acquire_lock, check_new_run, claim_run_dir, free_run_dir, holds_run, release_lock

from test_training import tiny_overrides


def _digest(run: Path) -> dict[str, str]:
    """Every file of a run with its content hash: what must survive a refused command."""
    return {str(p.relative_to(run)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(run.rglob("*")) if p.is_file()}


def test_rerunning_a_finished_run_refuses_and_overwrite_replaces_it(tiny_ucla, tmp_path):
    run = tmp_path / "run"
    args = ["train", "nw-ucla/hglnet_joint", *tiny_overrides(tiny_ucla, run, epochs=1)]
    runner = CliRunner()
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    (run / "notes.txt").write_text("mine")                 # a file of the user's beside the run
    before = _digest(run)

    again = runner.invoke(main, args + ["optim.lr=0.05"])
    assert again.exit_code != 0 and "Traceback" not in again.output
    assert "--resume" in again.output and "--overwrite" in again.output and "finished" in again.output
    assert _digest(run) == before                          # nothing of the old run touched

    assert runner.invoke(main, args + ["--resume", str(run), "--overwrite"]).exit_code != 0
    assert _digest(run) == before

    replaced = runner.invoke(main, args + ["optim.lr=0.05", "--overwrite"])
    assert replaced.exit_code == 0, replaced.output
    assert "lr: 0.05" in (run / "config.yaml").read_text()
    assert (run / "notes.txt").read_text() == "mine"        # only the run's own files were replaced
    assert not (run / LOCK_NAME).exists()                   # the lock goes with the training


def test_overwrite_removes_only_what_a_training_writes(tmp_path):
    run = tmp_path / "run"
    for folder in ("last", "best", "epoch_010", "data"):
        (run / folder).mkdir(parents=True)
        (run / folder / "x").write_text("x")
    (run / "metrics.json").write_text("[]")
    (run / "raw.csv").write_text("keep")
    assert holds_run(run)
    with pytest.raises(RunDirError, match="already holds a run"):
        check_new_run(run, None, overwrite=False)
    check_new_run(run, None, overwrite=True)
    assert sorted(p.name for p in run.iterdir()) == ["data", "raw.csv"] and not holds_run(run)
    check_new_run(run, None, overwrite=False)               # an empty or foreign folder is fine
    assert free_run_dir(run) == run
    (run / "eval.json").write_text("{}")
    assert free_run_dir(run) == tmp_path / "run-2"


def test_a_second_training_in_one_directory_is_refused(tmp_path):
    run = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from actlm.engine.rundir import acquire_lock
        handle = acquire_lock(Path({str(run)!r}))
        print("locked", flush=True)
        time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(RunDirError, match=f"in use by another training \\(pid {holder.pid}"):
            with claim_run_dir(run):
                pass
    finally:
        holder.kill()
        holder.wait()
    # killed with SIGKILL: its lock file stays behind, naming a dead pid; the next training takes it over
    assert (run / LOCK_NAME).read_text().split()[0] == str(holder.pid)
    with claim_run_dir(run) as path:
        assert (path / LOCK_NAME).read_text().split()[0] == str(os.getpid())
        with pytest.raises(RunDirError, match="in use"):     # also within one process
            acquire_lock(run)
    assert not (run / LOCK_NAME).exists()


def test_a_lock_file_of_a_dead_process_is_taken_over(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    run = tmp_path / "run"
    run.mkdir()
    (run / LOCK_NAME).write_text(f"{dead.stdout.strip()} {os.uname().nodename}\n")
    handle = acquire_lock(run)
    assert (run / LOCK_NAME).read_text().split()[0] == str(os.getpid())
    release_lock(run, handle)
