"""Settings: one object, read once from ``STEWARDSYNC_*`` environment variables.

Every field's docstring is its documentation (``stewardsync settings`` prints them and
docs/operations.md lists them; a test keeps the two in step).
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PREFIX = "STEWARDSYNC_"
PHOTO_STORES = ("", "files", "database")  # "" is the engine's default


class SettingsError(ValueError):
    """A setting has a value the server cannot use; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = field(default=Path("./data"), metadata={
        "doc": "Folder for the embedded SQLite database and the generated secret key."})
    database_url: str = field(default="", metadata={
        "doc": "Database URL: sqlite:///PATH or postgresql://USER:PASS@HOST:PORT/DB. "
               "Empty means SQLite at DATA_DIR/stewardsync.db."})
    host: str = field(default="127.0.0.1", metadata={"doc": "Address `serve` binds to."})
    port: int = field(default=8000, metadata={"doc": "Port `serve` listens on."})
    workers: int = field(default=1, metadata={"doc": "Server processes `serve` starts."})
    trusted_proxies: str = field(default="127.0.0.1", metadata={
        "doc": "Reverse proxies whose X-Forwarded-For gives the client's address (comma-separated "
               "addresses or networks, * for any): the per-address login limit and the audit log "
               "then see the phone's or browser's address, not the proxy's."})
    secret_key: str = field(default="", metadata={
        "doc": "Key for signing tokens; empty means one generated once into DATA_DIR/secret_key."})
    timezone: str = field(default="Asia/Shanghai", metadata={
        "doc": "The estate's time zone: days, weeks and months on pages and KPIs follow it."})
    log_level: str = field(default="INFO", metadata={"doc": "Log level (DEBUG, INFO, WARNING)."})
    secure_cookies: bool = field(default=False, metadata={
        "doc": "Mark cookies Secure (set true behind TLS)."})
    db_pool_size: int = field(default=10, metadata={
        "doc": "PostgreSQL connections per server process."})
    escalation_minutes: int = field(default=5, metadata={
        "doc": "Minutes between automatic escalations of overdue tickets to the manager; "
               "0 turns the timer off (the desk's sweep button still works)."})
    tombstone_days: int = field(default=90, metadata={
        "doc": "Days deleted records are kept; a phone offline longer must resync."})
    device_days: int = field(default=60, metadata={
        "doc": "Days a phone's credential stays valid after enrolment."})
    max_body_bytes: int = field(default=8 * 1024 * 1024, metadata={
        "doc": "Largest request body the API accepts."})
    max_photo_bytes: int = field(default=5 * 1024 * 1024, metadata={
        "doc": "Largest photo or signature accepted."})
    photo_store: str = field(default="", metadata={
        "doc": "Where photo and signature bytes live: files (content-addressed files in "
               "DATA_DIR/photos) or database (the attachment_blob table). Empty means files with "
               "SQLite and database with PostgreSQL (several hosts then share the photos through "
               "the database alone). `stewardsync photos move --to files|database` moves them."})
    upload_quota_bytes: int = field(default=50 * 1024 * 1024, metadata={
        "doc": "Bytes of photos one phone may hold on the server that no record names yet "
               "(uploads of the last day; they are purged after a day); past it an upload "
               "answers 429 upload_quota. A photo whose record is on the server always goes "
               "up. 0 turns the quota off."})

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'stewardsync.db').as_posix()}"

    @property
    def photos_dir(self) -> Path:
        """The folder of the files photo store."""
        return self.data_dir / "photos"

    @property
    def resolved_photo_store(self) -> str:
        """``files`` or ``database``: the setting, else the engine's default."""
        return self.photo_store or ("files" if self.engine_kind == "sqlite" else "database")

    @property
    def engine_kind(self) -> str:
        """``sqlite`` or ``postgres``."""
        return database_kind(self.resolved_database_url)

    def with_(self, **changes: object) -> "Settings":
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def ensure_secret_key(self) -> "Settings":
        """The configured key, or one generated once and kept in the data folder."""
        if self.secret_key:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return self.with_(secret_key=path.read_text().strip())


def database_kind(url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return "sqlite"
    if scheme in ("postgres", "postgresql"):
        return "postgres"
    raise SettingsError(
        f"STEWARDSYNC_DATABASE_URL: unsupported scheme {scheme!r} in {url!r}; "
        "use sqlite:///PATH or postgresql://USER@HOST:PORT/DB")


def _convert(name: str, raw: str, kind: type) -> object:
    if kind is bool:
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off", ""):
            return False
        raise SettingsError(f"{PREFIX}{name.upper()}: expected true or false, got {raw!r}")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{PREFIX}{name.upper()}: expected a whole number, got {raw!r}") from None
    if kind is Path:
        return Path(raw)
    return raw


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the settings from the environment (or the mapping given)."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for f in dataclasses.fields(Settings):
        raw = env.get(PREFIX + f.name.upper())
        if raw is not None:
            kind = type(f.default) if not isinstance(f.default, Path) else Path
            values[f.name] = _convert(f.name, raw, kind)
    settings = Settings(**values)  # type: ignore[arg-type]
    database_kind(settings.resolved_database_url)  # fail now on a bad URL
    if settings.photo_store not in PHOTO_STORES:
        raise SettingsError(f"{PREFIX}PHOTO_STORE: expected files or database, got {settings.photo_store!r}")
    return settings


def documented() -> list[tuple[str, str, str]]:
    """(variable, default, doc) for every setting."""
    return [
        (PREFIX + f.name.upper(), str(f.default), f.metadata["doc"])
        for f in dataclasses.fields(Settings)
    ]
