"""PNG plots of a run (and of a variant beside its base): mean wait by hour per lane type,
queue length over time, and booth utilisation by hour; one panel per direction. Drawn with
matplotlib's object API (no pyplot state), so runs in background threads do not interfere."""

from __future__ import annotations

import io
from typing import Any

from matplotlib.figure import Figure

PLOTS = ("waits", "queues", "utilisation")
TITLES = {
    "waits": "Mean wait by hour of arrival (minutes)",
    "queues": "Vehicles queued over time",
    "utilisation": "Booth utilisation by hour",
}
Series = list[tuple[str, dict[str, Any]]]  # (label, summary) pairs: a run, or base and variant


def _figure(directions: list[str]) -> tuple[Figure, list[Any]]:
    figure = Figure(figsize=(9, 3.2 * len(directions)), layout="constrained")
    axes = figure.subplots(len(directions), 1, squeeze=False)
    return figure, [row[0] for row in axes]


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


def _hours(summary: dict[str, Any], direction: str) -> int:
    lanes = summary["directions"][direction]["lanes"]
    return max((len(lane["hourly_wait"]) for lane in lanes.values()), default=24)


def waits(series: Series) -> bytes:
    directions = list(series[0][1]["directions"])
    figure, axes = _figure(directions)
    for ax, direction in zip(axes, directions, strict=True):
        for index, (label, summary) in enumerate(series):
            lanes = summary["directions"].get(direction, {}).get("lanes", {})
            for lane, figures in lanes.items():
                curve = [float("nan") if v is None else v for v in figures["hourly_wait"]]
                name = f"{lane} ({label})" if len(series) > 1 else lane
                ax.plot(
                    range(len(curve)),
                    curve,
                    linestyle="-" if index == 0 else "--",
                    marker=".",
                    label=name,
                )
        ax.set_title(f"{direction}: {TITLES['waits']}")
        ax.set_xlabel("hour")
        ax.set_ylabel("minutes")
        ax.set_xlim(0, _hours(series[0][1], direction))
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", ncol=2)
    return _png(figure)


def queues(series: Series) -> bytes:
    directions = list(series[0][1]["directions"])
    figure, axes = _figure(directions)
    every = series[0][1].get("sample_minutes", 5)
    for ax, direction in zip(axes, directions, strict=True):
        for index, (label, summary) in enumerate(series):
            lanes = summary["directions"].get(direction, {}).get("lanes", {})
            for lane, figures in lanes.items():
                curve = [float("nan") if v is None else v for v in figures["queue"]]
                hours = [i * every / 60 for i in range(len(curve))]
                name = f"{lane} ({label})" if len(series) > 1 else lane
                ax.plot(hours, curve, linestyle="-" if index == 0 else "--", label=name)
        ax.set_title(f"{direction}: {TITLES['queues']}")
        ax.set_xlabel("hour")
        ax.set_ylabel("vehicles")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", ncol=2)
    return _png(figure)


def utilisation(series: Series) -> bytes:
    directions = list(series[0][1]["directions"])
    figure, axes = _figure(directions)
    for ax, direction in zip(axes, directions, strict=True):
        for index, (label, summary) in enumerate(series):
            groups = summary["directions"].get(direction, {}).get("groups", {})
            for group, figures in groups.items():
                curve = [float("nan") if v is None else v for v in figures["hourly_utilisation"]]
                name = f"{group} ({label})" if len(series) > 1 else group
                ax.step(
                    range(len(curve)),
                    curve,
                    where="post",
                    linestyle="-" if index == 0 else "--",
                    label=name,
                )
        ax.set_title(f"{direction}: {TITLES['utilisation']}")
        ax.set_xlabel("hour")
        ax.set_ylim(0, 1.05)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", ncol=2)
    return _png(figure)


def draw(series: Series) -> dict[str, bytes]:
    """Every plot of a run (or of a base and its variant), as PNG bytes by name."""
    return {"waits": waits(series), "queues": queues(series), "utilisation": utilisation(series)}


def series_of(result: dict[str, Any]) -> Series:
    """What a stored result plots: its run, or its base and its variant."""
    summary = {**result["summary"], "sample_minutes": result["simulation"]["sample_minutes"]}
    if "variant_summary" not in result:
        return [(result["scenario"], summary)]
    variant = {**result["variant_summary"], "sample_minutes": summary["sample_minutes"]}
    return [("base", summary), ("variant", variant)]
