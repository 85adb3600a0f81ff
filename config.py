"""Configuration from the environment.

``create_app()`` picks a class by ``CARDOPS_ENV`` (development, testing, production). Secrets never live in the
repository: production refuses to start without ``SECRET_KEY`` and ``CARDOPS_DATA_KEY``, without
``PUBLIC_BASE_URL``, and with a per-process rate-limit store (``memory://``) unless it is told it runs as one
process; development generates the keys once into ``instance/`` so a fresh checkout runs with ``make run``.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CARDOPS_INSTANCE_DIR", BASE_DIR / "instance"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _host_of(url: str | None) -> str | None:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname if url else None


def normalise_database_url(url: str) -> str:
    """Accept the usual ``postgres://`` / ``postgresql://`` spellings and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _default_sqlite_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'cardops.sqlite3'}"


def _dev_secrets() -> dict[str, str]:
    """Development keys, generated once into instance/ (git-ignored) and reused afterwards."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    values = {"SECRET_KEY": secrets.token_urlsafe(48), "CARDOPS_DATA_KEY": secrets.token_urlsafe(48)}
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values


class Config:
    ENV_NAME = "base"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    CARDOPS_DATA_KEY: str | None = os.environ.get("CARDOPS_DATA_KEY")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("DATABASE_URL") or _default_sqlite_url())
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    # Sessions and cookies
    SESSION_COOKIE_NAME = "cardops_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    IDLE_TIMEOUT = timedelta(minutes=_env_int("CARDOPS_IDLE_MINUTES", 15))
    PERMANENT_SESSION_LIFETIME = IDLE_TIMEOUT
    # The cookie is re-sent only when the session changed: every page a signed-in user opens does (last_seen), a
    # stylesheet or icon never does, so a static answer still on its way cannot put back an older session (one
    # without the language just chosen, say) over the one the page before it set.
    SESSION_REFRESH_EACH_REQUEST = False
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_DURATION = timedelta(minutes=15)

    WTF_CSRF_TIME_LIMIT = None  # the session itself expires after IDLE_TIMEOUT

    # Internationalisation: Chinese first, English available
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh_CN": "中文", "en": "English"}

    # Request bodies over this are refused with 413 PAYLOAD_TOO_LARGE before they are read (SPEC §9).
    MAX_CONTENT_LENGTH = _env_int("CARDOPS_MAX_CONTENT_MB", 10) * 1024 * 1024
    # Seconds a client is told to wait (Retry-After) while the database cannot be reached (503 UNAVAILABLE).
    RETRY_AFTER_SECONDS = _env_int("CARDOPS_RETRY_AFTER_SECONDS", 5)

    # Links the application prints or mails (receipt QR code, verification, e-mails) start with this, never with
    # the request's Host header (cardops.core.urls.public_url). Required in production.
    PUBLIC_BASE_URL: str | None = os.environ.get("PUBLIC_BASE_URL") or None
    # Host names the application answers to (Flask refuses others with 400); empty: any (development).
    TRUSTED_HOSTS: list[str] | None = _env_list("TRUSTED_HOSTS") or None

    # Rate limits (public status page, sign-in per client address). memory:// counts per process: with several
    # gunicorn workers every worker would allow the full budget. Production needs a shared store (redis://…).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "cardops")  # several deployments, one Redis
    RATELIMIT_HEADERS_ENABLED = True
    PUBLIC_STATUS_RATE_LIMIT = os.environ.get("PUBLIC_STATUS_RATE_LIMIT", "10 per minute")
    # Failed sign-ins per client address (any usernames) before the address must wait: 429 RATE_LIMITED.
    LOGIN_ADDRESS_LIMIT = os.environ.get("LOGIN_ADDRESS_LIMIT", "20 per 15 minutes")

    # Audit chain (SPEC §4): entries are sealed with HMAC-SHA256 under CARDOPS_AUDIT_KEY (derived from
    # CARDOPS_DATA_KEY when not set); checkpoints of the chain's head are written to this directory outside
    # the database (default: instance/audit-checkpoints), and `audit verify` compares the chain with them.
    CARDOPS_AUDIT_KEY: str | None = os.environ.get("CARDOPS_AUDIT_KEY") or None
    CARDOPS_AUDIT_CHECKPOINT_DIR: str | None = os.environ.get("CARDOPS_AUDIT_CHECKPOINT_DIR") or None
    AUDIT_CHECKPOINT_SCHEDULE = os.environ.get("AUDIT_CHECKPOINT_SCHEDULE", "55 23 * * *")

    # Anti-impersonation risk thresholds (SPEC §3.4 defaults)
    RISK_RECENT_REISSUE_DAYS = _env_int("RISK_RECENT_REISSUE_DAYS", 365)
    RISK_RECENT_REISSUE_MEDIUM = _env_int("RISK_RECENT_REISSUE_MEDIUM", 1)
    RISK_RECENT_REISSUE_HIGH = _env_int("RISK_RECENT_REISSUE_HIGH", 2)
    RISK_SHARED_PHONE_DAYS = _env_int("RISK_SHARED_PHONE_DAYS", 90)
    RISK_SHARED_PHONE_OTHERS = _env_int("RISK_SHARED_PHONE_OTHERS", 2)
    RISK_SERIAL_AGENT_DAYS = _env_int("RISK_SERIAL_AGENT_DAYS", 30)
    RISK_SERIAL_AGENT_OTHERS = _env_int("RISK_SERIAL_AGENT_OTHERS", 2)

    # Mail (optional; reminders fall back to in-app notifications). Sent by the scheduler process only, from an
    # outbox: a failed send is retried MAIL_MAX_ATTEMPTS times, waiting MAIL_RETRY_SECONDS, then twice, four
    # times as long … (at most an hour).
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)  # STARTTLS
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)  # TLS from the first byte (port 465)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "cardops@localhost")
    MAIL_TIMEOUT_SECONDS = _env_int("MAIL_TIMEOUT_SECONDS", 20)
    MAIL_POLL_SECONDS = _env_int("MAIL_POLL_SECONDS", 20)
    MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 8)
    MAIL_RETRY_SECONDS = _env_int("MAIL_RETRY_SECONDS", 60)

    # Time limits of requests (SPEC §7; the overdue queue, the reminders and the dashboard share them)
    STALE_WORKING_DAYS = _env_int("STALE_WORKING_DAYS", 2)
    UNCOLLECTED_DAYS = _env_int("UNCOLLECTED_DAYS", 30)
    UNCOLLECTED_RETURN_DAYS = _env_int("UNCOLLECTED_RETURN_DAYS", 180)
    # certification_expiring: roster entries whose certification ends within this many days
    CERTIFICATION_EXPIRY_DAYS = _env_int("CERTIFICATION_EXPIRY_DAYS", 30)

    # The scheduler: one leader among any number of `flask scheduler` processes, holding a lease in the database
    # that it renews every HEARTBEAT seconds; a standby takes over once the lease is LEASE seconds old (a leader
    # killed with kill -9 is replaced within LEASE + HEARTBEAT seconds). Rule changes are picked up every SYNC
    # seconds; a run missed while nobody led (within CATCH_UP minutes) is made up by the new leader.
    SCHEDULER_LEASE_SECONDS = _env_int("SCHEDULER_LEASE_SECONDS", 30)
    SCHEDULER_HEARTBEAT_SECONDS = _env_int("SCHEDULER_HEARTBEAT_SECONDS", 10)
    SCHEDULER_SYNC_SECONDS = _env_int("SCHEDULER_SYNC_SECONDS", 30)
    SCHEDULER_CATCH_UP_MINUTES = _env_int("SCHEDULER_CATCH_UP_MINUTES", 60)

    # Number of reverse proxies in front of gunicorn whose X-Forwarded-* headers are trusted (0: none).
    PROXY_FIX_COUNT = _env_int("PROXY_FIX_COUNT", 0)
    # The district card center's name on printed booklets (典型事例汇编); unset: 普陀区社保卡服务中心, translated.
    DISTRICT_NAME = os.environ.get("CARDOPS_DISTRICT_NAME") or None
    # Days from submission to the expected card date printed on the receipt.
    CARD_PRODUCTION_DAYS = _env_int("CARD_PRODUCTION_DAYS", 10)

    # Benchmark mode counts SQL statements per request (X-SQL-Count header); off in normal operation.
    CARDOPS_COUNT_SQL = _env_bool("CARDOPS_COUNT_SQL", False)

    @classmethod
    def prepare(cls) -> None:
        """Hook run by create_app before the configuration is loaded."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = _env_bool("FLASK_DEBUG", False)
    PUBLIC_BASE_URL = Config.PUBLIC_BASE_URL or f"http://127.0.0.1:{os.environ.get('PORT') or 5000}"

    @classmethod
    def prepare(cls) -> None:
        generated = _dev_secrets()
        cls.SECRET_KEY = cls.SECRET_KEY or generated["SECRET_KEY"]
        cls.CARDOPS_DATA_KEY = cls.CARDOPS_DATA_KEY or generated["CARDOPS_DATA_KEY"]


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    CARDOPS_DATA_KEY = "test-data-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or "sqlite://"
    )
    RATELIMIT_STORAGE_URI = "memory://"
    PUBLIC_BASE_URL = "http://localhost"
    TRUSTED_HOSTS = None
    CARDOPS_AUDIT_KEY = None
    CARDOPS_AUDIT_CHECKPOINT_DIR = os.environ.get("CARDOPS_AUDIT_CHECKPOINT_DIR") or os.path.join(
        tempfile.gettempdir(), f"cardops-test-checkpoints-{os.getpid()}")


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 5}
    # A rate-limit store that is down must not take the application down: count per process meanwhile.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True

    @classmethod
    def prepare(cls) -> None:
        missing = [name for name in ("SECRET_KEY", "CARDOPS_DATA_KEY", "PUBLIC_BASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(
                "Production configuration refuses to start without " + ", ".join(missing)
                + " in the environment (generate keys with:"
                " python -c 'import secrets; print(secrets.token_urlsafe(48))';"
                " PUBLIC_BASE_URL is the address users reach, e.g. https://cardops.district.gov.cn)"
            )
        storage = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        if storage.startswith("memory://") and not _env_bool("CARDOPS_SINGLE_PROCESS", False):
            raise RuntimeError(
                "Production configuration refuses to start with RATELIMIT_STORAGE_URI=memory://: every gunicorn worker"
                " would count on its own (4 workers: 4 times the limits). Set RATELIMIT_STORAGE_URI=redis://host:6379/0"
                " (or CARDOPS_SINGLE_PROCESS=1 when exactly one process serves requests)"
            )
        cls.SECRET_KEY = os.environ["SECRET_KEY"]
        cls.CARDOPS_DATA_KEY = os.environ["CARDOPS_DATA_KEY"]
        cls.CARDOPS_AUDIT_KEY = os.environ.get("CARDOPS_AUDIT_KEY") or None
        cls.PUBLIC_BASE_URL = os.environ["PUBLIC_BASE_URL"]
        cls.RATELIMIT_STORAGE_URI = storage
        # Answer to the public host name (and to the machine itself, for probes); more with TRUSTED_HOSTS.
        cls.TRUSTED_HOSTS = _env_list("TRUSTED_HOSTS") or [_host_of(cls.PUBLIC_BASE_URL), "localhost", "127.0.0.1"]


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("CARDOPS_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown CARDOPS_ENV {name!r}; expected one of {sorted(CONFIGS)}") from None
