from __future__ import annotations

from typing import Any

from django import template

from sinergi.reports.suppression import PublicTable

register = template.Library()


@register.inclusion_tag("reports/_public_table.html")
def public_table(table: PublicTable, table_id: str, heading: str) -> dict[str, Any]:
    rows = list(zip(table.row_labels, table.cells, table.row_totals, strict=True))
    return {"table": table, "table_id": table_id, "heading": heading, "rows": rows, "wide": len(table.col_labels) > 1}
