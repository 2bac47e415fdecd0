"""An independent ground-truth motion suite for the fact detector (issue 40, item 1a).

Nothing here reads actlm's explainer: the body (:mod:`.body`), the motions and their truth
(:mod:`.motions`), the cameras and sensors (:mod:`.camera`), the tracking failures
(:mod:`.failures`) and the suite (:mod:`.suite`) are written from scratch; only the layouts'
joint names come from ``actlm.data.layouts``. :mod:`.baseline` is the trivial motion-energy
detector the benchmark (``python -m experiments.facts_benchmark``) shows beside the real one.
"""
