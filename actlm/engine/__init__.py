"""Training, evaluation and checkpoints shared by every model in actlm."""
from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .config import ConfigError, ExperimentConfig, load_config, shipped_configs
from .trainer import Trainer, train

__all__ = ["CheckpointError", "ConfigError", "ExperimentConfig", "Trainer", "load_checkpoint",
           "load_config", "save_checkpoint", "shipped_configs", "train"]
