"""Which hand-checked facts of the earlier rounds a detector change keeps, loses or drops.

Re-reads every sequence of the hand-check rounds' results (``results/facts_handcheck_s*.json``),
runs the current detector on it (as ``facts_handcheck`` does: ``read_motion`` with the product's
visibility) and compares its facts with the round's verdicts: the facts judged 'holds' that are no
longer stated (the cost of a fix) and those judged 'false' that are gone (its gain). A fact is matched
by its key (motion|part|text) and, more loosely, by motion|part (a fact whose size moved keeps its
motion and part). ``--save FILE`` writes the stated facts; ``--against FILE`` also lists what changed
against such an earlier run (the detector before the change), which isolates the change's own effect.
Facts a change newly states on an earlier round's sequence are unjudged until someone judges them in
``results/facts_handcheck_later.verdicts.json``; they then count with their round's verdicts.

Usage: ``python -m experiments.handcheck_regress [--save F] [--against F]`` (ACTLM_DATA set).
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from experiments.facts_handcheck import RESULTS, Source, fact_key, load, read_facts

FOLDERS = {"nw-ucla": ("nw-ucla/all_sqe", ".json"), "utd-mhad": ("utd-mhad", ".mat"), "penn-action": ("penn-action", ".mat")}


def _rounds() -> list[Path]:
    return sorted(p for p in RESULTS.glob("facts_handcheck_s*.json") if not p.name.endswith(".verdicts.json"))


def _source(root: Path, dataset: str, sequence: str) -> Source:
    folder, ext = FOLDERS[dataset]
    return Source(dataset, root / folder / f"{sequence}{ext}", "")


def stated_facts(root: Path) -> dict[str, list[str]]:
    """'round/sequence' -> the keys of the facts the current detector states."""
    out = {}
    for path in _rounds():
        for seq in json.loads(path.read_text())["sequences"]:
            data, layout, visibility, guessed, _ = load(_source(root, seq["dataset"], seq["sequence"]))
            facts, _ = read_facts(data, layout, visibility, guessed)
            out[f"{path.stem}/{seq['sequence']}"] = [fact_key(f) for f in facts]
    return out


#: facts a detector change newly stated on an earlier round's sequence, judged afterwards:
#: {"<round file stem>/<sequence>": {fact key: [verdict, reason]}}
LATER = RESULTS / "facts_handcheck_later.verdicts.json"


def round_verdicts(stem: str) -> dict[str, dict[str, list[str]]]:
    """A round's verdicts per sequence, with the facts judged later on its sequences added."""
    verdicts = json.loads((RESULTS / f"{stem}.verdicts.json").read_text())
    later = json.loads(LATER.read_text()) if LATER.exists() else {}
    for name, judged in later.items():
        round_stem, sequence = name.split("/", 1)
        if round_stem == stem:
            verdicts[sequence] = {**judged, **verdicts.get(sequence, {})}
    return verdicts


def _loose(key: str) -> str:
    return "|".join(key.split("|")[:2])


def compare(now: dict[str, list[str]]) -> dict[str, list[str]]:
    """Verdict-judged facts no longer stated (exactly, and by motion|part)."""
    lost: dict[str, list[str]] = {"holds_lost": [], "holds_lost_loose": [], "false_gone": [], "false_gone_loose": [],
                                  "ambiguous_gone": []}
    for path in _rounds():
        for sequence, judged in round_verdicts(path.stem).items():
            keys = now.get(f"{path.stem}/{sequence}")
            if keys is None:
                continue
            loose = Counter(_loose(k) for k in keys)
            for key, (verdict, _why) in judged.items():
                name = f"{path.stem}/{sequence}: {key}"
                if verdict == "holds" and key not in keys:
                    lost["holds_lost"].append(name)
                    if not loose[_loose(key)]:
                        lost["holds_lost_loose"].append(name)
                if verdict == "false" and key not in keys:
                    lost["false_gone"].append(name)
                    if not loose[_loose(key)]:
                        lost["false_gone_loose"].append(name)
                if verdict == "ambiguous" and key not in keys:
                    lost["ambiguous_gone"].append(name)
    return lost


def main(argv: list[str] | None = None) -> None:
    from actlm.paths import data_root
    parser = argparse.ArgumentParser()
    parser.add_argument("--save", type=Path)
    parser.add_argument("--against", type=Path)
    args = parser.parse_args(argv)
    now = stated_facts(Path(data_root()))
    if args.save:
        args.save.write_text(json.dumps(now, indent=1))
    for what, names in compare(now).items():
        print(f"{what}: {len(names)}")
        for name in names:
            print("   ", name)
    if args.against:
        before = json.loads(args.against.read_text())
        verdicts = {p.stem: round_verdicts(p.stem) for p in _rounds()}
        changed: Counter = Counter()
        for seq in sorted(now):
            gone = [k for k in before.get(seq, []) if k not in now[seq]]
            new = [k for k in now[seq] if k not in before.get(seq, [])]
            if gone or new:
                print(f"changed {seq}: -{gone} +{new}")
            stem, name = seq.split("/", 1)
            judged = verdicts[stem].get(name, {})
            for key in gone:
                changed[f"no longer stated, judged {judged.get(key, ['unjudged'])[0]}"] += 1
            for key in new:
                changed[f"newly stated, judged {judged.get(key, ['unjudged'])[0]}"] += 1
        print("against the earlier run (a fact whose words changed counts once each way):", dict(changed))


if __name__ == "__main__":
    main()
