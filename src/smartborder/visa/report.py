"""The convergence report of two destinations' lists, and what changed between two lists of one.

Compared are the nationals of third countries: the two destinations' own nationals are left
out (Canadians going to Canada, Canadians going to the United States), as in the Action Plan's
count of common visa policies. Two policies *agree* when their category is the same (visa-free
for 90 days and for 180 days agree; the stay differs and is listed apart); they agree on
*visa needed* when both need a visa or neither does.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from smartborder.visa.requirements import Policy, country_name, policy_of


@dataclass(frozen=True)
class Side:
    destination: str
    taken_on: str  # the list's date
    snapshot_id: str
    requirements: dict[str, str]

    def policy(self, nationality: str) -> Policy | None:
        raw = self.requirements.get(nationality)
        return policy_of(raw) if raw is not None else None


@dataclass
class Convergence:
    a: Side
    b: Side
    agree: list[str] = field(default_factory=list)
    differ: list[dict[str, Any]] = field(default_factory=list)
    other_stay: list[dict[str, Any]] = field(default_factory=list)
    need_agree: int = 0
    need_differ: list[dict[str, Any]] = field(default_factory=list)

    def by_kind(self) -> list[dict[str, Any]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for row in self.differ:
            groups[row["kind"]].append(row["nationality"])
        return [
            {"kind": kind, "count": len(members), "nationalities": members}
            for kind, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ]

    def as_dict(self) -> dict[str, Any]:
        a, b = self.a.destination, self.b.destination
        return {
            "a": a,
            "b": b,
            "lists": {
                s.destination: {"taken_on": s.taken_on, "snapshot": s.snapshot_id}
                for s in (self.a, self.b)
            },
            "nationalities": len(self.agree) + len(self.differ),
            "agree": len(self.agree),
            "differ": len(self.differ),
            "by_kind": self.by_kind(),
            "differing": self.differ,
            "agree_other_stay": self.other_stay,
            "visa_needed": {
                "agree": self.need_agree,
                "differ": len(self.need_differ),
                "differing": self.need_differ,
            },
        }


def compare(a: Side, b: Side) -> Convergence:
    report = Convergence(a, b)
    nationalities = (set(a.requirements) | set(b.requirements)) - {a.destination, b.destination}
    for nationality in sorted(nationalities):
        pa, pb = a.policy(nationality), b.policy(nationality)
        row = {
            "nationality": nationality,
            "name": country_name(nationality),
            a.destination: pa.as_dict() if pa else None,
            b.destination: pb.as_dict() if pb else None,
        }
        if pa is None or pb is None:
            listed = a.destination if pa else b.destination
            report.differ.append({**row, "kind": f"listed by {listed} only"})
            continue
        if pa.needs_visa == pb.needs_visa:
            report.need_agree += 1
        else:
            need = a.destination if pa.needs_visa else b.destination
            report.need_differ.append({**row, "kind": f"visa needed for {need} only"})
        if pa.category == pb.category:
            report.agree.append(nationality)
            if pa.days != pb.days:
                report.other_stay.append(row)
            continue
        kind = f"{a.destination} {pa.category} / {b.destination} {pb.category}"
        report.differ.append({**row, "kind": kind})
    return report


def report_csv(report: Convergence) -> str:
    """One row per nationality: both policies, whether they agree, the kind of difference."""
    a, b = report.a.destination, report.b.destination
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(
        [
            "nationality",
            "name",
            f"{a}_requirement",
            f"{a}_category",
            f"{b}_requirement",
            f"{b}_category",
            "agree",
            "visa_needed_agree",
            "difference",
        ]
    )
    differing = {row["nationality"]: row["kind"] for row in report.differ}
    need = {row["nationality"] for row in report.need_differ}
    for nationality in sorted([*report.agree, *differing]):
        pa, pb = report.a.policy(nationality), report.b.policy(nationality)
        out.writerow(
            [
                nationality,
                country_name(nationality),
                report.a.requirements.get(nationality, ""),
                pa.category if pa else "",
                report.b.requirements.get(nationality, ""),
                pb.category if pb else "",
                "no" if nationality in differing else "yes",
                "no" if nationality in need or pa is None or pb is None else "yes",
                differing.get(nationality, ""),
            ]
        )
    return buffer.getvalue()


def changes(before: Side, after: Side) -> list[dict[str, Any]]:
    """What changed for each nationality from one list of a destination to a later one."""
    found = []
    for nationality in sorted(set(before.requirements) | set(after.requirements)):
        old, new = before.policy(nationality), after.policy(nationality)
        if old == new:
            continue
        if old is None or new is None:
            kind = "added" if old is None else "removed"
        elif old.needs_visa is False and new.needs_visa:
            kind = "visa imposed"
        elif old.needs_visa and new.needs_visa is False:
            kind = "visa lifted"
        else:
            kind = "changed"
        found.append(
            {
                "nationality": nationality,
                "name": country_name(nationality),
                "before": old.as_dict() if old else None,
                "after": new.as_dict() if new else None,
                "kind": kind,
            }
        )
    return found
