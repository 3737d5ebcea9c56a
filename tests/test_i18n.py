"""Translation catalogues: complete in Kazakh and Russian, placeholders intact, and actually used by the pages."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from civic.config import ROOT

CATALOGUES = ROOT / "civic" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s|%d")


def _catalogue(lang):
    with open(CATALOGUES / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


def _template_ids():
    with open(CATALOGUES / "messages.pot", "rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_message_is_translated(lang):
    catalogue = _catalogue(lang)
    missing = [m.id for m in catalogue if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert missing == [], f"{len(missing)} untranslated in {lang}, e.g. {missing[:5]}"
    assert fuzzy == [], f"fuzzy entries in {lang}: {fuzzy[:5]}"


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_catalogue_covers_the_template(lang):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue(lang) if m.id}
    assert _template_ids() <= ids, "run `make extract-messages`"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_placeholders_survive_translation(lang):
    for message in _catalogue(lang):
        if not message.id or not message.string:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        for target in targets:
            if target:
                assert set(PLACEHOLDER.findall(target)) <= set(PLACEHOLDER.findall(source)) | {"%(num)s"}, source


def test_catalogues_are_compiled_at_install():
    for lang in ("kk", "ru"):
        assert Path(CATALOGUES / lang / "LC_MESSAGES" / "messages.mo").exists(), "run `make translations`"


@pytest.mark.parametrize(("lang", "phrase"), [("kk", "әкім"), ("ru", "акимат")])
def test_pages_are_shown_in_the_chosen_language(client, lang, phrase):
    page = client.get("/", headers={"Accept-Language": lang}).text
    assert f'<html lang="{lang}">' in page
    assert "Your voice in your akimat" not in page
    assert phrase in page.lower()
