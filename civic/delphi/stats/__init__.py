"""Delphi convergence statistics (spec v1.0): per-round statistics, stability, verdicts and the stopping rule.

Pure numpy/scipy, no Flask and no SQLAlchemy. Work is vectorised over items and panelists; Python loops only run over
rounds, scale points and the small per-item report dictionaries. Decisions the spec leaves open are recorded in
docs/delphi-stats.md.

The package is split by concern: ``parsing`` (input validation and encoding), ``kernels`` (count tensors, quantiles,
ranks), ``significance`` (Wilcoxon, McNemar, Mann-Whitney, ...), ``agreement`` (Kendall's W, Fleiss' kappa), one
module per item type (``likert``, ``rand_ucla``, ``numeric``, ``binary``, ``ranking``), ``stopping`` and ``report``
(assembly). Callers import from the package itself.
"""

from civic.delphi.stats.common import ABSTAIN, DEFAULT_CONFIG, DONT_KNOW, ITEM_TYPES, PRESETS, SPEC_VERSION, TOL
from civic.delphi.stats.report import analyse_mixed_study, analyse_study, panel_feedback

__all__ = [
    "ABSTAIN",
    "DEFAULT_CONFIG",
    "DONT_KNOW",
    "ITEM_TYPES",
    "PRESETS",
    "SPEC_VERSION",
    "TOL",
    "analyse_mixed_study",
    "analyse_study",
    "panel_feedback",
]
