"""One Settings object for a node.

Read from, highest first: explicit values, SMARTBORDER_* environment variables, the node file
``<data_dir>/node.toml`` written by ``smartborder init``, and defaults.

Every field is documented in docs/settings.md (a test enforces it).
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

import pycountry
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from smartborder.categories import CATEGORIES
from smartborder.errors import SettingsError

ENV_PREFIX = "SMARTBORDER_"
NODE_FILE = "node.toml"
DEFAULT_DATA_DIR = Path("smartborder-data")
NODE_ID_PATTERN = r"^[a-z][a-z0-9-]{1,31}$"


# Lookout categories and the teams (user groups) their hits go to, the default of ``travel_teams``.
TRAVEL_TEAMS = {
    "terrorism": "national-security",
    "designated-entity": "national-security",
    "specified-person": "national-security",
    "serious-crime": "serious-crime",
    "customs": "customs",
    "immigration-violation": "immigration",
    "lost-stolen-document": "immigration",
}


class NodeFileSource(PydanticBaseSettingsSource):
    """Reads ``node.toml`` from the data directory chosen by the higher-priority sources."""

    def __init__(self, settings_cls: type[BaseSettings], init_kwargs: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        raw = init_kwargs.get("data_dir") or os.environ.get(f"{ENV_PREFIX}DATA_DIR")
        self.path = Path(raw or DEFAULT_DATA_DIR) / NODE_FILE
        self.values: dict[str, Any] = {}
        if self.path.is_file():
            try:
                self.values = tomllib.loads(self.path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise SettingsError(f"{self.path}: not valid TOML: {exc}") from exc

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self.values.items() if k in self.settings_cls.model_fields}


class Settings(BaseSettings):
    """A node's configuration. Build it with :func:`load_settings` to get readable errors."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    node_id: str = Field("local", pattern=NODE_ID_PATTERN)
    node_name: str = Field("smartborder node", min_length=1, max_length=120)
    country: str = Field("CA", min_length=2, max_length=2)
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""
    signing_key_path: Path | None = None
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    session_idle_minutes: int = Field(30, ge=1, le=24 * 60)
    session_max_hours: int = Field(12, ge=1, le=7 * 24)
    tls_certfile: Path | None = None
    tls_keyfile: Path | None = None
    tls_client_ca: Path | None = None
    exchange_port: int | None = Field(None, ge=1, le=65535)
    cookie_secure: bool | None = None
    oidc_issuer: str = Field("", max_length=500)
    oidc_client_id: str = Field("", max_length=200)
    oidc_client_secret: str = Field("", max_length=500)
    oidc_provider_name: str = Field("your agency", min_length=1, max_length=80)
    oidc_scopes: str = Field("openid profile email", max_length=500)
    oidc_username_claim: str = Field("preferred_username", min_length=1, max_length=80)
    oidc_role_claim: str = Field("roles", min_length=1, max_length=80)
    oidc_role_map: dict[str, str] = Field(default_factory=dict)
    oidc_redirect_url: str = Field("", max_length=500)
    login_max_failures: int = Field(5, ge=1, le=100)
    login_lockout_minutes: int = Field(15, ge=1, le=24 * 60)
    login_rate_per_minute: int = Field(30, ge=1, le=100_000)
    public_form_rate_per_minute: int = Field(10, ge=1, le=100_000)
    metrics_token: str = Field("", description="the bearer token /metrics asks for")
    password_hash_concurrency: int = Field(2, ge=1, le=64)
    max_body_bytes: int = Field(1_048_576, ge=1024)
    max_concurrent_requests: int = Field(16, ge=1, le=1000)
    request_queue_size: int = Field(256, ge=0, le=100_000)
    request_queue_timeout_seconds: float = Field(20.0, gt=0, le=600)
    exchange_max_envelope_bytes: int = Field(262_144, ge=1024)
    exchange_max_clock_skew_seconds: int = Field(300, ge=1, le=86_400)
    exchange_max_age_hours: int = Field(168, ge=1, le=24 * 365)
    exchange_dispatch_interval_seconds: float = Field(1.0, ge=0, le=3600)
    exchange_batch_size: int = Field(200, ge=1, le=5000)
    exchange_timeout_seconds: float = Field(10.0, gt=0, le=300)
    exchange_max_envelopes: int = Field(500, ge=1, le=10_000)
    exchange_rate_per_minute: int = Field(600, ge=1, le=1_000_000)
    exchange_concurrent_deliveries: int = Field(2, ge=1, le=100)
    audit_checkpoint_minutes: int = Field(60, ge=0, le=7 * 24 * 60)
    audit_head_every_entries: int = Field(100, ge=1, le=1_000_000)
    audit_head_seconds: int = Field(60, ge=1, le=86_400)
    screening_threshold: float = Field(0.70, gt=0, lt=1)
    screening_category_thresholds: dict[str, float] = Field(default_factory=dict)
    screening_names_only_threshold: float = Field(0.55, gt=0, lt=1)
    screening_category_names_only_thresholds: dict[str, float] = Field(default_factory=dict)
    screening_max_batch: int = Field(1000, ge=1, le=100_000)
    travel_max_message_bytes: int = Field(16 * 1024 * 1024, ge=1024, le=256 * 1024 * 1024)
    travel_strict: bool = False
    travel_mask_after_days: int = Field(180, ge=1, le=36_500)
    travel_delete_after_days: int = Field(1826, ge=1, le=36_500)
    travel_teams: dict[str, str] = Field(default_factory=lambda: dict(TRAVEL_TEAMS))
    travel_rescore_seconds: int = Field(60, ge=5, le=86_400)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        init_kwargs = getattr(init_settings, "init_kwargs", {})
        return (init_settings, env_settings, NodeFileSource(settings_cls, init_kwargs))

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        code = value.upper()
        if pycountry.countries.get(alpha_2=code) is None:
            raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code")
        return code

    @field_validator("metrics_token")
    @classmethod
    def _metrics_token(cls, value: str) -> str:
        if value and len(value) < 16:
            raise ValueError("the monitoring token needs at least 16 characters")
        return value

    @field_validator("screening_category_thresholds", "screening_category_names_only_thresholds")
    @classmethod
    def _thresholds(cls, value: dict[str, float]) -> dict[str, float]:
        for category, threshold in value.items():
            if category not in CATEGORIES:
                raise ValueError(
                    f"'{category}' is not a lookout category ({', '.join(CATEGORIES)})"
                )
            if not 0 < threshold < 1:
                raise ValueError(f"the threshold for {category} must be between 0 and 1")
        return value

    @field_validator("oidc_role_map")
    @classmethod
    def _role_map(cls, value: dict[str, str]) -> dict[str, str]:
        from smartborder.roles import Role

        known = {role.value for role in Role}
        for claim_value, role in value.items():
            if role not in known:
                raise ValueError(
                    f"'{claim_value}' maps to '{role}', which is not a role ({', '.join(known)})"
                )
        return value

    @model_validator(mode="after")
    def _oidc(self) -> Settings:
        if not self.oidc_issuer:
            return self
        if not re.match(r"^https?://[^\s/]+(/\S*)?$", self.oidc_issuer):
            raise ValueError(f"oidc_issuer '{self.oidc_issuer}' is not an http(s) URL")
        if not self.oidc_client_id:
            raise ValueError("oidc_issuer is set: set oidc_client_id too")
        if not self.oidc_role_map:
            raise ValueError(
                "oidc_issuer is set: set oidc_role_map too (claim value -> role), "
                'e.g. {"cbsa-targeting": "analyst"}'
            )
        if "openid" not in self.oidc_scopes.split():
            raise ValueError("oidc_scopes must include 'openid'")
        return self

    @property
    def single_sign_on(self) -> bool:
        return bool(self.oidc_issuer)

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9.:\-\[\]]+", value):
            raise ValueError(f"'{value}' is not a host name or IP address")
        return value

    @model_validator(mode="after")
    def _database_url(self) -> Settings:
        url = self.database_url or f"sqlite:///{(self.data_dir / 'smartborder.db').resolve()}"
        if not url.startswith(("sqlite:///", "postgresql+psycopg://", "postgresql://")):
            raise ValueError(
                "database_url must start with sqlite:///, postgresql:// or postgresql+psycopg://"
            )
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        object.__setattr__(self, "database_url", url)
        return self

    @model_validator(mode="after")
    def _retention_order(self) -> Settings:
        if self.travel_delete_after_days <= self.travel_mask_after_days:
            raise ValueError(
                f"travel_delete_after_days ({self.travel_delete_after_days}) must be more than "
                f"travel_mask_after_days ({self.travel_mask_after_days}): data is masked first"
            )
        return self

    @model_validator(mode="after")
    def _tls(self) -> Settings:
        if (self.tls_certfile is None) != (self.tls_keyfile is None):
            raise ValueError("tls_certfile and tls_keyfile go together: give both or neither")
        if self.exchange_port is not None and not self.tls:
            raise ValueError(
                "exchange_port opens the partner listener, which speaks mutual TLS only: "
                "set tls_certfile and tls_keyfile too"
            )
        if self.exchange_port is not None and self.exchange_port == self.port:
            raise ValueError("exchange_port must differ from port")
        return self

    @property
    def tls(self) -> bool:
        """The node is served over HTTPS (it holds a certificate and key)."""
        return self.tls_certfile is not None

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure``: as set, or by default whenever the node serves TLS."""
        return self.tls if self.cookie_secure is None else self.cookie_secure

    @property
    def audit_heads_path(self) -> Path:
        """The signed heads of the audit chain, kept outside the database."""
        return self.data_dir / "audit" / "signed-heads.jsonl"

    @property
    def node_file(self) -> Path:
        return self.data_dir / NODE_FILE

    @property
    def key_path(self) -> Path:
        return self.signing_key_path or self.data_dir / "keys" / "signing-key.pem"

    @property
    def initialised(self) -> bool:
        return self.node_file.is_file()


def load_settings(**values: Any) -> Settings:
    """Build Settings; raise SettingsError naming every bad setting (env var and field) at once."""
    values = {k: v for k, v in values.items() if v is not None}
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "settings"
            name = f"{ENV_PREFIX}{field.upper()}" if field != "settings" else "settings"
            got = f" (got {err['input']!r})" if not isinstance(err["input"], dict) else ""
            problems.append(f"{name}: {err['msg']}{got}")
        raise SettingsError("invalid settings:\n  " + "\n  ".join(problems)) from None


def write_node_file(settings: Settings) -> None:
    """Record the node's identity in its data directory, so later commands need only --data-dir."""
    lines = [
        "# Written by `smartborder init`. SMARTBORDER_* environment variables override these.",
        f'node_id = "{settings.node_id}"',
        f"node_name = {_toml_string(settings.node_name)}",
        f'country = "{settings.country}"',
        f"database_url = {_toml_string(settings.database_url)}",
    ]
    settings.node_file.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
