"""One replication of a scenario: a discrete-event simulation of each direction with SimPy.

Vehicles arrive as a Poisson process whose rate changes each hour (by hour of day and day of
week); each stream's eligible share (NEXUS members, FAST-approved trucks) heads for its trusted
lane but takes the general (or commercial) lane when the expected wait there is shorter. Each
lane type has one queue (drivers pick the shortest lane, which pools the booths); each booth is
a SimPy process that serves the first vehicle waiting in the lanes it serves, in its group's
order of priority, while the schedule keeps it open (a closing booth finishes its vehicle
first). A share of vehicles is referred to secondary inspection, which has its own bays.

Statistics count vehicles that arrive after the warm-up, which starts the simulation with the
hours before the period studied so that it does not begin with empty queues. Random numbers
come from one generator per stream and replication, and each vehicle draws its uniforms on
arrival, so a variant sees the same traffic as its base (common random numbers) and the
difference between them is measured with less noise.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import simpy

from smartborder.modeling.scenario import (
    DAYS,
    STREAM_LANES,
    Direction,
    Distribution,
    LaneType,
    Scenario,
)

Sampler = Callable[[float], float]
Process = Generator[simpy.Event, Any, None]
_NORMAL = NormalDist()


def sampler(spec: Distribution) -> Sampler:
    """The service time for a uniform draw ``u`` in [0, 1) (inverse distribution function)."""
    kind = spec.distribution
    if kind == "constant":
        value = float(spec.mean or 0)
        return lambda u: value
    if kind == "exponential":
        mean = float(spec.mean or 0)
        return lambda u: -mean * math.log(1.0 - u)
    low, high = float(spec.min or 0), float(spec.max or 0)
    if kind == "uniform":
        return lambda u: low + u * (high - low)
    if kind == "triangular":
        mode = float(spec.mode or 0)
        cut = (mode - low) / (high - low)

        def triangular(u: float) -> float:
            if u < cut:
                return low + math.sqrt(u * (high - low) * (mode - low))
            return high - math.sqrt((1 - u) * (high - low) * (high - mode))

        return triangular
    mean, sd = float(spec.mean or 0), float(spec.sd or 0)
    sigma = math.sqrt(math.log(1 + (sd / mean) ** 2))
    mu = math.log(mean) - sigma * sigma / 2
    inverse = _NORMAL.inv_cdf
    return lambda u: math.exp(mu + sigma * inverse(min(max(u, 1e-12), 1 - 1e-12)))


class Vehicle:
    __slots__ = ("arrived", "eligible", "referral_u", "secondary_u", "service_u")

    def __init__(self, arrived: float, eligible: bool, rng: random.Random) -> None:
        self.arrived = arrived
        self.eligible = eligible
        self.service_u = rng.random()
        self.referral_u = rng.random()
        self.secondary_u = rng.random()


@dataclass
class Booth:
    lanes: list[Lane]
    group: GroupStats
    open: bool = False
    wake: simpy.Event | None = None


@dataclass
class Lane:
    name: LaneType
    service: Sampler
    mean_service: float
    referral: float
    queue: deque[Vehicle] = field(default_factory=deque)
    booths: list[Booth] = field(default_factory=list)
    open_booths: int = 0
    waits: list[float] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    diverted: int = 0
    eligible_served: int = 0
    queue_samples: list[int] = field(default_factory=list)

    def expected_wait(self) -> float:
        if self.open_booths == 0:
            return math.inf
        return (len(self.queue) + 1) * self.mean_service / self.open_booths


@dataclass
class GroupStats:
    name: str
    open_by_hour: list[int]
    busy: list[float]


@dataclass
class Secondary:
    bays: simpy.Resource | None
    service: Sampler | None
    waits: list[float] = field(default_factory=list)
    busy: float = 0.0
    capacity: int = 0
    referred: int = 0


class DirectionRun:
    """The simulation of one direction for one replication."""

    def __init__(self, scenario: Scenario, direction: Direction, seed: int) -> None:
        sim = scenario.simulation
        self.env = simpy.Environment()
        self.direction = direction
        self.seed = seed
        self.warmup = sim.warmup_hours * 60.0
        self.hours = sim.hours
        self.total = self.warmup + sim.hours * 60.0
        self.sample_every = float(sim.sample_minutes)
        start_day = DAYS.index(sim.day)
        # Clock hour h (0 = the first warm-up hour): its hour of day and day of week.
        self.clock: list[tuple[int, int]] = []
        for h in range(sim.warmup_hours + sim.hours):
            absolute = h - sim.warmup_hours
            self.clock.append((absolute % 24, (start_day + absolute // 24) % 7))
        self.lanes: dict[LaneType, Lane] = {}
        for name in direction.lanes():
            spec = direction.service[name]
            self.lanes[name] = Lane(
                name, sampler(spec), spec.average, direction.secondary.referral.get(name, 0.0)
            )
        self.groups: list[GroupStats] = []
        self.booths: list[list[Booth]] = []
        for group in direction.booths:
            stats = GroupStats(group.name, group.open_by_hour(), [0.0] * sim.hours)
            self.groups.append(stats)
            members = [
                Booth([self.lanes[n] for n in group.lanes], stats) for _ in range(group.count)
            ]
            self.booths.append(members)
            for booth in members:
                for lane in booth.lanes:
                    lane.booths.append(booth)
        spec2 = direction.secondary
        self.secondary = Secondary(
            simpy.Resource(self.env, spec2.bays) if spec2.bays else None,
            sampler(spec2.service) if spec2.service else None,
            capacity=spec2.bays,
        )
        self.generated = 0

    # -- processes ---------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        env = self.env
        for members in self.booths:
            for booth in members:
                env.process(self._booth(booth))
        for index, members in enumerate(self.booths):
            env.process(self._schedule(members, self.groups[index].open_by_hour))
        for number, (name, stream) in enumerate(sorted(self.direction.arrivals.items())):
            rng = random.Random(f"{self.seed}/{self.direction.name}/{name}/{number}")
            rates = [stream.rate(DAYS[day], hour) / 60.0 for hour, day in self.clock]
            own, trusted = STREAM_LANES[name]
            fast_all = name == "trucks" and self.direction.lane_choice.fast_open_to_all
            share = 1.0 if fast_all else stream.eligible_share
            env.process(self._arrivals(rng, rates, own, trusted, share))
        env.process(self._sampler())
        env.run(until=self.total)
        return self._results()

    def _arrivals(
        self,
        rng: random.Random,
        rates: list[float],
        own: LaneType,
        trusted: LaneType | None,
        share: float,
    ) -> Process:
        env = self.env
        own_lane = self.lanes.get(own)
        trusted_lane = self.lanes.get(trusted) if trusted else None
        may_switch = self.direction.lane_choice.trusted_may_use_general
        t = 0.0
        end = self.total
        while t < end:
            hour = int(t // 60.0)
            rate = rates[hour]
            boundary = (hour + 1) * 60.0
            if rate <= 0.0:
                t = boundary
                continue
            t += rng.expovariate(rate)
            if t >= boundary:
                t = boundary
                continue
            yield env.timeout(t - env.now)
            eligible = share > 0.0 and rng.random() < share
            vehicle = Vehicle(t, eligible, rng)
            self.generated += 1
            lane = own_lane
            if eligible and trusted_lane is not None:
                lane = trusted_lane
                if own_lane is not None and (
                    trusted_lane.open_booths == 0
                    or (may_switch and own_lane.expected_wait() < trusted_lane.expected_wait())
                ):
                    lane = own_lane
                    if t >= self.warmup:
                        own_lane.diverted += 1
            if lane is None:  # only the trusted lane exists: everyone uses it
                lane = trusted_lane
            assert lane is not None
            lane.queue.append(vehicle)
            for booth in lane.booths:
                wake = booth.wake
                if wake is not None and booth.open:
                    booth.wake = None
                    wake.succeed()
                    break

    def _booth(self, booth: Booth) -> Process:
        env = self.env
        warmup = self.warmup
        busy = booth.group.busy
        lanes = booth.lanes
        while True:
            lane = None
            if booth.open:
                for candidate in lanes:
                    if candidate.queue:
                        lane = candidate
                        break
            if lane is None:
                booth.wake = env.event()
                yield booth.wake
                continue
            vehicle = lane.queue.popleft()
            now = env.now
            duration = lane.service(vehicle.service_u)
            if vehicle.arrived >= warmup:
                lane.waits.append(now - vehicle.arrived)
                lane.arrivals.append(vehicle.arrived)
                if vehicle.eligible:
                    lane.eligible_served += 1
            if now >= warmup:
                busy[int((now - warmup) // 60.0)] += duration
            yield env.timeout(duration)
            if vehicle.referral_u < lane.referral and self.secondary.bays is not None:
                if vehicle.arrived >= warmup:
                    self.secondary.referred += 1
                env.process(self._secondary(vehicle))

    def _secondary(self, vehicle: Vehicle) -> Process:
        secondary = self.secondary
        assert secondary.bays is not None
        assert secondary.service is not None
        env = self.env
        with secondary.bays.request() as bay:
            queued = env.now
            yield bay
            duration = secondary.service(vehicle.secondary_u)
            if vehicle.arrived >= self.warmup:
                secondary.waits.append(env.now - queued)
                secondary.busy += min(duration, self.total - env.now)
            yield env.timeout(duration)

    def _schedule(self, members: list[Booth], open_by_hour: list[int]) -> Process:
        env = self.env
        for hour, (of_day, _day) in enumerate(self.clock):
            wanted = open_by_hour[of_day]
            for index, booth in enumerate(members):
                should = index < wanted
                if should != booth.open:
                    booth.open = should
                    for lane in booth.lanes:
                        lane.open_booths += 1 if should else -1
                    if should and booth.wake is not None:
                        wake, booth.wake = booth.wake, None
                        wake.succeed()
            yield env.timeout((hour + 1) * 60.0 - env.now)

    def _sampler(self) -> Process:
        env = self.env
        yield env.timeout(self.warmup)
        lanes = list(self.lanes.values())
        while True:
            for lane in lanes:
                lane.queue_samples.append(len(lane.queue))
            yield env.timeout(self.sample_every)

    # -- figures -----------------------------------------------------------------------
    def _results(self) -> dict[str, Any]:
        hours = self.hours
        lanes: dict[str, Any] = {}
        for name, lane in self.lanes.items():
            waits = np.asarray(lane.waits, dtype=float)
            arrived = np.asarray(lane.arrivals, dtype=float)
            slot = ((arrived - self.warmup) // 60.0).astype(int) if len(arrived) else arrived
            served = (
                np.bincount(slot.astype(int), minlength=hours)[:hours]
                if len(waits)
                else (np.zeros(hours))
            )
            summed = (
                np.bincount(slot.astype(int), weights=waits, minlength=hours)[:hours]
                if len(waits)
                else np.zeros(hours)
            )
            hourly = np.divide(summed, served, out=np.full(hours, np.nan), where=served > 0)
            lanes[name] = {
                "served": len(waits),
                "in_queue_at_end": len(lane.queue),
                "mean_wait": float(waits.mean()) if len(waits) else 0.0,
                "p50_wait": float(np.percentile(waits, 50)) if len(waits) else 0.0,
                "p95_wait": float(np.percentile(waits, 95)) if len(waits) else 0.0,
                "max_wait": float(waits.max()) if len(waits) else 0.0,
                "throughput_per_hour": len(waits) / hours,
                "eligible_served": lane.eligible_served,
                "diverted_here": lane.diverted,
                "hourly_wait": [None if math.isnan(v) else round(float(v), 3) for v in hourly],
                "hourly_served": [int(v) for v in served],
                "queue": lane.queue_samples,
                "max_queue": max(lane.queue_samples, default=0),
            }
        groups: dict[str, Any] = {}
        for stats in self.groups:
            open_minutes = [
                stats.open_by_hour[self.clock[int(self.warmup // 60) + h][0]] * 60.0
                for h in range(hours)
            ]
            total_open = sum(open_minutes)
            groups[stats.name] = {
                "utilisation": sum(stats.busy) / total_open if total_open else 0.0,
                "hourly_utilisation": [
                    round(min(busy / minutes, 1.0), 4) if minutes else None
                    for busy, minutes in zip(stats.busy, open_minutes, strict=True)
                ],
            }
        secondary = self.secondary
        bay_minutes = secondary.capacity * hours * 60.0
        waits = np.asarray(secondary.waits, dtype=float)
        return {
            "lanes": lanes,
            "groups": groups,
            "secondary": {
                "referred": secondary.referred,
                "waiting_at_end": secondary.referred - len(secondary.waits),
                "mean_wait": float(waits.mean()) if len(waits) else 0.0,
                "max_wait": float(waits.max()) if len(waits) else 0.0,
                "utilisation": secondary.busy / bay_minutes if bay_minutes else 0.0,
            },
            "vehicles": self.generated,
        }


def replicate(scenario: Scenario, replication: int) -> dict[str, Any]:
    """Run replication number ``replication`` (0-based) of every direction."""
    seed = scenario.simulation.seed * 1_000_003 + replication
    directions = {
        direction.name: DirectionRun(scenario, direction, seed).run()
        for direction in scenario.directions
    }
    return {
        "replication": replication,
        "seed": seed,
        "vehicles": sum(d["vehicles"] for d in directions.values()),
        "directions": directions,
    }
