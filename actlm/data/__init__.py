"""Skeleton data layer: layouts, the prepared-dataset format, importers and transforms.

>>> from actlm import data
>>> train = data.load("nw-ucla", split="train")     # prepares on first use
>>> sample = train[0]                              # Sample(data (M,T,V,C), label, sample_id, meta)
"""
from .errors import DataError, DatasetNotFound, PrepareReport
from .layouts import LAYOUTS, Layout, get_layout, get_mapping
from .registry import DATASETS, get_spec, load, prepare, prepared_path, raw_path
from .store import DatasetWriter, Sample, SkeletonSet

__all__ = [
    "DATASETS", "DataError", "DatasetNotFound", "DatasetWriter", "LAYOUTS", "Layout",
    "PrepareReport", "Sample", "SkeletonSet", "get_layout", "get_mapping", "get_spec", "load",
    "prepare", "prepared_path", "raw_path",
]
