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



def _saved_for_backward(reasoner: Reasoner, batch: dict[str, torch.Tensor]) -> tuple[int, torch.Tensor, list[torch.Tensor]]:
    """Bytes the forward pass keeps for the backward pass, the loss, and the gradients."""
    saved = [0]

    def pack(t: torch.Tensor) -> torch.Tensor:
        saved[0] += t.numel() * t.element_size()
        return t

    reasoner.lm.zero_grad()
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = reasoner.loss(batch, torch.zeros(2, 0, 8), explanation_weight=0.5)
    loss.backward()
    return saved[0], loss.detach(), [p.grad.clone() for p in reasoner.lm.parameters()]


def test_training_recomputes_the_layers_activations_with_the_same_gradients():
    """recompute_activations (activation checkpointing while training: ~690 MB less per ~350-token
    prompt with SmolLM2) keeps a fraction of the activations for the backward pass and changes no
    gradient; switched off, the forward pass keeps them all again."""
    from actlm.reasoner.train import recompute_activations

    torch.manual_seed(0)
    lm = LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=4,
                                      num_attention_heads=2, num_key_value_heads=1))
    lm.train()
    ids = torch.randint(0, 64, (2, 12))
    labels = torch.full_like(ids, -100)
    labels[:, 6:] = ids[:, 6:]
    action = torch.zeros_like(ids, dtype=torch.bool)
    action[:, 6:8] = True
    batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels, "action_mask": action}
    reasoner = _reasoner_around(lm)

    kept, plain_loss, plain_grads = _saved_for_backward(reasoner, batch)
    recompute_activations(reasoner, True)
    kept_recomputing, loss, grads = _saved_for_backward(reasoner, batch)
    assert kept_recomputing < kept / 4
    assert torch.allclose(loss, plain_loss) and all(torch.allclose(g, p, atol=1e-6) for g, p in zip(grads, plain_grads))
    recompute_activations(reasoner, False)
    assert _saved_for_backward(reasoner, batch)[0] == kept
