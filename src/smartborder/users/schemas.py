from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from smartborder.roles import Role


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    role: Role
    password: str = Field(min_length=1, max_length=1000)
    display_name: str = Field("", max_length=120)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    username: str
    display_name: str
    role: str
    active: bool
    created_at: dt.datetime
    last_login_at: dt.datetime | None


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret. Shown once; store it now.")
