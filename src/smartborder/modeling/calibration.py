"""Observed waits to calibrate a scenario against: the US CBP Border Wait Times feed (the XML
of bwt.cbp.gov/xml/bwt.xml or its JSON equivalent: per port, the standard, NEXUS/SENTRI, Ready,
FAST lanes with operational status, delay in minutes, lanes open and the time of the update)
and the CBSA wait-time CSV (``;;``-separated: customs office, location, last updated, and the
commercial and travellers flow delays in each direction), read from files saved from them.

Every observation keeps where it came from; a value that cannot be read is a problem reported
with its file and line (or element path) and field, and a file with any problem is refused as a
whole. Known non-figures ("Lanes Closed", "Update Pending", "N/A", "Not Applicable", "--") are
not observations and are counted as such, never guessed.

Comparison: observations of the scenario's port, by direction, lane type and hour of the day,
against the simulated mean wait of vehicles arriving in that hour.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from smartborder.errors import ValidationFailed
from smartborder.modeling.scenario import Scenario

INTO_US = "into-us"
INTO_CANADA = "into-canada"
# CBP feed: lane block and lane element -> our lane type (Ready lanes are general lanes for
# travellers with RFID documents; they are kept apart, as "ready", and not compared).
CBP_LANES = {
    ("passenger_vehicle_lanes", "standard_lanes"): "general",
    ("passenger_vehicle_lanes", "NEXUS_SENTRI_lanes"): "nexus",
    ("passenger_vehicle_lanes", "ready_lanes"): "ready",
    ("commercial_vehicle_lanes", "standard_lanes"): "commercial",
    ("commercial_vehicle_lanes", "FAST_lanes"): "fast",
    ("pedestrian_lanes", "standard_lanes"): "pedestrian",
    ("pedestrian_lanes", "ready_lanes"): "ready",
}
NOT_FIGURES = {"lanes closed", "update pending", "n/a", "na", "not applicable", "--", "closed", ""}
CBSA_COLUMNS = {
    "Commercial Flow - Canada bound": ("commercial", INTO_CANADA),
    "Commercial Flow - U.S. bound": ("commercial", INTO_US),
    "Travellers Flow - Canada bound": ("general", INTO_CANADA),
    "Travellers Flow - U.S. bound": ("general", INTO_US),
}
_CBP_TIME = re.compile(r"^at\s+(\d{1,2}):(\d{2})\s*([ap]m)\s*([A-Z]{2,4})?$", re.IGNORECASE)
_CBSA_DELAY = re.compile(r"^(?:(\d+)\s*hours?)?\s*(?:(\d+)\s*minutes?)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Observation:
    source: str
    port: str
    name: str
    direction: str
    lane: str
    observed_at: str  # local date and time at the port, ISO 8601 without offset
    zone: str
    delay: float
    lanes_open: int | None


@dataclass
class Observations:
    items: list[Observation]
    not_figures: int  # lane readings that carried no figure (closed, pending, n/a)
    files: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "observations": len(self.items),
            "not_figures": self.not_figures,
            "files": self.files,
        }


class _Problems:
    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[dict[str, Any]] = []

    def add(self, location: str, message: str, line: int | None = None) -> None:
        detail: dict[str, Any] = {"source": self.source, "location": location}
        if line is not None:
            detail["line"] = line
        detail["message"] = message
        self.items.append(detail)

    def raise_any(self, what: str) -> None:
        if self.items:
            raise ValidationFailed(
                f"{self.source}: {len(self.items)} problem(s) in the {what}", details=self.items
            )


def read_observations(raw: bytes, source: str) -> Observations:
    """Observations from one saved file: CBP XML, CBP JSON or CBSA CSV (told by content)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            f"{source} is not UTF-8 text",
            details=[{"source": source, "location": "file", "message": f"byte {exc.start}"}],
        ) from None
    head = text.lstrip()[:200]
    if head.startswith("<"):
        return _cbp_xml(text, source)
    if head.startswith(("[", "{")):
        return _cbp_json(text, source)
    if "Customs Office" in head or "CBSA Office" in head:
        return _cbsa_csv(text, source)
    raise ValidationFailed(
        f"{source}: not a CBP wait-time feed (XML or JSON) nor a CBSA wait-time CSV",
        details=[
            {
                "source": source,
                "line": 1,
                "location": "file",
                "message": "expected '<border_wait_time>', a JSON list of ports, or a CSV "
                "whose header starts with 'Customs Office'",
            }
        ],
    )


# -- CBP ------------------------------------------------------------------------------------
def _cbp_date(value: str) -> dt.date | None:
    value = value.strip()
    for pattern in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _cbp_lane(
    port: dict[str, Any],
    reading: dict[str, Any],
    where: str,
    block: str,
    lane_key: str,
    day: dt.date | None,
    problems: _Problems,
) -> Observation | None:
    status = str(reading.get("operational_status") or "").strip().lower()
    if status in NOT_FIGURES:
        return None
    if status not in ("delay", "no delay"):
        problems.add(f"{where}.operational_status", f"unknown status '{status}'")
        return None
    delay_text = str(reading.get("delay_minutes") or "").strip()
    if status == "no delay" and not delay_text:
        delay_text = "0"
    if not delay_text.isdecimal():
        problems.add(f"{where}.delay_minutes", f"'{delay_text}' is not a number of minutes")
        return None
    lanes_text = str(reading.get("lanes_open") or "").strip()
    if lanes_text and not lanes_text.isdecimal():
        problems.add(f"{where}.lanes_open", f"'{lanes_text}' is not a number of lanes")
        return None
    time_text = str(reading.get("update_time") or "").strip()
    match = _CBP_TIME.match(time_text)
    if match is None:
        problems.add(f"{where}.update_time", f"'{time_text}' is not a time like 'At 2:00 pm PDT'")
        return None
    if day is None:
        problems.add(f"{where}", "no date for the port (its 'date' nor the feed's)")
        return None
    hour = int(match.group(1)) % 12 + (12 if match.group(3).lower() == "pm" else 0)
    at = dt.datetime.combine(day, dt.time(hour, int(match.group(2))))
    return Observation(
        source="cbp",
        port=str(port.get("port_number") or "").strip(),
        name=" ".join(
            x for x in (str(port.get("port_name") or ""), str(port.get("crossing_name") or "")) if x
        ).strip(),
        direction=INTO_US,
        lane=CBP_LANES[(block, lane_key)],
        observed_at=at.isoformat(timespec="minutes"),
        zone=(match.group(4) or "").upper(),
        delay=float(delay_text),
        lanes_open=int(lanes_text) if lanes_text else None,
    )


def _cbp_ports(
    ports: list[dict[str, Any]], feed_day: dt.date | None, source: str, path: str
) -> Observations:
    problems = _Problems(source)
    items: list[Observation] = []
    not_figures = 0
    for index, port in enumerate(ports):
        number = str(port.get("port_number") or "").strip()
        at = f"{path}[{index}]" + (f" (port {number})" if number else "")
        if not number:
            problems.add(f"{at}.port_number", "missing")
            continue
        day = feed_day
        if port.get("date"):
            day = _cbp_date(str(port["date"]))
            if day is None:
                problems.add(f"{at}.date", f"'{port['date']}' is not a date like 11/30/2026")
                continue
        for block, lane_key in CBP_LANES:
            lanes = port.get(block)
            if not isinstance(lanes, dict) or not isinstance(lanes.get(lane_key), dict):
                continue
            observation = _cbp_lane(
                port, lanes[lane_key], f"{at}.{block}.{lane_key}", block, lane_key, day, problems
            )
            if observation is None:
                not_figures += 1
            else:
                items.append(observation)
    problems.raise_any("CBP wait-time feed")
    return Observations(items, not_figures, [source])


def _element_dict(element: Element) -> dict[str, Any] | str:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    return {child.tag: _element_dict(child) for child in children}


def _cbp_xml(text: str, source: str) -> Observations:
    try:
        root = ElementTree.fromstring(text)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        line = getattr(exc, "position", (None,))[0]
        detail: dict[str, Any] = {"source": source, "location": "document", "message": str(exc)}
        if line:
            detail["line"] = line
        raise ValidationFailed(f"{source}: not well-formed XML", details=[detail]) from None
    if root.tag != "border_wait_time":
        raise ValidationFailed(
            f"{source}: the root element is <{root.tag}>, not <border_wait_time>",
            details=[{"source": source, "location": root.tag, "message": "unexpected root"}],
        )
    feed_day = _cbp_date(root.findtext("last_updated_date") or "")
    ports = [p for p in (_element_dict(e) for e in root.findall("port")) if isinstance(p, dict)]
    return _cbp_ports(ports, feed_day, source, "port")


def _cbp_json(text: str, source: str) -> Observations:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            f"{source}: not valid JSON",
            details=[
                {"source": source, "line": exc.lineno, "location": "document", "message": exc.msg}
            ],
        ) from None
    ports = data.get("port", []) if isinstance(data, dict) else data
    if not isinstance(ports, list) or not all(isinstance(p, dict) for p in ports):
        raise ValidationFailed(
            f"{source}: expected a list of ports",
            details=[{"source": source, "location": "document", "message": "not a list of ports"}],
        )
    return _cbp_ports(ports, None, source, "ports")


# -- CBSA -----------------------------------------------------------------------------------
def _cbsa_delay(value: str) -> float | None:
    """Minutes, None for a known non-figure; raises ValueError otherwise."""
    text = value.strip()
    if text.lower() in NOT_FIGURES:
        return None
    if text.lower() == "no delay":
        return 0.0
    match = _CBSA_DELAY.match(text)
    if match is None or not (match.group(1) or match.group(2)):
        raise ValueError(f"'{text}' is not a delay like 'No Delay', '15 minutes' or '1 hour'")
    return float(int(match.group(1) or 0) * 60 + int(match.group(2) or 0))


def _cbsa_csv(text: str, source: str) -> Observations:
    lines = text.splitlines()
    separated = [[cell.strip() for cell in line.split(";;")] for line in lines]
    if ";;" not in lines[0]:
        separated = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    header = [cell for cell in separated[0] if cell]
    problems = _Problems(source)
    office_key = "Customs Office" if "Customs Office" in header else "CBSA Office"
    updated_key = "Last updated" if "Last updated" in header else "Updated"
    for needed in (office_key, updated_key):
        if needed not in header:
            problems.add(needed, "column missing from the header", 1)
    flows = [name for name in header if name in CBSA_COLUMNS]
    if not flows:
        problems.add("header", f"none of the columns {', '.join(CBSA_COLUMNS)}", 1)
    problems.raise_any("CBSA wait-time CSV")
    items: list[Observation] = []
    not_figures = 0
    for number, row in enumerate(separated[1:], start=2):
        if not any(row):
            continue
        record = dict(zip(header, row, strict=False))
        office = record.get(office_key, "")
        updated = record.get(updated_key, "")
        match = re.match(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})\s*([A-Z]{2,4})?$", updated)
        if match is None:
            problems.add(
                updated_key, f"'{updated}' is not a time like 2026-11-30 14:05 PST", number
            )
            continue
        at = f"{match.group(1)}T{match.group(2)}"
        for column in flows:
            try:
                delay = _cbsa_delay(record.get(column, ""))
            except ValueError as exc:
                problems.add(column, str(exc), number)
                continue
            if delay is None:
                not_figures += 1
                continue
            lane, direction = CBSA_COLUMNS[column]
            items.append(
                Observation(
                    "cbsa",
                    office,
                    record.get("Location", office),
                    direction,
                    lane,
                    at,
                    match.group(3) or "",
                    delay,
                    None,
                )
            )
    problems.raise_any("CBSA wait-time CSV")
    return Observations(items, not_figures, [source])


def merge(parts: list[Observations]) -> Observations:
    return Observations(
        [item for part in parts for item in part.items],
        sum(part.not_figures for part in parts),
        [name for part in parts for name in part.files],
    )


# -- comparison -----------------------------------------------------------------------------
def _of_scenario(scenario: Scenario, observation: Observation) -> str | None:
    """The scenario direction an observation describes, or None when it is another port's."""
    calibration = scenario.calibration
    if observation.source == "cbp":
        if observation.port != calibration.cbp_port:
            return None
    elif (calibration.cbsa_office or "").casefold() != observation.port.casefold():
        return None
    if observation.direction == INTO_US:
        return calibration.direction_into_us
    return calibration.direction_into_canada


def compare(
    scenario: Scenario, summary: dict[str, Any], observations: Observations
) -> dict[str, Any]:
    """Observed delays of the scenario's port beside the simulated waits, by hour of the day."""
    cells: dict[tuple[str, str, int], list[Observation]] = {}
    other = 0
    for item in observations.items:
        direction = _of_scenario(scenario, item)
        if direction is None or item.lane == "ready":
            other += 1
            continue
        hour = int(item.observed_at[11:13])
        cells.setdefault((direction, item.lane, hour), []).append(item)
    rows: list[dict[str, Any]] = []
    directions = summary["directions"]
    for (direction, lane, hour), found in sorted(cells.items()):
        simulated = _simulated(directions, direction, lane, hour)
        observed = sum(o.delay for o in found) / len(found)
        opened = [o.lanes_open for o in found if o.lanes_open is not None]
        rows.append(
            {
                "direction": direction,
                "lane": lane,
                "hour": hour,
                "observations": len(found),
                "observed": round(observed, 2),
                "simulated": None if simulated is None else round(simulated, 2),
                "difference": None if simulated is None else round(simulated - observed, 2),
                "lanes_open_observed": round(sum(opened) / len(opened), 1) if opened else None,
                "booths_open_simulated": _booths_open(scenario, direction, lane, hour),
            }
        )
    return {
        "port": {
            "cbp": scenario.calibration.cbp_port,
            "cbsa": scenario.calibration.cbsa_office,
        },
        "read": observations.as_dict(),
        "other_ports_or_lanes": other,
        "rows": rows,
        "lanes": _by_lane(rows),
    }


def _simulated(directions: dict[str, Any], direction: str, lane: str, hour: int) -> float | None:
    lanes = directions.get(direction, {}).get("lanes", {})
    if lane not in lanes:
        return None
    curve = lanes[lane]["hourly_wait"]
    values = [curve[h] for h in range(hour, len(curve), 24) if curve[h] is not None]
    return sum(values) / len(values) if values else None


def _booths_open(scenario: Scenario, direction: str, lane: str, hour: int) -> int | None:
    try:
        found = scenario.direction(direction)
    except KeyError:
        return None
    groups = [g for g in found.booths if lane in g.lanes]
    return sum(g.open_by_hour()[hour] for g in groups) if groups else None


def _by_lane(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault((row["direction"], row["lane"]), []).append(row)
    out = []
    for (direction, lane), found in sorted(grouped.items()):
        paired = [r for r in found if r["simulated"] is not None]
        errors = [r["difference"] for r in paired]
        out.append(
            {
                "direction": direction,
                "lane": lane,
                "hours": len(found),
                "observations": sum(r["observations"] for r in found),
                "mean_absolute_error": round(sum(abs(e) for e in errors) / len(errors), 2)
                if errors
                else None,
                "bias": round(sum(errors) / len(errors), 2) if errors else None,
                "simulated": bool(paired),
            }
        )
    return out
