from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from sinergi.regions.models import Region

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None


@router.get("", response=list[RegionOut], summary="Regions below a parent (provinces when no parent)")
def list_regions(request: HttpRequest, parent: str | None = None) -> list[RegionOut]:
    queryset = Region.objects.filter(parent_id=parent) if parent else Region.objects.filter(level=1)
    return [
        RegionOut(code=r.code, name=r.name, level=r.level, parent_code=r.parent_id) for r in queryset.order_by("code")
    ]
