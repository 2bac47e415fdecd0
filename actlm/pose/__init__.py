"""Pose estimation: video -> keypoints (backends), several people (people), root motion (root)."""
from . import people  # noqa: F401  (registers the "people" backend)
