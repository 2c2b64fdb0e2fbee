"""Figures across replications: each metric's mean with a 95% confidence interval (Student's t
over the replications' values), curves averaged hour by hour, and the paired difference between
a base and a variant run with the same seeds (common random numbers)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from scipy import stats

LANE_METRICS = (
    "mean_wait",
    "p50_wait",
    "p95_wait",
    "max_wait",
    "throughput_per_hour",
    "served",
    "max_queue",
    "in_queue_at_end",
    "diverted_here",
)
SECONDARY_METRICS = ("referred", "waiting_at_end", "mean_wait", "max_wait", "utilisation")


def interval(values: Iterable[float]) -> dict[str, Any]:
    """Mean, 95% confidence half-width (None with one value), min and max."""
    data = np.asarray(list(values), dtype=float)
    n = len(data)
    mean = float(data.mean()) if n else 0.0
    half: float | None = None
    if n > 1:
        sd = float(data.std(ddof=1))
        half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return {
        "mean": round(mean, 4),
        "ci95": None if half is None else round(half, 4),
        "low": None if half is None else round(mean - half, 4),
        "high": None if half is None else round(mean + half, 4),
        "min": round(float(data.min()), 4) if n else 0.0,
        "max": round(float(data.max()), 4) if n else 0.0,
        "n": n,
    }


def _curve(rows: list[list[Any]]) -> list[float | None]:
    """Element-wise mean of equally long curves, ignoring gaps (None)."""
    if not rows:
        return []
    width = min(len(row) for row in rows)
    array = np.array(
        [[np.nan if v is None else float(v) for v in row[:width]] for row in rows], dtype=float
    )
    out: list[float | None] = []
    for column in array.T:
        present = column[~np.isnan(column)]
        out.append(round(float(present.mean()), 3) if len(present) else None)
    return out


def summarise(replications: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of a run: per direction, lane type, booth group and secondary."""
    first = replications[0]["directions"]
    directions: dict[str, Any] = {}
    for name, shape in first.items():
        per = [rep["directions"][name] for rep in replications]
        lanes = {
            lane: {
                **{m: interval(p["lanes"][lane][m] for p in per) for m in LANE_METRICS},
                "hourly_wait": _curve([p["lanes"][lane]["hourly_wait"] for p in per]),
                "hourly_served": _curve([p["lanes"][lane]["hourly_served"] for p in per]),
                "queue": _curve([p["lanes"][lane]["queue"] for p in per]),
            }
            for lane in shape["lanes"]
        }
        groups = {
            group: {
                "utilisation": interval(p["groups"][group]["utilisation"] for p in per),
                "hourly_utilisation": _curve(
                    [p["groups"][group]["hourly_utilisation"] for p in per]
                ),
            }
            for group in shape["groups"]
        }
        secondary = {m: interval(p["secondary"][m] for p in per) for m in SECONDARY_METRICS}
        directions[name] = {"lanes": lanes, "groups": groups, "secondary": secondary}
    return {
        "replications": len(replications),
        "vehicles": interval(rep["vehicles"] for rep in replications),
        "directions": directions,
    }


def _dig(rep: dict[str, Any], path: tuple[str, ...]) -> float:
    value: Any = rep["directions"]
    for key in path:
        value = value[key]
    return float(value)


def _paired(
    base: list[dict[str, Any]], variant: list[dict[str, Any]], path: tuple[str, ...]
) -> dict[str, Any]:
    before = [_dig(rep, path) for rep in base]
    after = [_dig(rep, path) for rep in variant]
    difference = interval(a - b for a, b in zip(after, before, strict=True))
    base_mean = float(np.mean(before))
    variant_mean = float(np.mean(after))
    return {
        "base": round(base_mean, 4),
        "variant": round(variant_mean, 4),
        "difference": difference,
        "relative": round((variant_mean - base_mean) / base_mean, 4) if base_mean else None,
        "significant": difference["low"] is not None
        and (difference["low"] > 0 or difference["high"] < 0),
    }


def compare(base: list[dict[str, Any]], variant: list[dict[str, Any]]) -> dict[str, Any]:
    """Variant minus base, replication by replication (same seeds), for each lane metric,
    booth group utilisation and secondary figure the two share; what only one has is listed."""
    n = min(len(base), len(variant))
    base, variant = base[:n], variant[:n]
    rows: list[dict[str, Any]] = []
    only: list[str] = []
    b_dirs, v_dirs = base[0]["directions"], variant[0]["directions"]
    for direction in sorted(set(b_dirs) | set(v_dirs)):
        if direction not in b_dirs or direction not in v_dirs:
            only.append(f"direction {direction}")
            continue
        b_lanes, v_lanes = b_dirs[direction]["lanes"], v_dirs[direction]["lanes"]
        for lane in sorted(set(b_lanes) | set(v_lanes)):
            if lane not in b_lanes or lane not in v_lanes:
                where = "base" if lane in b_lanes else "variant"
                only.append(f"{direction} {lane} lane (only in the {where})")
                continue
            for metric in ("mean_wait", "p95_wait", "max_wait", "throughput_per_hour"):
                rows.append(
                    {
                        "direction": direction,
                        "subject": f"{lane} lane",
                        "metric": metric,
                        **_paired(base, variant, (direction, "lanes", lane, metric)),
                    }
                )
        b_groups, v_groups = b_dirs[direction]["groups"], v_dirs[direction]["groups"]
        for group in sorted(set(b_groups) & set(v_groups)):
            rows.append(
                {
                    "direction": direction,
                    "subject": f"{group} booths",
                    "metric": "utilisation",
                    **_paired(base, variant, (direction, "groups", group, "utilisation")),
                }
            )
        rows.append(
            {
                "direction": direction,
                "subject": "secondary",
                "metric": "mean_wait",
                **_paired(base, variant, (direction, "secondary", "mean_wait")),
            }
        )
    return {"replications": n, "rows": rows, "unmatched": only}
