"""Bases of the API's answer schemas (``*Out``). An answer built as a dict must carry exactly
the fields its schema declares: an undeclared field is an error (found by the tests), never
silently dropped. ``Open`` is for the few answers that also carry data of the sender's own
shape (a PNR's details), declared as such."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    """An answer that may carry further fields beyond those declared (said in its docstring)."""

    model_config = ConfigDict(extra="allow")
