"""Safe Third Country Agreement determinations per second (the STCA engine, issue 32).

    uv run python bench/asylum.py [--claims N] [--seed S]

Claims are SYNTHETIC: every arrival (land port, between ports within and past 14 days,
airport and harbour, in transit or not), relatives of every status (cousins too), minors with
and without parents, documents, visa situations, the death-penalty case, and claims with facts
missing, drawn at random. Each is read from a JSON-like dict (as a batch file gives it) and
determined. The baseline, measured in the same run on the same claims, is what a first attempt
would do: read the rules file again for every claim.

The last line is one JSON object with the figures and a ``met`` object. Target: 5,000
determinations a second or more.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import json
import random
import time
from typing import Any

from smartborder.asylum import stca
from smartborder.errors import ValidationFailed

TARGET_PER_S = 5000
STATUSES = ["citizen", "protected-person", "permanent-resident", "removal-stayed",
            "claimant-referred", "work-permit", "study-permit", "visitor", "none"]  # fmt: skip
RELATIONSHIPS = ["sister", "brother", "mother", "uncle", "cousin", "spouse", "niece", "friend"]
DOCUMENTS = ["temporary-resident-visa", "permanent-resident-visa", "refugee-travel-papers",
             "other"]  # fmt: skip


def claim(rng: random.Random) -> dict[str, Any]:
    day = dt.date(2023, 4, 1) + dt.timedelta(days=rng.randrange(900))
    arrival = rng.choice(["land-port", "land-port", "between-ports", "airport", "harbour"])
    facts: dict[str, Any] = {
        "claim_date": day.isoformat(),
        "birth_date": (day - dt.timedelta(days=rng.randrange(14 * 365, 60 * 365))).isoformat(),
        "nationalities": [rng.choice(["CO", "HT", "NG", "IN", "TR", "VE", "MX", "US"])],
        "stateless": False, "came_from": rng.choice(["US"] * 8 + ["PR", "MX"]),
        "arrival": arrival, "death_penalty_charge": rng.random() < 0.01,
        "relatives": [{"relationship": rng.choice(RELATIONSHIPS), "age": rng.randrange(5, 80),
                       "in_country": rng.random() < 0.8, "status": rng.choice(STATUSES)}
                      for _ in range(rng.choice([0, 0, 0, 1, 2]))],
        "has_spouse": False, "accompanied_by_parent_or_guardian": rng.random() < 0.5,
        "parent_or_guardian_in_canada_or_us": rng.random() < 0.5,
        "documents": [{"kind": rng.choice(DOCUMENTS), "transit_only": rng.random() < 0.2}
                      for _ in range(rng.choice([0, 0, 1]))],
        "visa_exempt_canada": rng.random() < 0.3, "needs_us_visa": rng.random() < 0.7,
        "refused_entry_us_without_adjudication": rng.random() < 0.02,
        "canadian_pr_ordered_removed_from_us": False,
    }  # fmt: skip
    if arrival == "between-ports":
        facts["entry_date"] = (day - dt.timedelta(days=rng.randrange(0, 30))).isoformat()
    if arrival in ("airport", "harbour"):
        facts["in_transit"] = rng.random() < 0.3
        facts["ordered_removed_from_us"] = rng.random() < 0.3
    for name in rng.sample(sorted(facts), rng.choice([0] * 8 + [1, 2])):  # some facts unknown
        if name != "claim_date":
            facts[name] = None
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    claims = [claim(rng) for _ in range(args.claims)]
    stca.rules()  # the rules are read once, as the node does at its first determination
    outcomes: collections.Counter[str] = collections.Counter()
    started = time.perf_counter()
    for facts in claims:
        try:
            outcomes[stca.determine(stca.Facts.model_validate(facts)).outcome] += 1
        except ValidationFailed:
            outcomes["refused (contradictory facts)"] += 1
    per_s = len(claims) / (time.perf_counter() - started)
    sample = claims[: max(1, len(claims) // 20)]
    started = time.perf_counter()
    for facts in sample:
        stca.rules.cache_clear()  # the baseline: the rules read again for every claim
        with contextlib.suppress(ValidationFailed):
            stca.determine(stca.Facts.model_validate(facts))
    baseline = len(sample) / (time.perf_counter() - started)
    print(f"{len(claims):,} synthetic claims: {per_s:,.0f} determinations/s; rules read for "
          f"each claim (baseline, {len(sample):,} claims): {baseline:,.0f}/s")  # fmt: skip
    print("outcomes: " + ", ".join(f"{k} {v:,}" for k, v in outcomes.most_common()))
    print(json.dumps({"claims": len(claims), "per_s": round(per_s), "baseline_per_s":
                      round(baseline), "outcomes": dict(outcomes),
                      "targets": {"per_s": TARGET_PER_S},
                      "met": {"per_s": per_s >= TARGET_PER_S}}))  # fmt: skip


if __name__ == "__main__":
    main()
