"""Explanations: why the model chose an action, each statement measured.

The pipeline, one module a step:

- :mod:`.facts`: the model-free reading of a sequence (what each body part does, in words, with
  thresholds in body units);
- :mod:`.attribution`: what the model used (occlusion of body parts and time windows);
- :mod:`.contrast`: why not the runner-up (class fact profiles from the training data);
- :mod:`.claims` and :mod:`.verify`: which motion claims a text makes and which the sample's
  measurements support;
- :mod:`.evidence`: all of it for one sample; :mod:`.text`: the template explanation in words;
- :mod:`.explainer`: ``Explainer`` over a trained checkpoint (and the shipped encoder).

The reasoner (a language model, :mod:`actlm.reasoner`) reads from here; nothing here imports it.
"""
