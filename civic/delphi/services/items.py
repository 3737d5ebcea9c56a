"""Items: the four types with their scales, bounds and options; editable until a round first asks them, and ordered
by the organiser until round 1 opens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from civic import db
from civic.config import LANGUAGES
from civic.core.errors import DomainError, InvalidTransition
from civic.delphi.items import CUSTOM_POINTS, MAX_OPTIONS, SCALE_PRESETS
from civic.delphi.models import DelphiItem, DelphiProposal, DelphiStudy, ItemKind, ProposalStatus
from civic.identity import audit


@dataclass
class ItemData:
    kind: str
    texts: dict[str, str]
    scale_preset: str | None = None
    scale_points: int | None = None
    low_labels: dict[str, str] = field(default_factory=dict)
    high_labels: dict[str, str] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)  # language -> option texts, one per option
    unit: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    ratio_scale: bool = True


def _check_item(study: DelphiStudy, data: ItemData) -> None:
    base = study.base_language
    if data.kind not in set(ItemKind):
        raise DomainError(_l("Unknown kind of item."), field="kind")
    if not (data.texts.get(base) or "").strip():
        raise DomainError(_l("Write the question in the study's main language."), field=f"text_{base}")
    if data.kind == ItemKind.LIKERT:
        _check_scale(study, data)
    elif data.kind == ItemKind.NUMERIC:
        if data.min_value is not None and data.max_value is not None and data.min_value >= data.max_value:
            raise DomainError(_l("The lower bound must be smaller than the upper bound."), field="max_value")
    elif data.kind in (ItemKind.RANKING, ItemKind.CATEGORICAL):
        _check_options(study, data)


def _check_scale(study: DelphiStudy, data: ItemData) -> None:
    if data.scale_preset in SCALE_PRESETS:
        return
    if data.scale_preset != "custom":
        raise DomainError(_l("Choose a scale."), field="scale_preset")
    if data.scale_points not in CUSTOM_POINTS:
        raise DomainError(_l("Choose the number of points of the scale."), field="scale_points")
    base = study.base_language
    if not (data.low_labels.get(base) or "").strip() or not (data.high_labels.get(base) or "").strip():
        raise DomainError(
            _l("Label both ends of a custom scale in the study's main language."), field=f"low_label_{base}"
        )


def _check_options(study: DelphiStudy, data: ItemData) -> None:
    base = study.base_language
    main = [o for o in data.options.get(base, []) if o.strip()]
    if not 2 <= len(main) <= MAX_OPTIONS:
        raise DomainError(
            _l("List from 2 to %(n)s options, one per line, in the study's main language.", n=MAX_OPTIONS),
            field=f"options_{base}",
        )
    if len({o.strip().lower() for o in main}) != len(main):
        raise DomainError(_l("Two options have the same text."), field=f"options_{base}")
    for lang, texts in data.options.items():
        given = [o for o in texts if o.strip()]
        if given and len(given) != len(main):
            raise DomainError(
                _l("Give every option in this language too, in the same order, or leave it empty."),
                field=f"options_{lang}",
            )


def _apply_item(item: DelphiItem, data: ItemData, base: str) -> None:
    item.kind = data.kind
    for lang in LANGUAGES:
        setattr(item, f"text_{lang}", (data.texts.get(lang) or "").strip())
    item.scale_points = item.scale_preset = item.labels = item.options = item.unit = None
    item.min_value = item.max_value = None
    item.ratio_scale = True
    if data.kind == ItemKind.LIKERT:
        custom = data.scale_preset == "custom"
        item.scale_preset = data.scale_preset
        item.scale_points = data.scale_points if custom else SCALE_PRESETS[data.scale_preset][0]
        item.labels = {"low": _clean(data.low_labels), "high": _clean(data.high_labels)} if custom else None
    elif data.kind == ItemKind.NUMERIC:
        item.unit = (data.unit or "").strip()[:40] or None
        item.min_value, item.max_value, item.ratio_scale = data.min_value, data.max_value, bool(data.ratio_scale)
    elif data.kind in (ItemKind.RANKING, ItemKind.CATEGORICAL):
        main = [o.strip() for o in data.options[base] if o.strip()]
        per_lang = {lang: [o.strip() for o in data.options.get(lang, []) if o.strip()] for lang in LANGUAGES}
        item.options = [
            {"id": f"o{j + 1}", **{lang: (per_lang[lang][j] if per_lang[lang] else "") for lang in LANGUAGES}}
            for j in range(len(main))
        ]


def _clean(texts: dict[str, str]) -> dict[str, str]:
    return {lang: (texts.get(lang) or "").strip() for lang in LANGUAGES}


def _item_audit(item: DelphiItem) -> dict[str, Any]:
    return {"code": item.code, "kind": item.kind}


def add_item(study: DelphiStudy, actor, data: ItemData, proposal: DelphiProposal | None = None) -> DelphiItem:
    """Add an item; it is asked from the next round that opens (optionally from a round-0 proposal)."""
    if study.is_finished:
        raise InvalidTransition(study, "add_item", _l("A finished study cannot be changed."))
    _check_item(study, data)
    numbers = [int(i.code[1:]) for i in study.items if i.code[1:].isdigit()]
    item = DelphiItem(
        study=study,
        code=f"Q{max(numbers, default=0) + 1}",
        position=max((i.position for i in study.items), default=0) + 1,
    )
    _apply_item(item, data, study.base_language)
    db.session.add(item)
    db.session.flush()
    if proposal is not None:
        proposal.status, proposal.item_id = ProposalStatus.ACCEPTED, item.id
    audit.record("delphi.add_item", study, actor=actor, after=_item_audit(item))
    return item


def _refuse_locked(item: DelphiItem) -> None:
    if item.is_locked:
        raise InvalidTransition(
            item,
            "edit",
            _l(
                "This item was already asked in round %(n)s, so it can no longer change. Add a new item instead.",
                n=item.first_round,
            ),
        )


def update_item(item: DelphiItem, actor, data: ItemData) -> None:
    """Change an item that no round has asked yet."""
    _refuse_locked(item)
    _check_item(item.study, data)
    _apply_item(item, data, item.study.base_language)
    db.session.flush()
    audit.record("delphi.update_item", item.study, actor=actor, after=_item_audit(item))


def delete_item(item: DelphiItem, actor) -> None:
    """Remove an item that no round has asked yet."""
    _refuse_locked(item)
    study = item.study
    audit.record("delphi.delete_item", study, actor=actor, before=_item_audit(item))
    study.items.remove(item)
    db.session.flush()


#: Directions an organiser can move an item in the list.
MOVES = {"up": -1, "down": 1}


def move_item(item: DelphiItem, actor, direction: str) -> bool:
    """Swap an item with its neighbour above or below; only before round 1 opens (the order panelists see is part of
    the instrument). Positions are renumbered 1..n, which also repairs ties. Returns False at either end of the list."""
    study = item.study
    if direction not in MOVES:
        raise DomainError(_l("Unknown direction."))
    if study.is_finished:
        raise InvalidTransition(study, "move_item", _l("A finished study cannot be changed."))
    if study.is_frozen or study.voting_rounds:
        raise InvalidTransition(study, "move_item", _l("The order of the items is fixed once round 1 has opened."))
    ordered = sorted(study.items, key=lambda i: (i.position, i.id))
    index = ordered.index(item)
    target = index + MOVES[direction]
    if not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, each in enumerate(ordered, start=1):
        each.position = position
    db.session.flush()
    audit.record("delphi.move_item", study, actor=actor, after={"order": [each.code for each in ordered]})
    return True


def dismiss_proposal(proposal: DelphiProposal, actor) -> None:
    """Set aside a round-0 proposal (it stays visible to its author as not taken up)."""
    proposal.status = ProposalStatus.DISMISSED
    db.session.flush()
    audit.record("delphi.dismiss_proposal", object_type="delphi_proposals", object_id=proposal.id, actor=actor)
