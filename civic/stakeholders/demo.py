"""Demo data: a stakeholder map for every initiative the initiatives demo started (``context.objects``), scored by
the team and by a Delphi panel of experts, one stakeholder moving from group 3 to group 2 after a dialogue, and the
group-4 consultation recorded — the register reused per territory."""

from __future__ import annotations

from civic.stakeholders import services

STAKEHOLDERS = (
    # name, kind, (interest, influence) first, (interest, influence) later or None
    ("Қоғамдық кеңес / Общественный совет", "expert", (4, 4), None),
    ("Мәслихат / Маслихат", "state_body", (2, 5), None),
    ("Ата-аналар бірлестігі / Объединение родителей", "group", (2, 2), (4, 4)),
    ("«Көпбалалы аналар» ҚБ / ОО «Многодетные матери»", "ngo", (5, 2), None),
    ("Жеке балабақшалар қауымдастығы / Ассоциация частных детсадов", "business", (2, 2), None),
)


def seed_demo(context) -> None:
    owners = context.objects.get("initiatives", [])
    for owner in owners:
        _map(owner["owner_type"], owner["owner_id"], owner["owner"], owner["territory"], context.rng)
    context.echo(f"  stakeholders: {len(owners)} maps, one stakeholder moved from group 3 to group 2 in each")


def _map(owner_type: str, owner_id: int, owner, territory, rng) -> None:
    stakeholder_map = services.open_map(owner_type, owner_id, owner)
    register = {s.name: s for s in services.register_of(territory)}
    for name, kind, first, later in STAKEHOLDERS:
        stakeholder = register.get(name) or services.register_stakeholder(
            territory, services.StakeholderData(name, kind, contact_name="Демо контакт", contact_email=""), owner
        )
        entry = services.add_to_map(stakeholder_map, stakeholder, owner)
        services.score(entry, owner, *first)
        services.score(
            entry,
            owner,
            min(5, first[0] + rng.choice((0, 0, 1))),
            first[1],
            assessor_label="Сарапшылар / Эксперты Дельфи",
        )
        if later is not None:  # a dialogue brings this group in: group 3 → group 2
            services.score(entry, owner, *later)
            services.record_engagement(entry, owner, "dialogue", "Приглашены на заседание общественного совета.")
    for entry in services.entries(stakeholder_map):
        if entry.group == 4:
            services.record_engagement(entry, owner, "consultation", "Условия решения согласованы на сессии маслихата.")
