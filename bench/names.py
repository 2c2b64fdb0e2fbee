"""Screening quality on labelled names: precision, recall and F1 at the node's operating points.

    uv run python bench/names.py [--split dev|test|all]

The labelled sets are in ``bench/data/names`` (see its README for what they are and their
licence): ``pairs.tsv`` (people and organisations by category, with hard negatives) and
``people.tsv`` (public figures written in their own script and in Latin letters).

Every right-hand name of ``pairs.tsv`` and every Latin form of ``people.tsv`` becomes a lookout
(names only: no date of birth, no document) in one index, as a designated-entities list would be;
every left-hand name and every native form is screened against it through the node's own
``Matcher`` and its default thresholds (the names-only operating point applies, as these pairs
carry nothing but names). Reported:

- per category: recall of the true pairs, hits on the negative pairs, and the index's own
  recall (was the true lookout among the candidates handed to the scorer?);
- per script: the hit rate of a native form against its own Latin form, and the share of
  unrelated (native, other person's Latin) pairs that hit;
- overall precision, recall and F1 (unrelated cross-script hits count as false hits);
- baselines measured in the same run: the best F1 any threshold reaches on the raw name score
  (``names.name_similarity`` of the ICAO forms) and on rapidfuzz's ``token_sort_ratio``.

The last line is one JSON object with the figures and a ``met`` object.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from smartborder.identity.names import normalise
from smartborder.screening.index import Entry, LookoutIndex
from smartborder.screening.matcher import CANDIDATES, Matcher, Thresholds
from smartborder.screening.names import name_similarity, tokens
from smartborder.screening.subject import make_identity
from smartborder.settings import Settings

DATA = Path(__file__).parent / "data" / "names"
TARGETS = {"f1": 0.88, "category_recall": 0.75, "cyrl_grek_recall": 0.95,
           "other_script_recall": 0.85, "unrelated_hit_rate": 0.001}  # fmt: skip
CATEGORIES = ("person", "organisation", "non-latin", "transliteration", "legal-form", "joined")
STRICT_SCRIPTS = ("Cyrl", "Grek")
OTHER_SCRIPTS = ("Arab", "Hebr", "Hani", "Jpan", "Hang")


@dataclass(frozen=True)
class Pair:
    category: str
    left: str
    right: str
    match: bool
    script: str = "Latn"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def load(split: str) -> tuple[list[Pair], list[Pair]]:
    """The labelled pairs and the people (native, Latin) of ``split``: even data rows are the
    development half, odd rows the held-out half."""

    def keep(n: int) -> bool:
        return split == "all" or (n % 2 == 0) == (split == "dev")

    pairs = [
        Pair(r["category"], r["left"], r["right"], r["match"] == "1")
        for n, r in enumerate(_rows(DATA / "pairs.tsv"))
        if keep(n)
    ]
    people = [
        Pair("non-latin", r["native"], r["latin"], True, r["script"])
        for n, r in enumerate(_rows(DATA / "people.tsv"))
        if keep(n)
    ]
    return pairs, people


def node_thresholds() -> Thresholds:
    """The node's default operating points, as a node started with no settings has them."""
    fields = Settings.model_fields
    values = {name: fields[name].get_default(call_default_factory=True) for name in fields}
    return Thresholds(
        values["screening_threshold"],
        values["screening_category_thresholds"],
        names_only=values["screening_names_only_threshold"],
        names_only_by_category=values["screening_category_names_only_thresholds"],
    )


def build(lookouts: Iterable[tuple[str, str]]) -> LookoutIndex:
    index = LookoutIndex()
    index.build(
        Entry(key, "designated-entity", "local", 1, make_identity([name])) for key, name in lookouts
    )
    return index


def _ratio(a: int, b: int) -> float:
    return round(a / b, 3) if b else 0.0


def f1(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(score, 3)}


def best_threshold(scored: list[tuple[float, bool]]) -> dict[str, float]:
    """The best F1 any threshold on ``scored`` (value, is a true pair) reaches, and where."""
    positives = sum(1 for _, truth in scored if truth)
    best = {"f1": 0.0, "threshold": 1.0}
    for threshold in sorted({value for value, _ in scored}):
        tp = sum(1 for value, truth in scored if truth and value >= threshold)
        fp = sum(1 for value, truth in scored if not truth and value >= threshold)
        figures = f1(tp, fp, positives - tp)
        if figures["f1"] > best["f1"]:
            best = {**figures, "threshold": round(threshold, 3)}
    return best


def baselines(pairs: list[Pair], people: list[Pair]) -> dict[str, dict[str, float]]:
    """Raw name scores over every labelled pair and every cross-script pair."""
    everything = [(p.left, p.right, p.match) for p in pairs]
    latin = [p.right for p in people]
    for p in people:
        everything.extend((p.left, other, other == p.right) for other in latin)

    def scored(measure: Callable[[str, str], float]) -> list[tuple[float, bool]]:
        return [(measure(a, b), truth) for a, b, truth in everything]

    def raw(a: str, b: str) -> float:
        return name_similarity(tokens(normalise(a)), tokens(normalise(b))).value

    def sort_ratio(a: str, b: str) -> float:
        return fuzz.token_sort_ratio(normalise(a), normalise(b)) / 100

    return {"raw_name_score": best_threshold(scored(raw)),
            "rapidfuzz_token_sort": best_threshold(scored(sort_ratio))}  # fmt: skip


def evaluate(pairs: list[Pair], people: list[Pair], matcher_of: Callable[[LookoutIndex],
             Matcher]) -> dict[str, object]:  # fmt: skip
    lookouts = [(f"pair-{n}", p.right) for n, p in enumerate(pairs)]
    lookouts += [(f"person-{n}", p.right) for n, p in enumerate(people)]
    index = build(lookouts)
    matcher = matcher_of(index)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    misses: list[str] = []
    false: list[str] = []
    started = time.perf_counter()
    for n, pair in enumerate(pairs):
        subject = make_identity([pair.left])
        hit = any(h.entry.lookout_id == f"pair-{n}" for h in matcher.screen(subject, limit=50))
        found = any(e.lookout_id == f"pair-{n}" for e in index.candidates(subject, CANDIDATES))
        tally = counts[pair.category]
        if pair.match:
            tally["positives"] += 1
            tally["hits"] += hit
            tally["proposed"] += found
            if not hit:
                misses.append(f"{pair.category}: {pair.left} / {pair.right}")
        else:
            tally["negatives"] += 1
            tally["false_hits"] += hit
            if hit:
                false.append(f"{pair.category}: {pair.left} / {pair.right}")
    scripts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for n, person in enumerate(people):
        subject = make_identity([person.left])
        hits = {h.entry.lookout_id for h in matcher.screen(subject, limit=50)}
        own = f"person-{n}"
        found = any(e.lookout_id == own for e in index.candidates(subject, CANDIDATES))
        others = {h for h in hits if h.startswith("person-") and h != own}
        tally = scripts[person.script]
        tally["positives"] += 1
        tally["hits"] += own in hits
        tally["proposed"] += found
        tally["unrelated"] += len(people) - 1
        tally["false_hits"] += len(others)
        if own not in hits:
            misses.append(f"{person.script}: {person.left} / {person.right}")
        false.extend(f"{person.script}: {person.left} / {h}" for h in sorted(others))
        category = counts["non-latin"]
        category["positives"] += 1
        category["hits"] += own in hits
        category["proposed"] += found
    elapsed = time.perf_counter() - started
    by_category = {
        name: {
            "recall": _ratio(c["hits"], c["positives"]),
            "index_recall": _ratio(c["proposed"], c["positives"]),
            "positives": c["positives"],
            "negatives": c["negatives"],
            "false_hits": c["false_hits"],
        }
        for name, c in sorted(counts.items())
    }
    by_script = {
        name: {
            "recall": _ratio(c["hits"], c["positives"]),
            "index_recall": _ratio(c["proposed"], c["positives"]),
            "unrelated_hit_rate": round(c["false_hits"] / c["unrelated"], 5),
            "people": c["positives"],
        }
        for name, c in sorted(scripts.items())
    }
    tp = sum(c["hits"] for c in counts.values())
    fn = sum(c["positives"] - c["hits"] for c in counts.values())
    fp = sum(c["false_hits"] for c in counts.values()) + sum(
        c["false_hits"] for c in scripts.values()
    )
    unrelated = sum(c["unrelated"] for c in scripts.values())
    return {
        "overall": f1(tp, fp, fn),
        "categories": by_category,
        "scripts": by_script,
        "unrelated_hit_rate": round(sum(c["false_hits"] for c in scripts.values()) / unrelated, 5),
        "screened_per_s": round((len(pairs) + len(people)) / elapsed),
        "misses": misses,
        "false_hits": false,
    }


def met(figures: dict[str, object]) -> dict[str, bool]:
    categories = figures["categories"]
    scripts = figures["scripts"]
    assert isinstance(categories, dict)
    assert isinstance(scripts, dict)
    overall = figures["overall"]
    assert isinstance(overall, dict)
    result = {"f1": overall["f1"] >= TARGETS["f1"]}
    for name in CATEGORIES:
        recall = categories.get(name, {}).get("recall", 0.0)
        result[f"recall_{name}"] = recall >= TARGETS["category_recall"]
    for script in STRICT_SCRIPTS:
        recall = scripts.get(script, {}).get("recall", 0.0)
        result[f"recall_{script}"] = recall >= TARGETS["cyrl_grek_recall"]
    for script in OTHER_SCRIPTS:
        recall = scripts.get(script, {}).get("recall", 0.0)
        result[f"recall_{script}"] = recall >= TARGETS["other_script_recall"]
    rate = figures["unrelated_hit_rate"]
    assert isinstance(rate, float)
    result["unrelated_hit_rate"] = rate <= TARGETS["unrelated_hit_rate"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--show", action="store_true", help="list every miss and false hit")
    args = parser.parse_args()
    thresholds = node_thresholds()
    result: dict[str, object] = {"split": args.split}
    for split in ("dev", "test", "all") if args.split == "all" else (args.split,):
        pairs, people = load(split)
        figures = evaluate(pairs, people, lambda index: Matcher(index, thresholds))
        misses, false = figures.pop("misses"), figures.pop("false_hits")
        assert isinstance(misses, list)
        assert isinstance(false, list)
        print(f"{split}: {len(pairs)} labelled pairs, {len(people)} people in their own script")
        print(f"   overall {figures['overall']}")
        for name, row in dict(figures["categories"]).items():  # type: ignore[call-overload]
            print(f"   {name:16} {row}")
        for name, row in dict(figures["scripts"]).items():  # type: ignore[call-overload]
            print(f"   {name:16} {row}")
        print(f"   misses {len(misses)}, false hits {len(false)}")
        if args.show:
            for line in misses:
                print(f"      miss  {line}")
            for line in false:
                print(f"      false {line}")
        figures["baselines"] = baselines(pairs, people)
        print(f"   baselines {figures['baselines']}")
        figures["met"] = met(figures)
        result[split] = figures
    last = result[args.split]
    assert isinstance(last, dict)
    print(json.dumps({**result, "targets": TARGETS, "met": last["met"]}))


if __name__ == "__main__":
    main()
