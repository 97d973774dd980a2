"""The Sulawesi Tengah map as inline SVG, drawn on the server from the shipped GeoJSON (no tiles, no internet).

Boundaries: data/geo/sulteng_regencies.geojson (wilayah_boundaries, © 2024 Cahya DSN, MIT; see data/geo/README.txt).
Population: data/geo/sulteng_population.csv, Dukcapil mid-2024 (one series only; the BPS figures are not mixed in).
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy

DATA = Path(__file__).resolve().parent / "data" / "geo"
POPULATION_SERIES = gettext_lazy("Population: Dukcapil (Kemendagri), mid-2024")
ATTRIBUTION = "Batas wilayah: wilayah_boundaries © 2024 Cahya DSN (MIT)"
WIDTH = 600
# Light to dark; the first is "no case".
PALETTE = ("#f1f5f9", "#fde0c5", "#facba6", "#f59e6b", "#e1602f", "#a83a16")


@dataclass(frozen=True)
class RegencyShape:
    code: str
    name: str
    path: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class MapRegency:
    code: str
    name: str
    path: str
    label_x: float
    label_y: float
    count: int
    population: int
    rate: float
    shade: int
    fill: str


@dataclass(frozen=True)
class Choropleth:
    regencies: list[MapRegency]
    width: int
    height: int
    measure: str
    breaks: list[float]
    legend: list[tuple[str, str]]


@cache
def population() -> dict[str, int]:
    with (DATA / "sulteng_population.csv").open(encoding="utf-8") as handle:
        return {row["code"]: int(row["population"]) for row in csv.DictReader(handle)}


@cache
def _names() -> tuple[tuple[str, str], ...]:
    with (DATA / "sulteng_population.csv").open(encoding="utf-8") as handle:
        return tuple(sorted((row["code"], row["name"]) for row in csv.DictReader(handle)))


def regency_names() -> dict[str, str]:
    return dict(_names())


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


@cache
def shapes() -> tuple[tuple[RegencyShape, ...], int]:
    """Each regency's SVG path in an equirectangular projection scaled by cos(latitude), and the map height."""
    features = json.loads((DATA / "sulteng_regencies.geojson").read_text(encoding="utf-8"))["features"]
    points = [point for feature in features for ring in _rings(feature["geometry"]) for point in ring]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    squash = math.cos(math.radians((south + north) / 2))
    scale = WIDTH / ((east - west) * squash)
    height = round((north - south) * scale)

    def xy(point: list[float]) -> tuple[float, float]:
        return (point[0] - west) * squash * scale, (north - point[1]) * scale

    built = []
    for feature in features:
        rings = _rings(feature["geometry"])
        parts = []
        for ring in rings:
            coords = [xy(point) for point in ring]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + "Z")
        biggest = max(rings, key=len)
        centre = [xy(point) for point in biggest]
        props = feature["properties"]
        built.append(
            RegencyShape(
                props["code"],
                props["name"],
                "".join(parts),
                sum(x for x, _y in centre) / len(centre),
                sum(y for _x, y in centre) / len(centre),
            )
        )
    return tuple(sorted(built, key=lambda shape: shape.code)), height


def choropleth(counts: dict[str, int], measure: str = "rate") -> Choropleth:
    """Shade each regency by cases per 100,000 residents (`rate`) or by the count (`count`), in five classes."""
    people = population()
    drawn, height = shapes()
    values = {
        shape.code: (
            counts.get(shape.code, 0) * 100_000 / people[shape.code] if measure == "rate" else counts.get(shape.code, 0)
        )
        for shape in drawn
    }
    top = max(values.values(), default=0)
    breaks = [top * step / 5 for step in range(1, 6)] if top else []

    def shade(value: float) -> int:
        if value <= 0 or not breaks:
            return 0
        return next(i + 1 for i, limit in enumerate(breaks) if value <= limit + 1e-9)

    regions = [
        MapRegency(
            shape.code,
            shape.name,
            shape.path,
            shape.label_x,
            shape.label_y,
            counts.get(shape.code, 0),
            people[shape.code],
            round(counts.get(shape.code, 0) * 100_000 / people[shape.code], 2),
            shade(values[shape.code]),
            PALETTE[shade(values[shape.code])],
        )
        for shape in drawn
    ]
    legend = [(PALETTE[0], "0")]
    lower = 0.0
    for i, limit in enumerate(breaks):
        legend.append((PALETTE[i + 1], f"{_fmt(lower)}–{_fmt(limit)}"))
        lower = limit
    return Choropleth(regions, WIDTH, height, measure, breaks, legend)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))
