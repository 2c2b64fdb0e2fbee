"""Border traffic modelling speed: simulated vehicles per second and the time to simulate 24 h
of a 12-booth crossing (about 30,000 vehicles), beside a baseline measured in the same run: the
same arrivals and service times through a bare SimPy M/M/12 model (one Resource, no schedules,
lane choice, secondary or statistics). Target: at most 2 s per replication on one core.

    uv run python bench/modeling.py [--replications N]

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from typing import Any

import simpy

from smartborder.modeling.scenario import Scenario, check_scenario
from smartborder.modeling.simulation import replicate

# 30,000 vehicles a day shaped like a busy crossing; 12 booths: 9 general, 3 NEXUS.
PROFILE = [0.4, 0.25, 0.2, 0.2, 0.3, 0.6, 1.0, 1.3, 1.4, 1.4, 1.4, 1.4,
           1.4, 1.4, 1.45, 1.5, 1.5, 1.4, 1.3, 1.15, 1.0, 0.85, 0.7, 0.55]  # fmt: skip
DAILY = 30_000


def crossing() -> Scenario:
    scale = DAILY / sum(PROFILE)
    data: dict[str, Any] = {
        "name": "bench: 12 booths, 30,000 vehicles",
        "crossing": "bench",
        "simulation": {"hours": 24, "warmup_hours": 1, "replications": 1, "seed": 3},
        "directions": [{
            "name": "inbound",
            "into": "US",
            "booths": [
                {"name": "General", "count": 9, "lanes": ["general"],
                 "schedule": [{"from": 0, "to": 6, "open": 6}, {"from": 6, "to": 24, "open": 9}]},
                {"name": "NEXUS", "count": 3, "lanes": ["nexus", "general"],
                 "schedule": [{"from": 0, "to": 24, "open": 3}]},
            ],
            "arrivals": {"cars": {"per_hour": [round(p * scale, 1) for p in PROFILE],
                                  "eligible_share": 0.3}},
            "service": {"general": {"distribution": "lognormal", "mean": 0.55, "sd": 0.3},
                        "nexus": {"distribution": "lognormal", "mean": 0.3, "sd": 0.1}},
            "secondary": {"referral": {"general": 0.03, "nexus": 0.01}, "bays": 8,
                          "service": {"distribution": "lognormal", "mean": 12, "sd": 8}},
        }],
    }  # fmt: skip
    scenario, problems = check_scenario(data)
    assert scenario is not None, problems
    return scenario


def baseline(vehicles: int, seed: int) -> float:
    """Seconds for a bare SimPy M/M/12 with as many vehicles (no statistics kept)."""
    env = simpy.Environment()
    booths = simpy.Resource(env, capacity=12)
    rng = random.Random(seed)
    rate = vehicles / (24 * 60)

    def vehicle() -> Any:
        with booths.request() as request:
            yield request
            yield env.timeout(rng.expovariate(1 / 0.5))

    def arrivals() -> Any:
        for _ in range(vehicles):
            yield env.timeout(rng.expovariate(rate))
            env.process(vehicle())

    started = time.perf_counter()
    env.process(arrivals())
    env.run()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=5)
    args = parser.parse_args()
    scenario = crossing()
    ours: list[float] = []
    bare: list[float] = []
    vehicles = 0
    for index in range(args.replications):
        started = time.perf_counter()
        result = replicate(scenario, index)
        ours.append(time.perf_counter() - started)
        vehicles = result["vehicles"]
        bare.append(baseline(vehicles, index))
        lane = result["directions"]["inbound"]["lanes"]["general"]
        print(
            f"replication {index}: {vehicles:,} vehicles in {ours[-1]:.3f} s "
            f"({vehicles / ours[-1]:,.0f}/s; general mean wait {lane['mean_wait']:.1f} min); "
            f"bare SimPy M/M/12 {bare[-1]:.3f} s"
        )
    best, best_bare = min(ours), min(bare)
    figures = {
        "vehicles_per_replication": vehicles,
        "seconds_per_replication": round(best, 3),
        "vehicles_per_second": round(vehicles / best),
        "baseline_seconds": round(best_bare, 3),
        "baseline_vehicles_per_second": round(vehicles / best_bare),
        "ratio_to_baseline": round(best / best_bare, 2),
        "target_seconds": 2.0,
        "target_met": best <= 2.0,
    }
    print(
        f"24 h of a 12-booth crossing: {best:.3f} s per replication ({vehicles:,} vehicles, "
        f"{vehicles / best:,.0f} vehicles/s); bare SimPy baseline {best_bare:.3f} s "
        f"(ours {best / best_bare:.2f}x); target <= 2 s: {'met' if best <= 2 else 'NOT met'}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
