"""actlm: interpretable human action recognition with language models."""
__version__ = "0.1.0"

# Built-in plug-ins register with the registries of the layers below them when imported: the HocSLM
# model with the encoders' (``build_model("hocslm")``), the reasoner's loop with the engine's tasks,
# labelled videos (through the pose estimator) with the datasets (``actlm prepare videos``), the general
# dataset (built from the other prepared sets: it loads them through the registry) likewise.
from .data import merged as _general_dataset  # noqa: E402,F401
from .language import slm as _slm  # noqa: E402,F401
from .pose import prepare as _video_datasets  # noqa: E402,F401
from .reasoner import train as _reasoner_train  # noqa: E402,F401
