"""The quarantine folder: rejected files kept with their problems, so nothing sent is lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from smartborder import clock


def kept_file(data_dir: Path, name: str, content: bytes, problems: list[dict[str, Any]]) -> Path:
    """Keep ``content`` under ``data_dir/quarantine`` beside a JSON list of its problems."""
    folder = data_dir / "quarantine"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(name).name) or "upload"
    kept = folder / f"{stamp}-{safe}"
    kept.write_bytes(content)
    kept.with_name(kept.name + ".problems.json").write_text(json.dumps(problems, indent=2))
    return kept
