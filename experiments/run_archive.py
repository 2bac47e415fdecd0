"""Small result files of finished benchmark runs, kept next to the results.

Run folders (runs/...) hold checkpoints and live only as long as the machine; a benchmark larger
than one session's compute (four streams, several seeds) would lose its finished runs with it.
A finished run's small files (config, metrics, evaluation, test scores; no checkpoints, 60-170 KB)
are therefore copied to ``experiments/results/<name>_runs/<run>/`` and restored from there, so that
a finished run counts as finished and its scores still feed ensembles. These archives are not in
git (several MB of scores): a fresh clone has the results tables but not the runs behind them.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

RESULTS = Path("experiments/results")


def no_archived_runs(where: Path | str) -> SystemExit:
    """The error for a study that reads archived runs where there are none (e.g. in a fresh clone)."""
    return SystemExit(f"no archived runs at {where}: archived run folders (experiments/results/*_runs/) are "
                      "not kept in git; train the runs with the script that wrote them (named in the results "
                      "file's command) or copy the folders from the machine that ran them")


def head_commit() -> str:
    """The repository's short HEAD commit ('unknown' outside a git checkout or without git)."""
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def handwritten_notes(path: Path) -> str:
    """The part of an existing results file written by hand: from its first '## ... (written by
    hand ...' heading on; kept when a script rewrites the generated part above it."""
    if not path.exists():
        return ""
    text = path.read_text()
    start = text.find("\n## ")
    while start >= 0 and "(written by hand" not in text[start: text.find("\n", start + 1)]:
        start = text.find("\n## ", start + 1)
    return "" if start < 0 else text[start:]


def previous_reading(results_json: Path, given: str | None) -> str:
    """The hand-written reading to put under regenerated numbers: the file ``given`` when named,
    else the ``reading`` kept in the previous ``results_json`` (empty when there is none)."""
    if given:
        return Path(given).read_text()
    return json.loads(results_json.read_text()).get("reading", "") if results_json.is_file() else ""


def archive(run: Path, dest: Path, names: tuple[str, ...]) -> None:
    """Copy ``names`` (those that exist) from ``run`` to ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        if (run / name).exists():
            shutil.copy2(run / name, dest / name)


def restore(run: Path, src: Path, names: tuple[str, ...]) -> None:
    """Copy an archived finished run back into ``run`` unless ``run`` has finished here itself."""
    if not (src / "eval.json").exists() or (run / "eval.json").exists():
        return
    run.mkdir(parents=True, exist_ok=True)
    for name in names:
        if (src / name).exists() and not (run / name).exists():
            shutil.copy2(src / name, run / name)
