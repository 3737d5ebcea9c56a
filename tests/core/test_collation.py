"""Names are listed in the alphabetical order of the page's language, not by code point."""

from __future__ import annotations

import re

import pytest

from civic.core.i18n import collation_key, sort_by_name

KAZAKH_ALPHABET = list("АӘБВГҒДЕЁЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫІЬЭЮЯ")
RUSSIAN_ALPHABET = list("АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ")


def test_kazakh_districts_in_kazakh_order():
    names = ["Түрксіб", "Бостандық", "Әуезов", "Алмалы", "Медеу", "Алатау", "Жетісу", "Наурызбай"]
    assert sort_by_name(names, language="kk") == [
        "Алатау",
        "Алмалы",
        "Әуезов",
        "Бостандық",
        "Жетісу",
        "Медеу",
        "Наурызбай",
        "Түрксіб",
    ]


def test_kazakh_letters_follow_their_base_letter():
    assert sort_by_name(["Атырау", "Ақмола", "Алматы"], language="kk") == ["Ақмола", "Алматы", "Атырау"]
    assert sort_by_name(["Ілияс", "Ыбырай", "Ішкі", "Ьь"], language="kk") == ["Ыбырай", "Ілияс", "Ішкі", "Ьь"]
    assert sort_by_name(["Үржар", "Ұлытау", "Уил", "Фурманов"], language="kk") == [
        "Уил",
        "Ұлытау",
        "Үржар",
        "Фурманов",
    ]
    assert sort_by_name(["Цой", "Һарун", "Хан"], language="kk") == ["Хан", "Һарун", "Цой"]


def test_the_whole_kazakh_alphabet_and_case():
    shuffled = sorted(KAZAKH_ALPHABET, key=ord)
    assert sort_by_name(shuffled, language="kk") == KAZAKH_ALPHABET
    lower = [letter.lower() for letter in KAZAKH_ALPHABET]
    assert sort_by_name(sorted(lower, key=ord), language="kk") == lower
    # Case is a lesser difference than the letter: "әуе" and "Әуезов" stay together, between А and Б.
    assert sort_by_name(["Бір", "әуе", "Әуезов", "ана"], language="kk") == ["ана", "әуе", "Әуезов", "Бір"]


def test_russian_order():
    assert sort_by_name(sorted(RUSSIAN_ALPHABET, key=ord), language="ru") == RUSSIAN_ALPHABET
    names = ["Ёлочный", "Южный", "Ежевичный", "Абай", "Яблоневый", "Ельцовка"]
    assert sort_by_name(names, language="ru") == ["Абай", "Ежевичный", "Ёлочный", "Ельцовка", "Южный", "Яблоневый"]
    # Ё is a variant of Е in Russian (ёлочный before ельцовка), not a letter before А as by code point.
    assert sorted(["Ёж", "Бор"]) == ["Ёж", "Бор"]
    assert sort_by_name(["Ёж", "Бор"], language="ru") == ["Бор", "Ёж"]


def test_objects_and_keys():
    class Named:
        def __init__(self, name):
            self.name = name

    items = [Named("Бостандық"), Named("Әуезов")]
    assert [i.name for i in sort_by_name(items, language="kk")] == ["Әуезов", "Бостандық"]
    assert sort_by_name([("b", "Бостандық"), ("a", "Әуезов")], key=lambda p: p[1], language="kk")[0][0] == "a"
    assert collation_key("Әуезов", "kk") < collation_key("Бостандық", "kk")
    assert collation_key(None, "kk") == collation_key("", "kk")


def _option_labels(page: str, select_name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{select_name}".*?</select>', page, re.S).group(0)
    return [re.sub(r"^(— )+", "", label.strip()) for label in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


def test_territory_select_is_alphabetical_in_kazakh(client, directory):
    page = client.get("/register").text
    labels = _option_labels(page, "home_territory")
    almaty = [
        label
        for label in labels
        if label.endswith("ауданы")
        and label.split()[0] in {"Алатау", "Алмалы", "Әуезов", "Бостандық", "Жетісу", "Медеу", "Наурызбай", "Түрксіб"}
    ]
    assert almaty == [
        f"{n} ауданы" for n in ("Алатау", "Алмалы", "Әуезов", "Бостандық", "Жетісу", "Медеу", "Наурызбай", "Түрксіб")
    ]
    assert labels.index("Ақмола облысы") < labels.index("Атырау облысы")


@pytest.mark.parametrize("language", ["ru"])
def test_territory_select_is_alphabetical_in_russian(client, directory):
    labels = _option_labels(client.get("/register").text, "home_territory")
    regions = [label for label in labels if label.endswith("область")]
    assert regions == sort_by_name(regions, language="ru")
    assert labels.index("Акмолинская область") < labels.index("Атырауская область")
    assert labels.index("Ауэзовский район") < labels.index("Бостандыкский район") < labels.index("Турксибский район")


def test_admin_lists_bodies_and_categories_alphabetically(client, auth, make_user, directory):
    admin = make_user(roles=["admin"])
    auth.login(admin)
    page = client.get("/admin/bodies").text
    body_id = re.search(r'/admin/bodies/(\d+)"', page).group(1)
    labels = _option_labels(client.get(f"/admin/bodies/{body_id}").text, "categories")
    assert len(labels) > 3
    assert labels == sort_by_name(labels, language="kk")
    assert labels.index("Әлеуметтік төлемдер мен жәрдемақылар") < labels.index("Басқа мәселелер")
