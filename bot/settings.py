"""Configuration from the environment and an optional `.env` file.

Everything an operator can set lives here, so the rest of the code never reads `os.environ`.
"""

import re
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import UserFacingError
from bot.i18n import N_
from bot.reminder_calendar import ReminderCalendar, parse_quiet_hours
from bot.text import ascii_digits

SUPPORTED_LOCALES = ("vi", "en")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./thidua.db"
# Bot API tokens look like "123456789:AAE..." (numeric bot id, colon, 30+ url-safe characters).
TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")


class ConfigError(UserFacingError):
    """A setting is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    """Operator settings; field names map to the documented environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    telegram_bot_token: str | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_bot_username: str | None = Field(default=None, alias="TELEGRAM_BOT_USERNAME")
    telegram_api_url: str | None = Field(default=None, alias="TELEGRAM_API_URL")
    telegram_api_file_url: str | None = Field(default=None, alias="TELEGRAM_API_FILE_URL")
    database_url: str = Field(default=DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    timezone: str = Field(default="Asia/Ho_Chi_Minh", alias="THIDUA_TIMEZONE")
    default_locale: str = Field(default="vi", alias="THIDUA_DEFAULT_LOCALE")
    admin_ids_raw: str = Field(default="", alias="THIDUA_ADMIN_IDS")
    send_rate: float = Field(default=30.0, gt=0, le=1000, alias="THIDUA_SEND_RATE")
    quiet_hours_raw: str = Field(default="21:00-07:00", alias="THIDUA_QUIET_HOURS")
    place: str = Field(default="Hà Nội", max_length=64, alias="THIDUA_PLACE")  # reports' date line
    reminder_sweep_seconds: float = Field(
        default=15.0, ge=1, le=600, alias="THIDUA_REMINDER_SWEEP_SECONDS"
    )
    # How often the stored summary figures of changed units are recomputed (bot/summary_refresh.py).
    summary_refresh_seconds: float = Field(
        default=60.0, ge=1, le=3600, alias="THIDUA_SUMMARY_REFRESH_SECONDS"
    )
    # Flood control: updates a person may send at once, and per second after that.
    flood_burst: int = Field(default=10, ge=1, le=1000, alias="THIDUA_FLOOD_BURST")
    flood_rate: float = Field(default=1.0, gt=0, le=1000, alias="THIDUA_FLOOD_RATE")
    log_format: Literal["text", "json"] = Field(default="text", alias="THIDUA_LOG_FORMAT")
    metrics_port: int = Field(default=0, ge=0, le=65535, alias="THIDUA_METRICS_PORT")  # 0: off
    metrics_host: str = Field(default="127.0.0.1", alias="THIDUA_METRICS_HOST")
    # A standby `thidua run` tries the leader lock this often (see bot/leader.py).
    standby_retry_seconds: float = Field(
        default=5.0, ge=0.2, le=300, alias="THIDUA_STANDBY_RETRY_SECONDS"
    )

    @field_validator("quiet_hours_raw")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        try:
            parse_quiet_hours(value)
        except UserFacingError as exc:
            raise ValueError(exc.message.format(**exc.params)) from exc
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("admin_ids_raw")
    @classmethod
    def _numeric_admin_ids(cls, value: str) -> str:
        for part in _split_ids(value):
            if not ascii_digits(part.removeprefix("-")) or len(part) > 20:
                raise ValueError(f"{part!r} is not a Telegram user id (digits only)")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER@HOST/DB")
        return value

    @property
    def admin_ids(self) -> list[int]:
        return [int(part) for part in _split_ids(self.admin_ids_raw)]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def reminder_calendar(self) -> ReminderCalendar:
        """When reminders may go out: the zone, quiet hours, weekends and public holidays."""
        return ReminderCalendar(self.tz, parse_quiet_hours(self.quiet_hours_raw))

    def require_token(self) -> str:
        """The bot token, or a ConfigError that names the variable."""
        token = (self.telegram_bot_token or "").strip()
        if not token:
            raise ConfigError(
                N_(
                    "{variable} is not set: put the token from @BotFather in the environment "
                    "or in .env"
                ),
                variable="TELEGRAM_BOT_TOKEN",
            )
        if not TOKEN_PATTERN.match(token):
            raise ConfigError(
                N_("{variable} is malformed: expected 123456789:ABC... as given by @BotFather"),
                variable="TELEGRAM_BOT_TOKEN",
            )
        return token


def _split_ids(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


# Environment variable names by field, for error messages.
_ENV_NAMES = {name: (field.alias or name.upper()) for name, field in Settings.model_fields.items()}


# What to tell the operator for each variable that can be malformed.
_FIELD_HINTS = {  # keyed by variable name: pydantic reports the alias as the location
    "THIDUA_TIMEZONE": N_("{variable}={value} is not a known time zone (e.g. Asia/Ho_Chi_Minh)"),
    "THIDUA_DEFAULT_LOCALE": N_("{variable}={value}: use vi or en"),
    "THIDUA_ADMIN_IDS": N_(
        "{variable}={value}: give Telegram user ids separated by commas, e.g. 123456789,987654"
    ),
    "THIDUA_LOG_FORMAT": N_("{variable}={value}: use text or json"),
    "THIDUA_METRICS_PORT": N_("{variable}={value}: give a TCP port (1-65535), or 0 for none"),
    "DATABASE_URL": N_(
        "{variable}={value}: use sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER@HOST/DB"
    ),
}


def load_settings() -> Settings:
    """Read settings; the first malformed variable becomes a ConfigError naming it."""
    try:
        return Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "?"
        variable = _ENV_NAMES.get(field, field)
        hint = _FIELD_HINTS.get(variable, N_("{variable}={value} is not valid"))
        raise ConfigError(hint, variable=variable, value=str(error.get("input", ""))) from None
