"""Observed waits from the CBP feed (XML, JSON) and the CBSA CSV, and their comparison with a
simulated run of the scenario of their port."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartborder.errors import ValidationFailed
from smartborder.modeling import calibration, run
from smartborder.modeling.variants import examples_folder, load_any

DATA = Path(__file__).parent / "data"


def read(name: str) -> calibration.Observations:
    return calibration.read_observations((DATA / name).read_bytes(), name)


def test_the_cbp_xml_feed_gives_one_observation_per_lane_with_a_figure() -> None:
    found = read("cbp-bwt-1500.xml")
    by = {(o.port, o.lane): o for o in found.items}
    general = by[("300402", "general")]
    assert (general.delay, general.lanes_open, general.observed_at, general.zone) == (
        25.0,
        6,
        "2026-11-27T15:00",
        "PST",
    )
    assert general.direction == calibration.INTO_US
    assert by[("300402", "nexus")].delay == 20.0
    assert by[("300402", "pedestrian")].delay == 0.0
    assert by[("380001", "fast")].delay == 0.0
    assert by[("380001", "commercial")].observed_at == "2026-11-27T18:00"
    assert found.not_figures == 2  # N/A commercial at Peace Arch, closed Ready lanes


def test_the_cbp_json_feed_and_the_cbsa_csv() -> None:
    json_feed = read("cbp-bwt-0900.json")
    assert {(o.lane, o.delay) for o in json_feed.items} == {("general", 10.0), ("nexus", 0.0)}
    assert json_feed.not_figures == 1
    cbsa = read("cbsa-bwt.csv")
    douglas = [o for o in cbsa.items if o.port == "Douglas"]
    assert {(o.lane, o.direction, o.delay, o.observed_at) for o in douglas} == {
        ("general", calibration.INTO_CANADA, 15.0, "2026-11-27T16:10"),
        ("general", calibration.INTO_CANADA, 0.0, "2026-11-27T10:05"),
    }
    bridge = {o.lane: o.delay for o in cbsa.items if o.port == "Ambassador Bridge"}
    assert bridge == {"commercial": 60.0, "general": 5.0}


@pytest.mark.parametrize(
    ("name", "broken", "location", "message"),
    [
        (
            "feed.xml",
            ("<delay_minutes>25</delay_minutes>", "<delay_minutes>lots</delay_minutes>"),
            "port[0] (port 300402).passenger_vehicle_lanes.standard_lanes.delay_minutes",
            "'lots' is not a number of minutes",
        ),
        (
            "feed.xml",
            (
                "At 3:00 pm PST</update_time><operational_status>delay</operational_status><delay_minutes>20",
                "15h00</update_time><operational_status>delay</operational_status><delay_minutes>20",
            ),
            "port[0] (port 300402).passenger_vehicle_lanes.NEXUS_SENTRI_lanes.update_time",
            "'15h00' is not a time like 'At 2:00 pm PDT'",
        ),
        ("feed.xml", ("</border_wait_time>", ""), "document", "no element found"),
        (
            "cbsa.csv",
            ("15 minutes", "a while"),
            "Travellers Flow - Canada bound",
            "'a while' is not a delay like 'No Delay', '15 minutes' or '1 hour'",
        ),
    ],
)
def test_bad_values_are_located_and_refuse_the_file(
    name: str, broken: tuple[str, str], location: str, message: str
) -> None:
    source = DATA / ("cbp-bwt-1500.xml" if name.endswith("xml") else "cbsa-bwt.csv")
    text = source.read_text(encoding="utf-8-sig")
    assert broken[0] in text
    with pytest.raises(ValidationFailed) as caught:
        calibration.read_observations(text.replace(broken[0], broken[1], 1).encode(), name)
    [detail] = caught.value.details
    assert detail["location"] == location
    assert detail["message"].startswith(message)
    if name.endswith("csv"):
        assert detail["line"] == 2


def test_an_unknown_file_is_refused_saying_what_was_expected() -> None:
    with pytest.raises(ValidationFailed, match="not a CBP wait-time feed"):
        calibration.read_observations(b"port,delay\n1,2\n", "x.csv")


def test_observed_and_simulated_waits_side_by_side_for_the_port() -> None:
    scenario = load_any(examples_folder() / "peace-arch-douglas.yaml")
    result = run.run(scenario, 2)
    observed = calibration.merge(
        [read("cbp-bwt-1500.xml"), read("cbp-bwt-0900.json"), read("cbsa-bwt.csv")]
    )
    report = calibration.compare(scenario, result["summary"], observed)
    rows = {(r["direction"], r["lane"], r["hour"]): r for r in report["rows"]}
    three_pm = rows[("southbound", "general", 15)]
    assert three_pm["observed"] == 25.0
    simulated = result["summary"]["directions"]["southbound"]["lanes"]["general"]["hourly_wait"][15]
    assert three_pm["simulated"] == pytest.approx(simulated, abs=0.01)
    assert three_pm["difference"] == pytest.approx(simulated - 25.0, abs=0.01)
    assert (three_pm["lanes_open_observed"], three_pm["booths_open_simulated"]) == (6.0, 6)
    assert rows[("northbound", "general", 16)]["observed"] == 15.0  # CBSA, Canada-bound
    # Ambassador Bridge, the Ready lanes and the pedestrian lane (not modelled here) are apart
    assert ("southbound", "pedestrian", 15) in rows
    assert rows[("southbound", "pedestrian", 15)]["simulated"] is None
    assert report["other_ports_or_lanes"] == 4
    lanes = {(x["direction"], x["lane"]): x for x in report["lanes"]}
    assert lanes[("southbound", "general")]["hours"] == 2
    assert lanes[("southbound", "general")]["mean_absolute_error"] is not None
