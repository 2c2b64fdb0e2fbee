"""Biometric matchers, measured: extraction rate, 1:1 comparisons/s, FMR/FNMR and a DET plot.

    uv run python bench/matchers.py [--modality fingerprint|iris|all] [--subjects N]
                                    [--captures K] [--calibrate] [--quick]

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

Irises: our Daugman pipeline (``biometrics/iris.py``: segmentation, rubber sheet, log-Gabor
phase bits, fractional Hamming distance over rotations) on SYNTHETIC eyes
(``smartborder.synthetic.irises``): captures differ in pupil dilation, tilt, position, eyelid,
reflection, focus and noise. Its baseline is the comparison with both codes unpacked from the
template each time.

With ``--calibrate``, the measured points are written to
``src/smartborder/biometrics/operating_points.json``, where the node's matchers read them.

The last line is one JSON object with every figure and a ``met`` object (targets: genuine and
impostor distributions apart, EER at most 5 %, a measured point at FMR 0.1 %).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from PIL import Image

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from smartborder.biometrics import face, fingerprint, iris
from smartborder.biometrics.images import BiometricProblem, png
from smartborder.biometrics.matchers import Template
from smartborder.biometrics.rates import rates
from smartborder.synthetic.fingerprints import finger
from smartborder.synthetic.irises import eye

ROOT = Path(__file__).resolve().parent.parent
POINTS = ROOT / "src/smartborder/biometrics/operating_points.json"
TARGET_FMRS = (0.01, 0.001)
TARGET_EER = 0.05


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modality", choices=("fingerprint", "iris", "face", "all"),
                        default="all")  # fmt: skip
    parser.add_argument("--faces", type=Path, default=None,
                        help="labelled faces: a folder per person (the node's own)")  # fmt: skip
    parser.add_argument("--subjects", type=int, default=60, help="fingers or eyes")
    parser.add_argument("--captures", type=int, default=3, help="impressions per subject")
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--plots", type=Path, default=ROOT / "docs/figures")
    parser.add_argument("--calibrate", action="store_true", help="write operating_points.json")
    parser.add_argument("--quick", action="store_true", help="12 subjects, 2 captures")
    args = parser.parse_args()
    if args.quick:
        args.subjects, args.captures = 12, 2
    quality = [1.0 - 0.8 * k / max(args.captures - 1, 1) for k in range(args.captures)]
    figures: dict[str, Any] = {}
    met: dict[str, bool] = {}
    points: list[dict[str, Any]] = []
    if args.modality in ("fingerprint", "all"):
        prints = fingerprint.NbisFingerprint(floor=0.0)  # every impression measured
        started = time.perf_counter()
        fingers = [finger(args.seed + n) for n in range(args.subjects)]
        print(f"{len(fingers)} synthetic fingers in {time.perf_counter() - started:.1f} s")
        images = [(n, k, png(f.impression(k, quality=quality[k])))
                  for n, f in enumerate(fingers) for k in range(args.captures)]  # fmt: skip
        data = (f"SYNTHETIC fingerprints (SFinGe method, seed {args.seed}): {len(fingers)} "
                f"fingers x {args.captures} impressions of quality 1.0 to 0.2")  # fmt: skip
        found = measure("fingerprint", prints, images, lambda t: prints.load(t.data, "t"),
                        lambda a, b: float(a.compare(b)), data, args)  # fmt: skip
        figures["fingerprint"], points = found, points + found["points"]
        met |= {f"fingerprint_{k}": v for k, v in found.pop("met").items()}
    if args.modality in ("iris", "all"):
        irises = iris.DaugmanIris(floor=0.0)
        eyes = [eye(args.seed + n) for n in range(args.subjects)]
        eye_quality = [1.0 - 0.6 * k / max(args.captures - 1, 1) for k in range(args.captures)]
        images = [(n, k, png(e.capture(k, quality=eye_quality[k])))
                  for n, e in enumerate(eyes) for k in range(args.captures)]  # fmt: skip
        data = (f"SYNTHETIC eyes (seed {args.seed}): {len(eyes)} eyes x {args.captures} "
                "captures of quality 1.0 to 0.4")  # fmt: skip

        def codes(a: Any, b: Any) -> float:
            return 1.0 - float(iris.distances(a[0], a[1], b[0][None], b[1][None])[0])

        found = measure("iris", irises, images, lambda t: irises.load(t.data, "t"), codes,
                        data, args, baseline=plain_iris)  # fmt: skip
        figures["iris"], points = found, points + found["points"]
        met |= {f"iris_{k}": v for k, v in found.pop("met").items()}
    if args.modality in ("face", "all"):
        found = faces_measured(args)
        figures["face"] = found
        points += found.pop("points", [])
        met |= {f"face_{k}": v for k, v in found.pop("met", {}).items()}
    if args.calibrate:
        measured = {p["algorithm"] for p in points}
        kept = [p for p in json.loads(POINTS.read_text())["points"]
                if p["algorithm"] not in measured]  # fmt: skip
        POINTS.write_text(json.dumps({"points": kept + points}, indent=2) + "\n")
        print(f"operating points written to {POINTS}")
    print(json.dumps({**figures, "met": met}))


def shipped_faces() -> list[tuple[str, bytes]]:
    """The real face photographs that ship in installed packages (matplotlib's sample of
    Grace Hopper): one person, so genuine pairs only."""
    sample = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    return [("grace_hopper", sample.read_bytes())] if sample.is_file() else []


def altered(data: bytes, k: int) -> bytes:
    """A SYNTHETIC alteration of a real photograph: turned, rescaled, darker or lighter,
    recompressed, as another capture of the same face might be."""
    rng = np.random.default_rng(k)
    image = Image.open(io.BytesIO(data)).convert("RGB")
    image = image.rotate(float(rng.uniform(-8, 8)), resample=Image.Resampling.BILINEAR)
    scale = float(rng.uniform(0.6, 1.0))
    image = image.resize((int(image.width * scale), int(image.height * scale)))
    gain = float(rng.uniform(0.7, 1.2))
    image = image.point(lambda v: min(255, int(v * gain)))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=int(rng.integers(40, 90)))
    return out.getvalue()


def faces_measured(args: argparse.Namespace) -> dict[str, Any]:
    """Faces: on the node's own labelled images (``--faces DIR``) the operating points; else
    on the shipped real photograph and synthetic alterations of it, genuine distances only."""
    matcher = face.DlibFace(floor=0.0)
    if args.faces is not None:
        people = sorted(p for p in args.faces.iterdir() if p.is_dir())
        images = [(n, k, path.read_bytes()) for n, person in enumerate(people)
                  for k, path in enumerate(sorted(person.iterdir())) if path.is_file()]  # fmt: skip
        data = f"faces of {len(people)} people from {args.faces} (the node's own, labelled)"
        args.captures = max(k for _, k, _ in images) + 1

        def apart(a: Any, b: Any) -> float:
            return -float(np.linalg.norm(a - b))  # negated: the rates want higher = alike

        return measure("face", matcher, images, lambda t: matcher.numbers(t.data, "t"), apart,
                       data, args, distance=True)  # fmt: skip
    people = real_faces()
    images = [(n, k, photo if k == 0 else altered(photo, 1000 * n + k))
              for n, (_, photo) in enumerate(people) for k in range(args.captures)]  # fmt: skip
    data = (f"{len(people)} real faces (scikit-image's LFW subset, 25 px upscaled to 200, and "
            "two portraits), each against SYNTHETIC alterations of itself; impostors: "
            "different photographs, a few of which may show one person, so the FMR is an "
            "upper bound")  # fmt: skip

    def apart(a: Any, b: Any) -> float:
        return -float(np.linalg.norm(a - b))  # negated: the rates want higher = alike

    return measure("face", matcher, images, lambda t: matcher.numbers(t.data, "t"), apart,
                   data, args, distance=True)  # fmt: skip


def real_faces() -> list[tuple[str, bytes]]:
    """The real face photographs installed packages ship: the 100 faces of scikit-image's
    LFW subset (25 x 25 grey, upscaled to 200 x 200) and two portraits (Grace Hopper from
    matplotlib, Eileen Collins from scikit-image)."""
    import skimage.data

    found = shipped_faces()
    astronaut = Path(skimage.data.__file__).parent / "astronaut.png"
    if astronaut.is_file():
        found.append(("astronaut", astronaut.read_bytes()))
    for n, face_pixels in enumerate(skimage.data.lfw_subset()[:100]):
        image = Image.fromarray((face_pixels * 255).astype(np.uint8)).resize(
            (200, 200), Image.Resampling.BICUBIC
        )
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG")
        found.append((f"lfw-{n}", out.getvalue()))
    return found


def plain_iris(a: Template, b: Template) -> float:
    """boolean bit arrays, one rotation at a time"""
    return 1.0 - iris.plain_distance(a.data, b.data)


def measure(
    modality: str,
    matcher: Any,
    images: list[tuple[int, int, bytes]],
    load: Callable[[Template], Any],
    compare: Callable[[Any, Any], float],
    measured_on: str,
    args: argparse.Namespace,
    baseline: Callable[[Template, Template], float] | None = None,
    distance: bool = False,
) -> dict[str, Any]:
    """Extract, compare every genuine pair and impostor pairs, and measure the points."""
    templates: dict[tuple[int, int], Template] = {}
    qualities: list[float] = []
    refused = 0
    started = time.perf_counter()
    for n, k, image in images:
        try:
            template = matcher.extract(image, f"{modality} {n} capture {k}")
        except BiometricProblem as problem:
            refused += 1
            print(f"   refused: {problem.message}")
            continue
        templates[n, k] = template
        qualities.append(template.quality.score)
    extract_s = time.perf_counter() - started
    per_second = len(images) / extract_s
    scale = next(iter(templates.values())).quality.scale
    print(f"{modality} extraction ({matcher.algorithm}): {per_second:.1f} images/s; quality "
          f"median {statistics.median(qualities):.0f} ({scale}); {refused} refused")  # fmt: skip

    loaded = {key: load(t) for key, t in templates.items()}
    last = min(1, args.captures - 1)
    pairs = [  # genuine: every two captures of a subject; impostor: every two subjects
        ((n, k), (m, j), n == m)
        for (n, k) in loaded
        for (m, j) in loaded
        if (n == m and k < j) or (n != m and k == 0 and j == last)
    ]
    genuine: list[float] = []
    impostor: list[float] = []
    started = time.perf_counter()
    for a, b, same in pairs:
        (genuine if same else impostor).append(compare(loaded[a], loaded[b]))
    rate = len(pairs) / (time.perf_counter() - started)
    sample = pairs[:: max(1, len(pairs) // 300)]  # the same mix of pairs, templates decoded
    started = time.perf_counter()
    for a, b, _ in sample:
        (baseline or matcher.compare)(templates[a], templates[b])
    baseline_rate = len(sample) / (time.perf_counter() - started)
    how = "decoding both templates each time" if baseline is None else baseline.__doc__
    print(f"{modality} comparisons (templates kept loaded): {rate:.0f}/s; {how} (baseline, "
          f"{len(sample)} of the same pairs): {baseline_rate:.0f}/s")  # fmt: skip

    measured = rates(genuine, impostor)
    eer = measured.eer()
    print(f"{modality} genuine scores: {len(genuine)}, median {statistics.median(genuine):.3g}, "
          f"min {min(genuine):.3g}; impostor: {len(impostor)}, median "
          f"{statistics.median(impostor):.3g}, max {max(impostor):.3g}; EER {eer:.2%}")  # fmt: skip
    points = []
    for target in TARGET_FMRS:
        found = measured.at_fmr(target)
        if found is None:
            print(f"   FMR {target:.2%}: too few impostor comparisons to claim it")
            continue
        threshold, fmr, fnmr = found
        if distance:  # scores were negated distances: the point is a distance at most this
            threshold = -threshold
        print(f"   FMR <= {target:.2%}: threshold {threshold:g}, FMR {fmr:.4%}, FNMR {fnmr:.2%}")
        point = {"algorithm": matcher.algorithm, "threshold": threshold, "fmr": fmr,
                 "fnmr": fnmr, "measured_on": measured_on, "genuine": len(genuine),
                 "impostor": len(impostor)}  # fmt: skip
        if distance:
            point["higher_is_closer"] = False
        points.append(point)

    plot = args.plots / f"det-{modality}.png"
    plot.parent.mkdir(parents=True, exist_ok=True)
    figure, axes = plt.subplots(figsize=(5, 4), dpi=110)
    floor = 1 / (10 * measured.impostor)
    axes.loglog(measured.fmr.clip(floor), measured.fnmr.clip(1 / (10 * measured.genuine)))
    axes.set_xlabel("false match rate")
    axes.set_ylabel("false non-match rate")
    axes.set_title(f"DET: {matcher.algorithm}, {measured_on.split(' (')[0]} (EER {eer:.1%})",
                   fontsize=8)  # fmt: skip
    axes.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(plot)
    plt.close(figure)
    print(f"DET curve: {plot}")
    return {
        "algorithm": matcher.algorithm,
        "subjects": len({n for n, _, _ in images}),
        "captures": len(images),
        "refused": refused,
        "extract_per_s": round(per_second, 2),
        "compare_per_s": round(rate, 1),
        "compare_per_s_baseline": round(baseline_rate, 1),
        "genuine": len(genuine),
        "impostor": len(impostor),
        "genuine_median": statistics.median(genuine) * (-1 if distance else 1),
        "impostor_median": statistics.median(impostor) * (-1 if distance else 1),
        "eer": round(eer, 4),
        "points": points,
        "data": measured_on,
        "met": {
            "apart": statistics.median(genuine) > max(impostor),
            "eer": eer <= TARGET_EER,
            "point_at_fmr_0.1%": any(p["fmr"] <= 0.001 for p in points),
        },
    }


if __name__ == "__main__":
    main()
