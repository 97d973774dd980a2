"""Referrals API (/api/v1/referrals): transitions as POST actions, the same services as the pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["referrals"])
