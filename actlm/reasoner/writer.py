"""A language model's words about an explanation's evidence, and how a reasoner's answer is shown.
What it writes reaches the user only after :func:`actlm.explain.verify.verify`."""
from __future__ import annotations

from typing import Any

import torch

from ..explain.evidence import Evidence
from ..explain.verify import verify


LM_SYSTEM = "You explain a skeleton action recognition result in one sentence, using only the given facts."


def write_with_lm(ev: Evidence, lm: Any, tok: Any, max_new_tokens: int = 40) -> tuple[str, list[str]]:
    """A language model writes one sentence from the cited facts; :func:`verify` filters it.
    Returns (verified sentence, removed clauses); an empty sentence means nothing survived."""
    from ..language.lm import chat_prompt

    cited = ev.cited or [f for f in ev.facts if f.motion != "still"]
    if not cited:
        return "", []
    facts = "\n".join(f"- the person {f.text} {f.phase}" for f in cited[:3])
    user = (f"The action was recognised as '{ev.action}'. Measured facts:\n{facts}\n"
            f"Write one sentence that explains the action with these facts only, starting with 'The person'.")
    ids = tok(chat_prompt(tok, LM_SYSTEM, user), return_tensors="pt", add_special_tokens=False)
    with torch.no_grad():
        out = lm.generate(**ids, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=tok.pad_token_id)
    text = tok.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True).strip().split("\n")[0]
    return verify(text, ev.facts)




def reasoner_line(answer: dict[str, Any]) -> str:
    """How a reasoner's verified answer (``Reasoner.answer``) is shown: its class and what survived
    verification; no confidence, its softmax copies the ranking it reads."""
    return f"reasoner ({answer['action']}): {answer['says'] or '(no clause of its text is supported by the measurements)'}"


