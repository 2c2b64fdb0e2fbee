"""The reconciliation models shipped in ``asylum/models``, trained the way ``reconcile.link``
trains on real records, on synthetic claimants with planted forum shoppers; for inputs too
small to learn from. ``python -m smartborder.asylum.training`` writes them again."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from smartborder.asylum import reconcile
from smartborder.synthetic.claimants import linkage_sets


def write_models(folder: Any, seed: int = 2003, records: int = 50_000) -> list[str]:
    """Train both models on synthetic linkage sets and write them to ``folder`` (what ships
    in ``asylum/models``: ``python -m smartborder.asylum.training``)."""
    from splink import DuckDBAPI, Linker, block_on

    ours, theirs, _ = linkage_sets(seed, records, records, records // 10)
    written = []
    for tuned in (True, False):
        db_api = DuckDBAPI()
        frames = [db_api.register(reconcile.table(rows), dataset_display_name=name)
                  for rows, name in ((ours, "ours"), (theirs, "theirs"))]  # fmt: skip
        linker = Linker(frames, reconcile.settings(tuned=tuned), log_level=logging.ERROR)
        reconcile.train(linker, block_on, seed)
        model = linker.misc.save_model_to_json()
        path = Path(folder) / Path(str(reconcile.model_path(tuned=tuned))).name
        path.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        written.append(str(path))
    return written


if __name__ == "__main__":
    for written in write_models(Path(__file__).parent / "models"):
        print(written)
