"""What a round shows: per item the distribution (with the viewer's own answer highlighted), median and IQR,
agreement, the verdict so far and the others' justifications, unattributed and shuffled. Aggregates only, and
nothing at all for an item below n_min answers."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from civic import db
from civic.core import charts
from civic.delphi import pseudonyms
from civic.delphi.analysis import effective_config, option_column, redact_report
from civic.delphi.items import describe, format_number, likert_iqr_note, likert_iqr_text, options, scale_points
from civic.delphi.labels import SCHMIDT, status_note, verdict_label
from civic.delphi.models import DelphiAnswer, DelphiItem, DelphiRound, ItemKind
from civic.delphi.services.answers import own_answers

_shuffle = random.SystemRandom().shuffle


@dataclass
class ItemFeedback:
    item: DelphiItem
    suppressed: bool
    verdict: str = ""
    status: str = ""
    summary: list[tuple[str, str]] = field(default_factory=list)
    chart: charts.Chart | None = None
    head: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    own: str | None = None
    justifications: list[str] = field(default_factory=list)
    #: Footnotes under the figures (e.g. how the quartiles of a rating scale are read).
    notes: list[str] = field(default_factory=list)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def round_entry(rnd: DelphiRound) -> dict:
    """The redacted statistics of this round (from the report stored when it closed)."""
    report = redact_report(rnd.report, effective_config(rnd.study)["n_min"]) or {}
    return next((e for e in report.get("per_round", []) if e["round"] == rnd.number), {})


def round_feedback(rnd: DelphiRound, viewer=None, with_justifications: bool = True) -> list[ItemFeedback]:
    """Feedback for every item asked in a closed round; ``viewer`` sees their own answer of that round."""
    entry = round_entry(rnd)
    statuses = (rnd.stopping or {}).get("item_status", {})
    own = own_answers(rnd, viewer) if viewer is not None and getattr(viewer, "is_authenticated", False) else {}
    texts = _justifications(rnd, viewer) if with_justifications else {}
    out = []
    for item in rnd.items:
        mine = own.get(item.id)
        view = _item_view(item, entry, mine.value if mine else None)
        view.status = status_note(statuses.get(item.code), item)  # shown after the verdict: no repetition
        view.own = describe(item, mine.value) if mine else None
        if not view.suppressed:
            view.justifications = texts.get(item.id, [])
        out.append(view)
    return out


def _justifications(rnd: DelphiRound, viewer) -> dict[int, list[str]]:
    """Visible justifications of others per item, in random order (never with a value, name or pseudonym)."""
    mine = None
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        try:
            mine = pseudonyms.pseudonym(rnd, viewer.id)
        except pseudonyms.KeyShredded:
            mine = None
    rows = db.session.execute(
        select(DelphiAnswer.item_id, DelphiAnswer.justification, DelphiAnswer.pseudonym).where(
            DelphiAnswer.round_id == rnd.id,
            DelphiAnswer.justification != "",
            DelphiAnswer.justification_hidden.is_(False),
        )
    ).all()
    out: dict[int, list[str]] = {}
    for item_id, text, author in rows:
        if author != mine:
            out.setdefault(item_id, []).append(text)
    for texts in out.values():
        _shuffle(texts)
    return out


def _item_view(item: DelphiItem, entry: dict, own_value: Any) -> ItemFeedback:
    if item.kind == ItemKind.RANKING:
        return _ranking_view(item, (entry.get("parts") or {}).get(item.code) or {}, own_value)
    stat = (entry.get("items") or {}).get(item.code)
    if not stat or stat.get("display_suppressed"):
        return ItemFeedback(item, suppressed=True, verdict=verdict_label("insufficient"))
    view = ItemFeedback(item, suppressed=False, verdict=verdict_label(stat.get("verdict"), item))
    {ItemKind.LIKERT: _likert_view, ItemKind.NUMERIC: _numeric_view}.get(item.kind, _choice_view)(view, stat, own_value)
    return view


def _likert_view(view: ItemFeedback, stat: dict, own: Any) -> None:
    points = scale_points(view.item)
    counts, n = stat["counts"], stat["n"]
    highlight = int(own) - 1 if own is not None else None
    view.chart = _distribution(_("Answers per point of the scale"), [str(p.value) for p in points], counts, highlight)
    view.head = [_("Point of the scale"), _("Answers"), _("Share")]
    view.rows = [
        {"cells": [p.caption, str(c), _pct(c / n)], "own": p.value == own} for p, c in zip(points, counts, strict=True)
    ]
    view.summary = [
        (_("Answers"), str(n)),
        (_("Median"), format_number(stat["median"])),
        (_("Middle half of the answers"), likert_iqr_text(stat)),
        (_("Agree"), _pct(stat["pct_agree"])),
        (_("Disagree"), _pct(stat["pct_disagree"])),
    ]
    view.notes = [likert_iqr_note(stat)]


def _numeric_view(view: ItemFeedback, stat: dict, own: Any) -> None:
    item, unit = view.item, view.item.unit or ""
    low, high = _zoom([stat["q1"], stat["q3"], *([own] if own is not None else [])], item.min_value, item.max_value)
    view.chart = charts.interval(
        _("Middle half of the estimates (interquartile range) and the median"),
        stat["q1"],
        stat["median"],
        stat["q3"],
        low,
        high,
        own,
    )
    view.head = [_("Statistic"), _("Value")]
    view.rows = [
        {"cells": [_("First quartile (Q1)"), f"{format_number(stat['q1'])} {unit}".strip()], "own": False},
        {"cells": [_("Median"), f"{format_number(stat['median'])} {unit}".strip()], "own": False},
        {"cells": [_("Third quartile (Q3)"), f"{format_number(stat['q3'])} {unit}".strip()], "own": False},
    ]
    if own is not None:
        view.rows.append({"cells": [_("Your answer"), f"{format_number(own)} {unit}".strip()], "own": True})
    view.summary = [
        (_("Answers"), str(stat["n"])),
        (_("Median"), f"{format_number(stat['median'])} {unit}".strip()),
        (_("Interquartile range"), _("%(q1)s to %(q3)s", q1=format_number(stat["q1"]), q3=format_number(stat["q3"]))),
    ]


def _zoom(values: list[float], lowest: float | None, highest: float | None) -> tuple[float, float]:
    """The stretch of the number line to draw: the quartiles and the viewer's answer with a margin, never beyond
    the item's bounds. Drawing the whole allowed range (0 to 50,000 places) squeezed a middle half of 925 to 1175
    into one pixel at the edge, its median label cut off."""
    pad = max((max(values) - min(values)) * 0.25, abs(max(values)) * 0.05, 1.0)
    step = 10 ** math.floor(math.log10(pad))  # round ends: 700 to 1270, not 706.25 to 1268.75
    low, high = math.floor((min(values) - pad) / step) * step, math.ceil((max(values) + pad) / step) * step
    return (max(low, lowest) if lowest is not None else low), (min(high, highest) if highest is not None else high)


def _choice_view(view: ItemFeedback, stat: dict, own: Any) -> None:
    item = view.item
    order = ["yes", "no"] if item.kind == ItemKind.YES_NO else item.option_ids()
    stored = ["no", "yes"] if item.kind == ItemKind.YES_NO else item.option_ids()
    labels = dict([("yes", _("Yes")), ("no", _("No"))] if item.kind == ItemKind.YES_NO else options(item))
    counts = [stat["counts"][stored.index(value)] for value in order]
    n = stat["n"]
    highlight = order.index(own) if own in order else None
    view.chart = _distribution(_("Answers per option"), [labels[v] for v in order], counts, highlight)
    view.head = [_("Answer"), _("Answers"), _("Share")]
    view.rows = [
        {"cells": [labels[v], str(c), _pct(c / n)], "own": v == own} for v, c in zip(order, counts, strict=True)
    ]
    view.summary = [
        (_("Answers"), str(n)),
        (_("Most frequent answer"), labels.get(stat.get("mode"), "—")),
        (_("Its share"), _pct(stat.get("modal_share"))),
    ]


def _ranking_view(item: DelphiItem, block: dict, own: Any) -> ItemFeedback:
    if not block or block.get("display_suppressed"):
        return ItemFeedback(item, suppressed=True, verdict=verdict_label("insufficient"))
    view = ItemFeedback(item, suppressed=False, verdict=verdict_label(block.get("verdict"), item))
    labels = dict(options(item))
    order = [column.split(":", 1)[1] for column in block.get("order") or []] or item.option_ids()
    stats = block.get("options") or {}
    rows = []
    for oid in order:
        s = stats.get(option_column(item, oid), {})
        rows.append((labels.get(oid, oid), s.get("mean_rank"), (own or {}).get(oid)))
        view.rows.append(
            {
                "cells": [
                    labels.get(oid, oid),
                    format_number(s.get("mean_rank")),
                    format_number(s.get("median_rank")),
                    format_number(s.get("iqr_rank")),
                    str((own or {}).get(oid, "—")),
                ],
                "own": False,
            }
        )
    view.head = [_("Option"), _("Mean rank"), _("Median rank"), _("IQR of ranks"), _("Your rank")]
    view.chart = charts.ranks(_("Mean rank of each option (1 = highest priority)"), rows, len(item.option_ids()))
    kendall = block.get("kendall_w") or {}
    view.summary = [
        (_("Complete rankings"), str(kendall.get("m", "—"))),
        (_("Kendall's W"), format_number(kendall.get("W"), 3)),
        (_("Agreement"), str(SCHMIDT.get(block.get("schmidt_label"), "—"))),
    ]
    return view


def _distribution(title: str, labels: list[str], counts: list[int], highlight: int | None) -> charts.Chart:
    """Columns of a distribution (templates/delphi/_charts.html), the viewer's own answer highlighted."""
    return charts.columns(
        list(zip(labels, counts, strict=True)),
        width=480,
        height=190,
        left=8,
        right=8,
        top=26,
        bottom=34,
        fill=0.7,
        centred=True,
        min_width=0,
        highlight=highlight,
        fit_labels=True,
        title=title,
    )
