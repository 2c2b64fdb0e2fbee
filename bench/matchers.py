"""Biometric matchers, measured: extraction rate, 1:1 comparisons/s, FMR/FNMR and a DET plot.

    uv run python bench/matchers.py [--fingers N] [--impressions K] [--calibrate] [--quick]

Fingerprints: NBIS (MINDTCT minutiae, BOZORTH3 scores, NFIQ 2) on SYNTHETIC prints
(``smartborder.synthetic.fingerprints``, the SFinGe method: each finger a master ridge
pattern, each impression a distorted, noisy capture of it), not on real ones: public sets may
not be redistributed and carry personal data. Genuine pairs are two impressions of one finger;
impostor pairs are impressions of two fingers. Impressions vary in quality (1.0 a clean plain
impression down to 0.2, a smudged, distorted one, shifted to show part of the finger).

Prints template extraction per second (with NFIQ 2), comparisons per second, the genuine and
impostor score distributions, the equal error rate and the operating points at FMR 1 % and
0.1 % (each only where enough impostor comparisons support it: 3 / FMR or more), and writes
a DET curve (FNMR against FMR, log axes) as PNG. The baseline, measured in the same run, is
the comparison a caller would write without keeping minutiae loaded: decoding both ISO/IEC
19794-2 records for every comparison.

With ``--calibrate``, the measured points are written to
``src/smartborder/biometrics/operating_points.json``, where the node's matchers read them.

The last line is one JSON object with every figure and a ``met`` object (targets: genuine and
impostor distributions apart, EER at most 5 %, a measured point at FMR 0.1 %).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from smartborder.biometrics.fingerprint import ALGORITHM, NbisFingerprint
from smartborder.biometrics.images import BiometricProblem
from smartborder.biometrics.matchers import Template
from smartborder.biometrics.rates import rates
from smartborder.synthetic.fingerprints import finger, png

ROOT = Path(__file__).resolve().parent.parent
POINTS = ROOT / "src/smartborder/biometrics/operating_points.json"
TARGET_FMRS = (0.01, 0.001)
TARGET_EER = 0.05


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fingers", type=int, default=60)
    parser.add_argument("--impressions", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--plot", type=Path, default=ROOT / "docs/figures/det-fingerprint.png")
    parser.add_argument("--calibrate", action="store_true", help="write operating_points.json")
    parser.add_argument("--quick", action="store_true", help="12 fingers, 2 impressions")
    args = parser.parse_args()
    if args.quick:
        args.fingers, args.impressions = 12, 2
    matcher = NbisFingerprint(floor=0.0)  # every impression measured, the floor aside

    started = time.perf_counter()
    fingers = [finger(args.seed + n) for n in range(args.fingers)]
    made_s = time.perf_counter() - started
    print(f"{len(fingers)} synthetic fingers in {made_s:.1f} s")

    templates: dict[tuple[int, int], Template] = {}
    qualities: list[float] = []
    refused = 0
    images = [
        (n, k, png(f.impression(k, quality=1.0 - 0.8 * k / max(args.impressions - 1, 1))))
        for n, f in enumerate(fingers)
        for k in range(args.impressions)
    ]
    started = time.perf_counter()
    for n, k, image in images:
        try:
            template = matcher.extract(image, f"finger {n} impression {k}")
        except BiometricProblem as problem:
            refused += 1
            print(f"   refused: {problem.message}")
            continue
        templates[n, k] = template
        qualities.append(template.quality.score)
    extract_s = time.perf_counter() - started
    per_second = len(images) / extract_s
    print(f"extraction (MINDTCT + NFIQ 2): {per_second:.1f} images/s; NFIQ 2 median "
          f"{statistics.median(qualities):.0f}; {refused} refused")  # fmt: skip

    loaded = {key: matcher.load(t.data, str(key)) for key, t in templates.items()}
    last = min(1, args.impressions - 1)
    pairs = [  # genuine: every two impressions of a finger; impostor: every two fingers
        ((n, k), (m, j), n == m)
        for (n, k) in loaded
        for (m, j) in loaded
        if (n == m and k < j) or (n != m and k == 0 and j == last)
    ]
    genuine: list[float] = []
    impostor: list[float] = []
    started = time.perf_counter()
    for a, b, same in pairs:
        (genuine if same else impostor).append(float(loaded[a].compare(loaded[b])))
    compare_s = time.perf_counter() - started
    rate = len(pairs) / compare_s

    sample = pairs[:: max(1, len(pairs) // 300)]  # the same mix of pairs, records decoded
    started = time.perf_counter()
    for a, b, _ in sample:
        matcher.compare(templates[a], templates[b])
    baseline_rate = len(sample) / (time.perf_counter() - started)
    print(f"comparisons (BOZORTH3, minutiae kept loaded): {rate:.0f}/s; decoding both "
          f"records each time (baseline, {len(sample)} of the same pairs): "
          f"{baseline_rate:.0f}/s")  # fmt: skip

    measured = rates(genuine, impostor)
    eer = measured.eer()
    print(f"genuine scores: {len(genuine)}, median {statistics.median(genuine):.0f}, "
          f"min {min(genuine):.0f}; impostor: {len(impostor)}, median "
          f"{statistics.median(impostor):.0f}, max {max(impostor):.0f}; EER {eer:.2%}")  # fmt: skip
    measured_on = (
        f"SYNTHETIC fingerprints (SFinGe method, seed {args.seed}): {len(fingers)} fingers x "
        f"{args.impressions} impressions of quality 1.0 to 0.2"
    )
    points = []
    for target in TARGET_FMRS:
        found = measured.at_fmr(target)
        if found is None:
            print(f"   FMR {target:.2%}: too few impostor comparisons to claim it")
            continue
        threshold, fmr, fnmr = found
        print(f"   FMR <= {target:.2%}: threshold {threshold:g}, FMR {fmr:.4%}, FNMR {fnmr:.2%}")
        points.append({"algorithm": ALGORITHM, "threshold": threshold, "fmr": fmr,
                       "fnmr": fnmr, "measured_on": measured_on, "genuine": len(genuine),
                       "impostor": len(impostor)})  # fmt: skip

    args.plot.parent.mkdir(parents=True, exist_ok=True)
    figure, axes = plt.subplots(figsize=(5, 4), dpi=110)
    floor = 1 / (10 * measured.impostor)
    axes.loglog(measured.fmr.clip(floor), measured.fnmr.clip(1 / (10 * measured.genuine)))
    axes.set_xlabel("false match rate")
    axes.set_ylabel("false non-match rate")
    axes.set_title(f"DET: {ALGORITHM}, synthetic prints (EER {eer:.1%})", fontsize=9)
    axes.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(args.plot)
    print(f"DET curve: {args.plot}")

    if args.calibrate:
        POINTS.write_text(json.dumps({"points": points}, indent=2) + "\n")
        print(f"operating points written to {POINTS}")

    figures = {
        "fingerprint": {
            "algorithm": ALGORITHM,
            "fingers": len(fingers),
            "impressions": len(images),
            "refused": refused,
            "extract_per_s": round(per_second, 2),
            "compare_per_s": round(rate, 1),
            "compare_per_s_baseline": round(baseline_rate, 1),
            "genuine": len(genuine),
            "impostor": len(impostor),
            "genuine_median": statistics.median(genuine),
            "impostor_median": statistics.median(impostor),
            "eer": round(eer, 4),
            "points": points,
            "data": measured_on,
        },
        "met": {
            "apart": statistics.median(genuine) > max(impostor),
            "eer": eer <= TARGET_EER,
            "point_at_fmr_0.1%": any(p["fmr"] <= 0.001 for p in points),
        },
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
