"""python -m experiments.probe [--fast] [--area AREA] [--json FILE]: replay every probe case."""
from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from .core import Case, Outcome, Verdict


def all_cases() -> list[Case]:
    cases: list[Case] = []
    package = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(package)]), key=lambda m: m.name):
        if info.name.endswith("_cases"):
            cases += importlib.import_module(f"{__package__}.{info.name}").CASES
    return cases


def run_case(case: Case) -> Verdict:
    with tempfile.TemporaryDirectory(prefix="actlm-probe-") as tmp:
        try:
            return case.run(Path(tmp))
        except Exception:            # a defect of the probe itself is reported, never hidden
            return Verdict(Outcome.TRACEBACK, "probe error: " + traceback.format_exc().strip().splitlines()[-1])


def summary_line(verdicts: list[Verdict]) -> str:
    n = Counter(v.outcome for v in verdicts)
    return (f"tried {len(verdicts)}: handled {n[Outcome.HANDLED]}, traceback {n[Outcome.TRACEBACK]}, "
            f"hang {n[Outcome.HANG]}, silent wrong {n[Outcome.SILENT_WRONG]}, data lost {n[Outcome.DATA_LOST]}, "
            f"unsafe {n[Outcome.UNSAFE]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--fast", action="store_true", help="only the cases that run in CI")
    ap.add_argument("--area", help="only cases of this area")
    ap.add_argument("--json", help="write every case's verdict here")
    args = ap.parse_args()
    cases = [c for c in all_cases() if (not args.fast or c.fast) and (not args.area or c.area == args.area)]
    verdicts, rows = [], []
    for case in cases:
        start = time.perf_counter()
        v = run_case(case)
        verdicts.append(v)
        rows.append({"name": case.name, "area": case.area, "item": case.issue_item, "outcome": v.outcome.value,
                     "detail": v.detail, "seconds": round(time.perf_counter() - start, 2)})
        mark = "ok " if v.outcome is Outcome.HANDLED else "BAD"
        print(f"{mark} [{case.area}] {case.name}: {v.outcome.value}{' - ' + v.detail if v.detail else ''}", flush=True)
    line = summary_line(verdicts)
    print(line)
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": line, "cases": rows}, indent=1))


if __name__ == "__main__":
    main()
