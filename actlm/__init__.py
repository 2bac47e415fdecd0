"""actlm: interpretable human action recognition with language models."""
__version__ = "0.1.0"
