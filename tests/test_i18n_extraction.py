"""Every translatable string in the code and the templates reaches the catalogues.

The catalogue tests in test_i18n.py compare the catalogues with messages.pot, so a string that
`pybabel extract` never sees (pybabel's default --ignore-dirs skips folders named `_*`, such as
templates/_macros/) would stay English while those tests report 100 %. These tests walk the source
folders themselves, with the project's babel.cfg, and compare what they find with the catalogues.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from civic.config import ROOT

CATALOGUES = ROOT / "civic" / "translations"
SOURCE_FOLDERS = ("civic", "templates")
#: The same keywords as `make extract-messages` (-k _l -k lazy_gettext).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def _msgid(message_id) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _walk_filter(dirpath: str) -> bool:
    """Enter every folder under civic/ and templates/ (underscore ones included) except caches and dot-folders."""
    relative = Path(dirpath).relative_to(ROOT)
    name = relative.name
    return relative.parts[0] in SOURCE_FOLDERS and not name.startswith(".") and name != "__pycache__"


@pytest.fixture(scope="module")
def source_messages() -> dict[str, set[str]]:
    """msgid -> the files it appears in, found by walking civic/ and templates/ with babel.cfg's method map."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, set[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=_walk_filter
    ):
        if message:
            found.setdefault(_msgid(message), set()).add(filename)
    return found


def _ids(path: Path, locale: str | None = None) -> set[str]:
    with open(path, "rb") as handle:
        return {_msgid(m.id) for m in read_po(handle, locale=locale) if m.id}


def _missing_report(missing: set[str], found: dict[str, set[str]]) -> str:
    lines = [f"  {msgid!r}  ({', '.join(sorted(found[msgid]))})" for msgid in sorted(missing)]
    return "\n".join(lines)


def test_the_walk_reaches_the_underscore_folders(source_messages):
    """The pager in templates/_macros/ is part of what is checked (this is what pybabel's defaults miss)."""
    for msgid in ("Previous", "Next", "Pages"):
        assert any("_macros" in f for f in source_messages.get(msgid, ())), msgid


def test_every_translatable_string_is_in_the_template(source_messages):
    missing = set(source_messages) - _ids(CATALOGUES / "messages.pot")
    assert not missing, (
        f"{len(missing)} translatable strings are not in messages.pot (run `make extract-messages`):\n"
        + _missing_report(missing, source_messages)
    )


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_translatable_string_is_in_the_catalogue(source_messages, lang):
    missing = set(source_messages) - _ids(CATALOGUES / lang / "LC_MESSAGES" / "messages.po", locale=lang)
    assert not missing, (
        f"{len(missing)} translatable strings are not in the {lang} catalogue "
        f"(run `make extract-messages`, then translate):\n" + _missing_report(missing, source_messages)
    )


def _makefile_extract_command(output: Path) -> list[str]:
    """The `pybabel extract` command of the Makefile's extract-messages target, writing to ``output``."""
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if "pybabel extract" in line)
    command = ""
    for line in lines[start:]:
        command += line.strip().removesuffix("\\") + " "
        if not line.rstrip().endswith("\\"):
            break
    args = shlex.split(command.replace("$(BIN)/pybabel", "pybabel"))
    args[args.index("-o") + 1] = str(output)
    return [sys.executable, "-m", "babel.messages.frontend", *args[1:]]


def test_make_extract_messages_finds_the_same_strings(source_messages, tmp_path):
    """`make extract-messages` (its pybabel command and babel.cfg) sees everything the walk above sees."""
    output = tmp_path / "messages.pot"
    subprocess.run(
        _makefile_extract_command(output),
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    missing = set(source_messages) - _ids(output)
    assert not missing, "`make extract-messages` misses:\n" + _missing_report(missing, source_messages)
