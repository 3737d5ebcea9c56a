"""Contests and hackathons: entries judged by a jury on weighted criteria, optionally with a public vote.

``civic.contests.scoring`` is the pure scoring engine (numpy only, no Flask, no database); its rules are written in
its docstring and in ``docs/contests-scoring.md``.
"""
