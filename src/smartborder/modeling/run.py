"""Running a scenario: its replications one after another (reporting progress), the figures
across them, and a base against a variant with the same seeds."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from smartborder.modeling import statistics
from smartborder.modeling.scenario import Scenario
from smartborder.modeling.simulation import replicate

Progress = Callable[[int, int], None]


def replications_of(
    scenario: Scenario, replications: int | None = None, progress: Progress | None = None
) -> tuple[list[dict[str, Any]], float]:
    """Every replication's figures, and the seconds they took."""
    count = replications or scenario.simulation.replications
    started = time.perf_counter()
    done: list[dict[str, Any]] = []
    for index in range(count):
        done.append(replicate(scenario, index))
        if progress is not None:
            progress(index + 1, count)
    return done, time.perf_counter() - started


def run(
    scenario: Scenario, replications: int | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """The figures of a run, with what was run."""
    reps, seconds = replications_of(scenario, replications, progress)
    return {
        "scenario": scenario.name,
        "crossing": scenario.crossing,
        "simulation": scenario.simulation.model_dump(mode="json"),
        "seconds": round(seconds, 3),
        "summary": statistics.summarise(reps),
    }


def compare(
    base: Scenario,
    variant: Scenario,
    replications: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Base and variant with the same seeds; each one's figures and the paired differences."""
    count = replications or base.simulation.replications
    variant = variant.model_copy(update={"simulation": base.simulation})

    def half(offset: int) -> Progress | None:
        if progress is None:
            return None
        return lambda done, _total: progress(offset + done, 2 * count)

    base_reps, base_seconds = replications_of(base, count, half(0))
    variant_reps, variant_seconds = replications_of(variant, count, half(count))
    return {
        "scenario": base.name,
        "variant": variant.name,
        "crossing": base.crossing,
        "simulation": base.simulation.model_dump(mode="json"),
        "seconds": round(base_seconds + variant_seconds, 3),
        "summary": statistics.summarise(base_reps),
        "variant_summary": statistics.summarise(variant_reps),
        "comparison": statistics.compare(base_reps, variant_reps),
    }
