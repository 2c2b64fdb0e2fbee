"""Bounds every integer a request may carry, so that none reaches the database out of range
(an ``INTEGER`` row id is 32 bits on PostgreSQL; SQLite and psycopg refuse integers past 64)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_OFFSET = 10_000_000
MAX_ROW_ID = 2**31 - 1

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")]
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
