"""The reasoner's training loss projects only the supervised positions onto the vocabulary (issue 41,
item 10: the full (batch, ~350, 49k) logits were most of a training step's memory) and is the same
loss, with the same gradients, as over every position."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from transformers import LlamaConfig, LlamaForCausalLM

from actlm.reasoner.model import Reasoner


def _reasoner_around(lm: nn.Module) -> Reasoner:
    """A Reasoner whose LM is ``lm`` (a tiny random Llama): only what ``loss`` touches."""
    reasoner = Reasoner.__new__(Reasoner)
    nn.Module.__init__(reasoner)
    reasoner.lm, reasoner.skeleton_id = lm, -1          # no <skeleton> positions in these ids
    return reasoner


def _loss_over_every_position(lm: nn.Module, batch: dict[str, torch.Tensor], weight: float) -> torch.Tensor:
    logits = lm(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1]
    labels, action = batch["labels"][:, 1:], batch["action_mask"][:, 1:]
    nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100,
                          reduction="none").view_as(labels)
    return nll[action].mean() + weight * nll[(labels != -100) & ~action].mean()


def test_loss_on_supervised_positions_equals_the_full_loss():
    torch.manual_seed(0)
    lm = LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                                      num_attention_heads=2, num_key_value_heads=1))
    ids = torch.randint(0, 64, (3, 14))
    mask = torch.ones_like(ids)
    mask[0, 10:] = 0                                         # a right-padded row
    labels = torch.full_like(ids, -100)
    action = torch.zeros_like(ids, dtype=torch.bool)
    for row, (start, end) in enumerate([(5, 10), (8, 14), (3, 7)]):   # answers at different positions
        labels[row, start:end] = ids[row, start:end]
        action[row, start:start + 2] = True
    batch = {"input_ids": ids, "attention_mask": mask, "labels": labels, "action_mask": action}

    expected = _loss_over_every_position(lm, batch, 0.5)
    expected.backward()
    expected_grads = [p.grad.clone() for p in lm.parameters()]
    lm.zero_grad()
    projected = []
    lm.lm_head.register_forward_hook(lambda module, args, out: projected.append(args[0].shape[1]))
    got = _reasoner_around(lm).loss(batch, torch.zeros(3, 0, 8), explanation_weight=0.5)
    got.backward()
    assert projected == [int((labels[:, 1:] != -100).any(0).sum())] and projected[0] < ids.shape[1] - 1
    assert torch.allclose(got, expected, atol=1e-6)
    assert all(torch.allclose(p.grad, g, atol=1e-6) for p, g in zip(lm.parameters(), expected_grads))
