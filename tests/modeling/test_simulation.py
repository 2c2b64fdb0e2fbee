"""The simulator against queueing theory, and the behaviour a scenario describes: schedules,
lane choice, secondary referrals, warm-up, common random numbers."""

from __future__ import annotations

import math
from typing import Any

import pytest
from scipy import stats as scipy_stats

from smartborder.modeling import run, statistics
from smartborder.modeling.scenario import Distribution, Scenario, check_scenario
from smartborder.modeling.simulation import replicate, sampler
from smartborder.modeling.theory import erlang_c, mmc_mean_wait


def scenario(**direction: Any) -> Scenario:
    simulation = direction.pop("simulation", {})
    base: dict[str, Any] = {
        "name": "test",
        "into": "US",
        "booths": [
            {
                "name": "B",
                "count": 5,
                "lanes": ["general"],
                "schedule": [{"from": 0, "to": 24, "open": 5}],
            }
        ],
        "arrivals": {"cars": {"per_hour": [255] * 24}},
        "service": {"general": {"distribution": "exponential", "mean": 1.0}},
    }
    base.update(direction)
    data = {
        "name": "test",
        "crossing": "test crossing",
        "simulation": {"hours": 24, "warmup_hours": 2, "replications": 5, "seed": 11, **simulation},
        "directions": [base],
    }
    found, problems = check_scenario(data)
    assert found is not None, problems
    return found


def test_erlang_c_matches_known_values() -> None:
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = rho
    assert mmc_mean_wait(0.5, 1.0, 1) == pytest.approx(1.0)  # rho / (mu - lambda)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


def test_an_mmc_crossing_waits_as_erlang_c_says() -> None:
    """Five booths, Poisson arrivals at 255/h, exponential service of 1 min (load 0.85): the
    mean wait in queue is Erlang C's 0.873 min; the simulated one's 95% interval holds it."""
    mmc = scenario(simulation={"hours": 96, "warmup_hours": 4, "replications": 8, "seed": 7})
    result = run.run(mmc)
    wait = result["summary"]["directions"]["test"]["lanes"]["general"]["mean_wait"]
    expected = mmc_mean_wait(255 / 60, 1.0, 5)
    assert expected == pytest.approx(0.8726, abs=1e-3)
    assert wait["low"] <= expected <= wait["high"], wait
    utilisation = result["summary"]["directions"]["test"]["groups"]["B"]["utilisation"]
    assert utilisation["mean"] == pytest.approx(0.85, abs=0.02)


def test_replications_are_reproducible_and_differ_from_each_other() -> None:
    s = scenario()
    first, again, second = replicate(s, 0), replicate(s, 0), replicate(s, 1)
    assert first == again
    assert (
        first["directions"]["test"]["lanes"]["general"]["mean_wait"]
        != (second["directions"]["test"]["lanes"]["general"]["mean_wait"])
    )


def test_closed_booths_hold_the_queue_until_they_open() -> None:
    closed_at_night = scenario(
        booths=[
            {
                "name": "B",
                "count": 5,
                "lanes": ["general"],
                "schedule": [{"from": 0, "to": 2, "open": 0}, {"from": 2, "to": 24, "open": 5}],
            }
        ],
        arrivals={"cars": {"per_hour": [30] * 24}},
        simulation={"warmup_hours": 0},
    )
    lane = replicate(closed_at_night, 0)["directions"]["test"]["lanes"]["general"]
    # cars arriving at midnight wait for the 02:00 opening; none is served before it
    assert lane["max_wait"] > 100
    assert lane["hourly_wait"][0] > 60
    assert lane["hourly_wait"][5] < 5
    assert lane["in_queue_at_end"] == 0


def test_nexus_members_use_the_general_lanes_when_quicker() -> None:
    two_lanes = {
        "booths": [
            {
                "name": "General",
                "count": 4,
                "lanes": ["general"],
                "schedule": [{"from": 0, "to": 24, "open": 4}],
            },
            {
                "name": "NEXUS",
                "count": 1,
                "lanes": ["nexus"],
                "schedule": [{"from": 0, "to": 12, "open": 0}, {"from": 12, "to": 24, "open": 1}],
            },
        ],
        "arrivals": {"cars": {"per_hour": [200] * 24, "eligible_share": 0.5}},
        "service": {
            "general": {"distribution": "exponential", "mean": 1.0},
            "nexus": {"distribution": "constant", "mean": 0.5},
        },
    }
    lanes = replicate(scenario(**two_lanes), 0)["directions"]["test"]["lanes"]
    # the NEXUS lane is closed until noon: every member arriving then goes to general
    assert lanes["general"]["diverted_here"] > 0.5 * 200 * 12 * 0.8
    assert lanes["nexus"]["served"] > 0
    assert lanes["general"]["eligible_served"] >= lanes["general"]["diverted_here"] - 5
    no_switching = {**two_lanes, "lane_choice": {"trusted_may_use_general": False}}
    strict = replicate(scenario(**no_switching), 0)["directions"]["test"]["lanes"]
    assert strict["general"]["diverted_here"] < lanes["general"]["diverted_here"]
    assert strict["nexus"]["mean_wait"] > lanes["nexus"]["mean_wait"]


def test_secondary_referrals_follow_their_probability() -> None:
    referred = scenario(
        secondary={
            "referral": {"general": 0.1},
            "bays": 3,
            "service": {"distribution": "constant", "mean": 10},
        },
    )
    result = replicate(referred, 0)["directions"]["test"]
    served = result["lanes"]["general"]["served"]
    assert result["secondary"]["referred"] == pytest.approx(0.1 * served, rel=0.15)
    assert 0 < result["secondary"]["utilisation"] <= 1


def test_a_variant_with_the_same_traffic_sees_the_same_vehicles() -> None:
    """Common random numbers: a variant that only adds booths sees the same arrivals, so the
    difference it makes is measured without the noise of different traffic."""
    base = scenario()
    more = scenario(
        booths=[
            {
                "name": "B",
                "count": 6,
                "lanes": ["general"],
                "schedule": [{"from": 0, "to": 24, "open": 6}],
            }
        ]
    )
    result = run.compare(base, more, 4)
    rows = {(r["subject"], r["metric"]): r for r in result["comparison"]["rows"]}
    assert result["summary"]["vehicles"]["mean"] == result["variant_summary"]["vehicles"]["mean"]
    waits = rows[("general lane", "mean_wait")]
    assert waits["variant"] < waits["base"]
    assert waits["significant"]
    assert rows[("B booths", "utilisation")]["difference"]["mean"] < 0


def test_the_confidence_interval_is_students_t() -> None:
    values = [1.0, 2.0, 4.0, 7.0]
    figure = statistics.interval(values)
    sd = scipy_stats.tstd(values)
    assert figure["ci95"] == pytest.approx(scipy_stats.t.ppf(0.975, 3) * sd / 2, abs=1e-4)
    assert statistics.interval([3.0])["ci95"] is None


@pytest.mark.parametrize(
    ("spec", "mean"),
    [
        ({"distribution": "exponential", "mean": 2.0}, 2.0),
        ({"distribution": "lognormal", "mean": 1.1, "sd": 0.6}, 1.1),
        ({"distribution": "triangular", "min": 0.5, "mode": 1.0, "max": 3.0}, 1.5),
        ({"distribution": "uniform", "min": 1.0, "max": 2.0}, 1.5),
        ({"distribution": "constant", "mean": 0.7}, 0.7),
    ],
)
def test_service_times_have_the_mean_they_declare(spec: dict[str, Any], mean: float) -> None:
    draw = sampler(Distribution.model_validate(spec))
    n = 20_000
    sample = [draw((i + 0.5) / n) for i in range(n)]  # a quasi-uniform sweep of [0, 1)
    assert math.fsum(sample) / n == pytest.approx(mean, rel=0.02)
