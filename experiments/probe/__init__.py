"""The reliability probe: bad, faulty and hostile inputs replayed against every command (issue 41).

Each ``*_cases.py`` module here lists ``CASES``; ``python -m experiments.probe`` runs them all and
prints "tried N: handled A, traceback B, hang C, silent wrong D, data lost E, unsafe F".
"""
