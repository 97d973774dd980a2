"""Cases API (/api/v1/cases): the same services and selectors as the pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["cases"])
