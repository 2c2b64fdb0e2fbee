"""Fit the matcher's feature weights by logistic regression on labelled synthetic candidates.

    uv run python bench/fit_weights.py [--size N] [--queries Q] [--seed S]

Builds N synthetic lookouts and screens planted and unplanted queries made as in
bench/screening.py but from another seed (so the benchmark is not the training set). Every
candidate the index returns becomes one labelled pair — 1 if it is the lookout the query was made
from — described by the level of each declared feature. A logistic regression over the levels
(each feature's neutral level fixed at 0) gives each level's weight in log-odds and the prior;
these are the figures to declare in ``smartborder.screening.features``. Prints the fitted
weights next to the declared ones and, as the last line, one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).parent))
import screening as bench
from smartborder.screening.features import FEATURES, PRIOR, score
from smartborder.screening.index import LookoutIndex
from smartborder.screening.matcher import CANDIDATES
from smartborder.screening.subject import make_identity
from smartborder.synthetic.lookouts import LookoutGenerator

NEUTRAL = {
    "name": "none",
    "birth_date": "unknown",
    "sex": "unknown",
    "nationality": "unknown",
    "document": "none",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=300_000)
    parser.add_argument("--queries", type=int, default=12_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 regularisation")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    generator = LookoutGenerator(args.seed)
    lookouts = list(generator.lookouts(args.size))
    queries = bench.planted(rng, lookouts, args.queries // 2)
    others = bench.unplanted(LookoutGenerator(args.seed + 1, generator.pools), args.queries // 2)
    clash = bench.ambiguous(others, lookouts)
    queries += [q for i, q in enumerate(others) if i not in clash]
    index = LookoutIndex()
    index.build(bench.entry_of(slot, lookout) for slot, lookout in enumerate(lookouts))

    columns = [
        (feature.name, level.name)
        for feature in FEATURES
        for level in feature.levels
        if level.name != NEUTRAL[feature.name]
    ]
    position = {column: i for i, column in enumerate(columns)}
    rows: list[list[float]] = []
    labels: list[int] = []
    owner: list[int] = []  # which query each pair belongs to
    kinds = [q.truth is not None for q in queries]
    for number, q in enumerate(queries):
        subject = make_identity(q.names, q.birth, q.sex, [q.nationality or ""])
        for entry in index.candidates(subject, CANDIDATES):
            _, evidence = score(subject, entry.identity)
            row = [0.0] * len(columns)
            for e in evidence:
                if (e.feature, e.level) in position:
                    row[position[e.feature, e.level]] = 1.0
            rows.append(row)
            owner.append(number)
            labels.append(int(q.truth is not None and entry.lookout_id == str(q.truth)))
    x, y = np.array(rows), np.array(labels)
    model = LogisticRegression(C=args.c, max_iter=2000).fit(x, y)
    fitted = {
        f"{f}:{lv}": round(float(w), 2) for (f, lv), w in zip(columns, model.coef_[0], strict=True)
    }
    declared = {
        f"{feature.name}:{level.name}": level.weight
        for feature in FEATURES
        for level in feature.levels
        if level.name != NEUTRAL[feature.name]
    }
    print(f"{len(y):,} candidate pairs, {int(y.sum()):,} true")
    print(f"{'level':40} {'declared':>9} {'fitted':>8}")
    print(f"{'prior':40} {PRIOR:9.2f} {float(model.intercept_[0]):8.2f}")
    for key, weight in fitted.items():
        print(f"{key:40} {declared[key]:9.2f} {weight:8.2f}")
    groups = np.array(owner)
    planted = np.array(kinds)
    weights = np.array([declared[f"{f}:{lv}"] for f, lv in columns])
    for name, w, prior in (
        ("declared", weights, PRIOR),
        ("fitted", model.coef_[0], float(model.intercept_[0])),
    ):
        for shift in (-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0):
            recall, false_hits = operating_point(x @ w + prior + shift, y, groups, planted)
            print(
                f"{name:9} prior {prior + shift:6.2f}: recall {recall:.4f}, "
                f"unplanted hitting {false_hits:.4f}"
            )
    print(
        json.dumps(
            {
                "pairs": len(y),
                "true": int(y.sum()),
                "prior": round(float(model.intercept_[0]), 2),
                "weights": fitted,
            }
        )
    )


def operating_point(
    logits: np.ndarray, y: np.ndarray, groups: np.ndarray, planted: np.ndarray
) -> tuple[float, float]:
    """Recall on planted queries and the share of unplanted ones with any hit, at 0.70."""
    hit = logits >= np.log(0.7 / 0.3)
    found = np.zeros(len(planted), dtype=bool)
    found[groups[hit & (y == 1)]] = True
    any_hit = np.zeros(len(planted), dtype=bool)
    any_hit[groups[hit]] = True
    return float(found[planted].mean()), float(any_hit[~planted].mean())


if __name__ == "__main__":
    main()
