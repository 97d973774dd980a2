"""Typing a date as a person does: day/month/year into the visible field the date picker puts beside the sent one.

`static/js/sinergi.js` shows every date field as day/month/year in the page's language (flatpickr); the field
that is sent keeps its id and name and holds yyyy-mm-dd, which is checked after leaving the field.
"""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect


def type_date(page: Page, field_id: str, day: date) -> None:
    shown = page.locator(f"#{field_id}_shown")
    shown.fill(day.strftime("%d/%m/%Y"))
    shown.press("Tab")
    expect(page.locator(f"#{field_id}")).to_have_value(day.isoformat())
