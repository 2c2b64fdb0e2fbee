"""What the retention API takes (the reasons for a legal hold and its release) and answers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from smartborder.answers import Out


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=2000)


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field("", max_length=2000)


class TallyOut(Out):
    flights: int
    messages: int
    passengers: int
    reservations: int
    travellers: int


class RetentionRunOut(Out):
    """What a run of the retention job did, or (``preview``) would do now."""

    preview: bool
    mask_before: str
    delete_before: str
    masked: TallyOut
    deleted: TallyOut
    held_travellers: int
    kept_for_holds: TallyOut


class HoldOut(Out):
    """A legal hold keeping a traveller's data from masking and deletion."""

    id: str
    traveller_id: str
    source: str
    reason: str
    placed_by: str
    placed_at: str
    open: bool
    released_by: str | None
    released_at: str | None
    release_reason: str | None
