"""Reading visa requirement snapshots: categories, located errors, the convergence report
checked against the shipped data by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from smartborder.errors import ValidationFailed
from smartborder.visa.report import Side, changes, compare, report_csv
from smartborder.visa.requirements import (
    Policy,
    bundled_countries,
    bundled_text,
    policy_of,
    read_snapshot,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "visa"
HEADER = "Passport,Destination,Requirement"


@pytest.mark.parametrize(
    ("value", "category", "days", "needs_visa"),
    [
        ("visa required", "visa-required", None, True),
        ("e-visa", "e-visa", None, True),
        ("Visa on arrival", "visa-on-arrival", None, True),
        ("no admission", "no-admission", None, True),
        ("eta", "eta", None, False),
        ("ESTA", "eta", None, False),
        ("visa free", "visa-free", None, False),
        ("90", "visa-free", 90, False),
        ("-1", "own", None, None),
    ],
)
def test_each_value_maps_to_a_category(
    value: str, category: str, days: int | None, needs_visa: bool | None
) -> None:
    policy = policy_of(value)
    assert (policy.category, policy.days, policy.needs_visa) == (category, days, needs_visa)


def test_the_shipped_copy_is_the_shared_data_set() -> None:
    if SHARED.exists():  # the package data must not drift from the data set it copies
        assert bundled_text() == (SHARED / "passport-index-tidy-iso2.csv").read_text()
    lists = read_snapshot(bundled_text(), "bundled")
    assert len(lists) == 199
    assert len(bundled_countries()) == 199
    assert lists["CA"]["FR"] == "eta"


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(text.splitlines()))


def test_the_convergence_of_canada_and_the_united_states_matches_the_data() -> None:
    """Counted by hand from the CSV: of 197 third-country nationalities, 16 differ."""
    lists = read_snapshot(bundled_text(), "bundled")
    report = compare(
        Side("CA", "2025-01-12", "s", lists["CA"]), Side("US", "2025-01-12", "s", lists["US"])
    )
    by_hand_same, by_hand_differ = 0, []
    for passport in sorted(set(lists["CA"]) - {"CA", "US"}):
        a, b = lists["CA"][passport], lists["US"][passport]
        fold = ("visa free" if v.isdigit() else v for v in (a, b))
        if len(set(fold)) == 1:
            by_hand_same += 1
        else:
            by_hand_differ.append(passport)
    data = report.as_dict()
    assert (data["agree"], data["differ"]) == (by_hand_same, len(by_hand_differ)) == (181, 16)
    assert [row["nationality"] for row in data["differing"]] == by_hand_differ
    qatar = next(row for row in data["differing"] if row["nationality"] == "QA")
    assert qatar["CA"]["category"] == "visa-required"
    assert qatar["US"]["category"] == "eta"
    assert qatar["kind"] == "CA visa-required / US eta"
    kinds = {k["kind"]: k["count"] for k in data["by_kind"]}
    assert kinds["CA eta / US visa-required"] == 11
    assert kinds["CA visa-required / US visa-free"] == 3  # FM, MH, PW: the Compacts
    # Somalia: no admission vs visa required - both need a visa, so the coarse view agrees
    assert data["visa_needed"]["agree"] == 182
    assert data["visa_needed"]["differ"] == 15
    rows = _rows(report_csv(report))
    assert rows[0][:3] == ["nationality", "name", "CA_requirement"]
    assert len(rows) == 1 + 197
    assert [
        "QA",
        "Qatar",
        "visa required",
        "visa-required",
        "eta",
        "eta",
        "no",
        "no",
        "CA visa-required / US eta",
    ] in rows


def test_changes_between_two_lists_are_named_by_kind() -> None:
    before = Side("CA", "2025-01-12", "a", {"MX": "eta", "BR": "visa required", "FR": "90"})
    after = Side("CA", "2026-06-01", "b", {"MX": "visa required", "BR": "eta", "FR": "180"})
    found = {c["nationality"]: c["kind"] for c in changes(before, after)}
    assert found == {"MX": "visa imposed", "BR": "visa lifted", "FR": "changed"}


def _write(text: str) -> str:
    return f"{HEADER}\n{text}"


def test_every_problem_is_reported_with_its_line() -> None:
    text = _write("ZZ,CA,eta\nFR,CA,maybe\nFR,CA,500\nCA,CA,eta\nFR,XX\nMX,US,-1\n")
    with pytest.raises(ValidationFailed) as failed:
        read_snapshot(text, "bad.csv")
    found = {(d["line"], d["location"]): d["message"] for d in failed.value.details}
    assert "'ZZ' is not an ISO 3166-1 alpha-2 country code" in found[2, "Passport"]
    assert "unknown requirement 'maybe'" in found[3, "Requirement"]
    assert "out of range" in found[4, "Requirement"]
    assert "use -1" in found[5, "Requirement"]
    assert "2 fields where the header has 3" in found[6, "row"]
    assert "-1 stands only" in found[7, "Requirement"]
    assert "nothing was loaded" in failed.value.message


def test_a_header_without_the_columns_is_refused() -> None:
    with pytest.raises(ValidationFailed) as failed:
        read_snapshot("Country,Rule\nFR,eta\n", "x.csv")
    assert "missing column(s) passport, destination, requirement" in str(failed.value.details)
    with pytest.raises(ValidationFailed) as failed:
        read_snapshot("", "x.csv")
    assert failed.value.details[0]["line"] == 1
    assert "the file is empty" in failed.value.details[0]["message"]


def test_a_list_missing_nationalities_is_refused() -> None:
    with pytest.raises(ValidationFailed) as failed:
        read_snapshot(_write("FR,CA,eta\nDE,CA,eta\n"), "short.csv")
    (detail,) = failed.value.details
    assert detail["location"] == "Destination CA"
    assert detail["line"] == 2
    assert "has no row for 196 nationalities" in detail["message"]


def test_a_repeated_pair_is_refused_with_both_lines() -> None:
    rows = "\n".join(f"{n},CA,visa required" for n in sorted(bundled_countries()) if n != "CA")
    with pytest.raises(ValidationFailed) as failed:
        read_snapshot(_write(rows + "\nFR,CA,eta\n"), "twice.csv")
    (detail,) = failed.value.details
    assert "FR to CA is given already on line" in detail["message"]


def test_an_official_list_for_one_destination_is_a_whole_snapshot() -> None:
    rows = "\n".join(f"{n},CA,visa required" for n in sorted(bundled_countries()) if n != "CA")
    lists = read_snapshot(_write(rows), "ircc.csv")
    assert set(lists) == {"CA"}
    assert policy_of(lists["CA"]["FR"]) == Policy("visa-required")
