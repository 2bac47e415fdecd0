"""Research studies around actlm: benchmarks, ablations, error analyses and the maker of the shipped
checkpoint. Run from the repository root as modules (``python -m experiments.nwucla_benchmark``);
they use actlm only through its public modules. Their results (small JSON and markdown tables) are
in ``experiments/results/``; their tests run with ``python -m pytest experiments/tests``."""
