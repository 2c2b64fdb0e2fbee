"""The modalities this node matches, each with its matcher and the magic its templates start with
(so that an upload is told apart: a template is used as it is, an image is extracted)."""

from __future__ import annotations

from typing import Literal, Protocol

from smartborder.biometrics.face import MAGIC as FACE_MAGIC
from smartborder.biometrics.face import DlibFace
from smartborder.biometrics.fingerprint import ISO_MAGIC, NbisFingerprint
from smartborder.biometrics.iris import MAGIC as IRIS_MAGIC
from smartborder.biometrics.iris import DaugmanIris
from smartborder.biometrics.matchers import Modality, Quality, Template
from smartborder.errors import ValidationFailed

Kind = Literal["fingerprint", "iris", "face"]
KINDS: tuple[Kind, ...] = ("fingerprint", "iris", "face")


class SampleMatcher(Protocol):
    modality: Modality
    algorithm: str

    def assess(self, image: bytes, source: str) -> Quality: ...
    def extract(self, image: bytes, source: str) -> Template: ...
    def template(self, data: bytes, source: str) -> Template: ...
    def compare(self, probe: Template, reference: Template) -> float: ...


def matcher(kind: str) -> SampleMatcher:
    if kind == "fingerprint":
        return NbisFingerprint()
    if kind == "iris":
        return DaugmanIris()
    if kind == "face":
        return DlibFace()
    raise ValidationFailed(
        f"'{kind}' is not a modality this node matches ({', '.join(KINDS)})",
        details=[{"field": "modality", "value": kind}],
    )


def template_from(kind: str, data: bytes, source: str) -> Template:
    """An uploaded sample as a template: a template of the modality's format as it is (a card's
    ISO/IEC 19794-2 record, an iris code), an image extracted (``BiometricProblem`` when it
    cannot be)."""
    chosen = matcher(kind)
    magic = {"fingerprint": ISO_MAGIC, "iris": IRIS_MAGIC, "face": FACE_MAGIC}[kind]
    if data.startswith(magic):
        return chosen.template(data, source)
    return chosen.extract(data, source)
