"""Keyboard-only helpers for the browser tests: reach controls with Tab, act with Space, Enter and the arrows."""

from __future__ import annotations


def tab_to(page, selector: str, limit: int = 150) -> None:
    """Press Tab until the focused element matches ``selector`` (fails if it is never reached: not keyboard-usable)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def focused(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)


def choose_radio(page, name: str, value: str, limit: int = 12) -> None:
    """Tab into a radio group, check it with Space, then move with the arrow keys to ``value``."""
    tab_to(page, f"input[type=radio][name='{name}']")
    page.keyboard.press("Space")
    for _ in range(limit):
        if page.evaluate(
            "([n, v]) => document.querySelector(`input[name='${n}']:checked`)?.value === v", [name, value]
        ):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"value {value} of {name} cannot be chosen with the keyboard")
