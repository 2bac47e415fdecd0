"""Data-layer benchmark: raw .skeleton parse throughput, bounded memory of `prepare`, NW-UCLA load time.

    python -m experiments.bench_data [--files 1000 5000]

NTU scale is simulated by symlinking the six real sample files under thousands of distinct valid
names (none on the official missing list); every file is really parsed, denoised and written.
Each prepare runs in a fresh subprocess so its peak RSS (ru_maxrss) is its own.
Results: experiments/results/data.{md,json}.
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from actlm.paths import data_root

CHILD = """
import json, resource, sys, time
from actlm.data import prepare
t = time.perf_counter()
report = prepare("ntu120", raw=sys.argv[1], out=sys.argv[2])
elapsed = time.perf_counter() - t
print(json.dumps({"written": report.written, "skipped": len(report.skipped), "seconds": elapsed,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def make_folder(samples: list[Path], count: int, folder: Path) -> None:
    """``count`` symlinks named SsssCcccPpppRrrrAaaa.skeleton (all valid NTU120 names, setups 33+ so
    none is on the missing list), pointing at the real files in turn."""
    folder.mkdir(parents=True)
    for i in range(count):
        setup, rest = 33 + i // 6000, i % 6000
        name = f"S{setup:03d}C{rest % 3 + 1:03d}P{rest // 120 % 50 + 1:03d}R{rest // 60 % 2 + 1:03d}A{rest % 60 + 1:03d}"
        (folder / f"{name}.skeleton").symlink_to(samples[i % len(samples)])


def parse_throughput(samples: list[Path], repeats: int = 20) -> dict:
    from actlm.data.ntu import read_sample

    t = time.perf_counter()
    for _ in range(repeats):
        for path in samples:
            read_sample(path)
    elapsed = time.perf_counter() - t
    return {"files": repeats * len(samples), "seconds": round(elapsed, 2),
            "files_per_s": round(repeats * len(samples) / elapsed, 1)}


def prepare_in_subprocess(raw: Path, out: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(raw), str(out)], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def nwucla_load(root: Path, tmp: Path) -> dict:
    from actlm.data import SkeletonSet, prepare

    t = time.perf_counter()
    prepare("nw-ucla", out=tmp / "nw-ucla", data_root_dir=root)
    prepared = time.perf_counter() - t
    t = time.perf_counter()
    ds = SkeletonSet(tmp / "nw-ucla")
    opened = time.perf_counter() - t
    t = time.perf_counter()
    frames = sum(ds[i].data.shape[1] for i in range(len(ds)))
    full_pass = time.perf_counter() - t
    return {"sequences": len(ds), "frames": frames, "prepare_s": round(prepared, 2), "open_s": round(opened, 4),
            "full_pass_s": round(full_pass, 3), "sequences_per_s": round(len(ds) / full_pass)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, nargs="+", default=[1000, 5000])
    a = parser.parse_args()
    root = data_root()
    samples = sorted((root / "ntu-samples").glob("*.skeleton"))
    result: dict = {"parse": parse_throughput(samples), "prepare": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        for count in a.files:
            folder = tmp_path / f"raw{count}"
            make_folder(samples, count, folder)
            result["prepare"][str(count)] = prepare_in_subprocess(folder, tmp_path / f"out{count}")
            size = sum(f.stat().st_size for f in (tmp_path / f"out{count}").iterdir())
            result["prepare"][str(count)]["output_mb"] = round(size / 2**20, 1)
        result["nwucla"] = nwucla_load(root, tmp_path)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    result.update(command="python -m experiments.bench_data --files " + " ".join(map(str, a.files)), commit=commit,
                  date=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  machine=f"{platform.machine()}, Python {platform.python_version()}")
    out = Path("experiments/results")
    out.mkdir(parents=True, exist_ok=True)
    (out / "data.json").write_text(json.dumps(result, indent=1))
    lines = ["# Data layer benchmark", "", f"- command: `{result['command']}`",
             f"- commit {commit}, {result['date']}, {result['machine']} (2 cores, shared with a training run)", "",
             f"Raw NTU `.skeleton` parse + denoise: {result['parse']['files_per_s']} files/s "
             f"({result['parse']['files']} files in {result['parse']['seconds']} s, one process).", "",
             "| files prepared | written | seconds | files/s | peak RSS (MB) | output (MB) |", "|---|---|---|---|---|---|"]
    for count, r in result["prepare"].items():
        lines.append(f"| {count} | {r['written']} | {r['seconds']:.1f} | {r['written'] / r['seconds']:.0f} | "
                     f"{r['peak_rss_mb']:.0f} | {r['output_mb']} |")
    n = result["nwucla"]
    lines += ["", f"NW-UCLA: prepare {n['prepare_s']} s; open prepared set {n['open_s'] * 1000:.1f} ms; "
              f"full pass over {n['sequences']} sequences ({n['frames']} frames) {n['full_pass_s']} s "
              f"({n['sequences_per_s']} sequences/s)."]
    (out / "data.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
