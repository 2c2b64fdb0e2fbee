"""Scenario and variant files: the examples are valid; bad input is refused with the field path,
the line and the reason of every problem, never a half-read scenario."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from smartborder.errors import ValidationFailed
from smartborder.modeling.scenario import check_scenario, read_scenario
from smartborder.modeling.variants import examples_folder, load_any, read_any

BASE = examples_folder() / "peace-arch-douglas.yaml"


def base_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    return data


def problems_of(data: dict[str, Any]) -> dict[str, str]:
    scenario, problems = check_scenario(data)
    assert scenario is None
    return {p.location: p.message for p in problems}


def test_every_example_is_valid_and_cites_its_sources() -> None:
    files = sorted(examples_folder().glob("*.yaml"))
    assert len(files) >= 5
    for path in files:
        scenario = load_any(path)
        assert scenario.directions, path
        assert len(scenario.sources) >= 3 or "base:" in path.read_text(), path
    crossings = {load_any(p).crossing for p in files}
    assert any("Peace Arch" in c for c in crossings)
    assert any("Ambassador" in c for c in crossings)


def test_bad_values_are_each_reported_with_their_path() -> None:
    data = base_data()
    south = data["directions"][0]
    south["arrivals"]["cars"]["per_hour"][3] = -5  # negative rate
    south["secondary"]["referral"]["general"] = 1.4  # probability outside [0, 1]
    south["booths"][1]["lanes"] = []  # booths with no lanes
    south["booths"][0]["lanes"] = ["general", "ready"]  # unknown lane type
    found = problems_of(data)
    assert "directions[0].arrivals.cars.per_hour[3]" in found
    assert "greater than or equal to 0" in found["directions[0].arrivals.cars.per_hour[3]"]
    assert "less than or equal to 1" in found["directions[0].secondary.referral.general"]
    assert (
        found["directions[0].booths[1].lanes"] == "a booth group must serve at least one lane type"
    )
    assert "'general'" in found["directions[0].booths[0].lanes[1]"]  # lists the lane types


def test_a_schedule_must_cover_the_whole_day_once() -> None:
    data = base_data()
    schedule = data["directions"][0]["booths"][0]["schedule"]
    schedule[1] = {"from": 7, "to": 10, "open": 4}  # hour 6 uncovered
    schedule.append({"from": 20, "to": 22, "open": 1})  # 20 and 21 covered twice
    data["directions"][1]["booths"][1]["schedule"] = [{"from": 0, "to": 24, "open": 3}]
    found = problems_of(data)
    assert "hours 6 are not covered" in found["directions[0].booths[0].schedule"]
    assert "already covered by schedule[4]" in found["directions[0].booths[0].schedule[5]"]
    assert found["directions[1].booths[1].schedule[0].open"] == "3 booths open but the group has 1"


def test_semantic_problems_name_what_is_missing() -> None:
    data = base_data()
    south = data["directions"][0]
    del south["service"]["nexus"]
    south["service"]["fast"] = {"distribution": "exponential", "mean": 1}
    south["arrivals"]["trucks"] = {"per_hour": [10] * 24}
    data["directions"][1]["name"] = "southbound"
    found = problems_of(data)
    assert (
        found["directions[0].arrivals.trucks"] == "no booth serves the commercial lane trucks use"
    )
    assert found["directions[0].service"] == "no service time for the nexus lane its booths serve"
    assert found["directions[0].service.fast"] == "no booth serves a fast lane"
    assert found["directions[1].name"] == "direction 'southbound' is already directions[0]"
    data = base_data()
    data["directions"][0]["service"]["general"] = {"distribution": "lognormal", "mean": 1.1}
    data["directions"][0]["service"]["nexus"]["max"] = 3
    found = problems_of(data)
    assert found["directions[0].service.general"] == "a lognormal distribution needs sd"
    assert found["directions[0].service.nexus"] == "a lognormal distribution takes no max"


def test_lines_point_into_the_file() -> None:
    text = BASE.read_text(encoding="utf-8").replace("eligible_share: 0.35", "eligible_share: 1.35")
    with pytest.raises(ValidationFailed) as caught:
        read_scenario(text, "pa.yaml")
    [detail] = caught.value.details
    assert detail["location"] == "directions[0].arrivals.cars.eligible_share"
    assert text.splitlines()[detail["line"] - 1].strip() == "eligible_share: 1.35"


def test_a_variant_names_its_base_and_typed_changes(tmp_path: Path) -> None:
    variant = tmp_path / "v.yaml"
    variant.write_text(
        f"name: more NEXUS\nbase: {BASE}\nchanges:\n"
        "  - add_booths: {direction: southbound, group: NEXUS, count: 1}\n"
        "  - scale_traffic: {factor: 1.2, stream: cars}\n"
    )
    changed = load_any(variant)
    base = load_any(BASE)
    group = changed.direction("southbound").booths[1]
    assert group.count == base.direction("southbound").booths[1].count + 1
    assert group.open_by_hour()[12] == 2
    assert group.open_by_hour()[3] == 0
    assert changed.direction("northbound").arrivals["cars"].per_hour[12] == pytest.approx(
        base.direction("northbound").arrivals["cars"].per_hour[12] * 1.2
    )
    bad = copy.deepcopy(variant.read_text()).replace("group: NEXUS", "group: Fast")
    with pytest.raises(ValidationFailed) as caught:
        read_any(bad, "bad.yaml", tmp_path)
    [detail] = caught.value.details
    assert detail["location"] == "changes[0].add_booths.group"
    assert detail["line"] == 4
    assert "no booth group 'Fast' in southbound" in detail["message"]


def test_a_variant_sent_over_the_api_may_only_name_an_example() -> None:
    with pytest.raises(ValidationFailed) as caught:
        read_any(
            "name: x\nbase: ../../etc/passwd\nchanges:\n  - scale_traffic: {factor: 2}\n",
            "v.yaml",
            None,
        )
    assert caught.value.details[0]["location"] == "base"
