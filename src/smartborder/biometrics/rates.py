"""Error rates from labelled comparisons: FMR and FNMR at every threshold, the equal error rate,
and operating points that hold a false match rate, as NIST's evaluations report them.

A false match rate can only be claimed where enough impostor comparisons were made to see
it: with ``n`` impostor comparisons and none past the threshold, the 95 % upper bound of the
rate is about ``3 / n`` (the rule of three). A point for a target FMR is given only when
``n >= 3 / target``; below that the data cannot support it and none is returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Rates:
    thresholds: np.ndarray  # ascending
    fmr: np.ndarray  # impostor scores >= threshold, as a share
    fnmr: np.ndarray  # genuine scores < threshold, as a share
    genuine: int
    impostor: int

    def eer(self) -> float:
        """The equal error rate: where FMR and FNMR cross (their mean at the closest point)."""
        gap = np.abs(self.fmr - self.fnmr)
        i = int(np.argmin(gap))
        return float((self.fmr[i] + self.fnmr[i]) / 2)

    def at_fmr(self, target: float) -> tuple[float, float, float] | None:
        """The lowest threshold whose FMR is at most ``target`` - (threshold, FMR, FNMR) - or
        None when too few impostor comparisons were made to claim ``target``."""
        if self.impostor < 3 / target:
            return None
        within = np.nonzero(self.fmr <= target)[0]
        if not len(within):
            return None
        i = int(within[0])
        return float(self.thresholds[i]), float(self.fmr[i]), float(self.fnmr[i])


def rates(genuine: Sequence[float], impostor: Sequence[float]) -> Rates:
    """FMR and FNMR at every distinct score seen (higher scores meaning more alike)."""
    if not len(genuine) or not len(impostor):
        raise ValueError("error rates need genuine and impostor comparisons")
    g = np.sort(np.asarray(genuine, dtype=np.float64))
    i = np.sort(np.asarray(impostor, dtype=np.float64))
    thresholds = np.unique(np.concatenate([g, i, [g.max() + 1, i.max() + 1]]))
    fmr = (len(i) - np.searchsorted(i, thresholds, side="left")) / len(i)
    fnmr = np.searchsorted(g, thresholds, side="left") / len(g)
    return Rates(thresholds, fmr, fnmr, len(g), len(i))
