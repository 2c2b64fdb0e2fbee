"""How fast the ``smartborder`` command starts, beside Python importing typer and rich alone.

    uv run python bench/cli_startup.py [--runs N]

Each command runs N times (default 7) as a fresh process; the best time counts (this machine
is noisy). Measured in the same run:
  baseline   python -c 'import typer, rich'
  help       smartborder --help (lists every command without loading any domain)
  doc check  smartborder doc check MRZ (loads the identity domain only)
Targets: each at most 5x the baseline. The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

LIMIT = 5.0
MRZ = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
RUNS = {
    "baseline": [sys.executable, "-c", "import typer, rich"],
    "help": [sys.executable, "-m", "smartborder", "--help"],
    "doc_check": [sys.executable, "-m", "smartborder", "doc", "check", MRZ, "--on", "2010-01-01"],
}


def best(command: list[str], runs: int) -> float:
    fastest = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False, timeout=120)  # noqa: S603
        fastest = min(fastest, time.perf_counter() - started)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{command[2:]} failed: {done.stderr.decode()[-500:]}")
    return fastest


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--runs", type=int, default=7)
    args = options.parse_args()
    seconds = {name: best(command, args.runs) for name, command in RUNS.items()}
    ratios = {name: seconds[name] / seconds["baseline"] for name in ("help", "doc_check")}
    for name, value in seconds.items():
        ratio = f" ({ratios[name]:.1f}x the baseline)" if name in ratios else ""
        print(f"{name:10} {value * 1000:7.0f} ms{ratio}")
    figures = {
        "runs": args.runs,
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "ratio": {k: round(v, 2) for k, v in ratios.items()},
        "targets": {"help": LIMIT, "doc_check": LIMIT},
        "met": {name: ratio <= LIMIT for name, ratio in ratios.items()},
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
