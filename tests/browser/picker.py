"""Choosing a region in the htmx region picker as a person does, level by level.

Each choice swaps the whole picker (``regions/picker.html``); a choice made while htmx is still settling the
new picker would fire before its ``change`` trigger is bound and be lost, so each level waits until the picker
is idle.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

LEVELS = ("province", "regency", "district", "village")


def choose_region(page: Page, code: str, *, picker_selector: str = ".region-picker") -> None:
    """Choose `code` (e.g. "72.10.12.2002") from the regency down; the province is preselected or chosen too."""
    parts = code.split(".")
    for depth in range(1, len(parts)):
        level, value = LEVELS[depth], ".".join(parts[: depth + 1])
        idle = page.locator(f"{picker_selector}:not(.htmx-request):not(.htmx-settling):not(.htmx-swapping)")
        option = idle.locator(f"select[data-region-level={level}] option[value='{value}']")
        expect(option).to_be_attached()
        idle.locator(f"select[data-region-level={level}]").select_option(value)
