"""Configuration from the environment; production refuses to start without real keys (SPEC §9)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ProductionConfig, config_for, normalise_database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production_env(monkeypatch):
    # prepare() writes the keys onto the class: restore them afterwards.
    for name in ("SECRET_KEY", "CARDOPS_DATA_KEY", "CARDOPS_AUDIT_KEY", "PUBLIC_BASE_URL", "RATELIMIT_STORAGE_URI",
                 "TRUSTED_HOSTS"):
        monkeypatch.setattr(ProductionConfig, name, getattr(ProductionConfig, name))
    for name in ("SECRET_KEY", "CARDOPS_DATA_KEY", "CARDOPS_AUDIT_KEY", "PUBLIC_BASE_URL", "TRUSTED_HOSTS",
                 "CARDOPS_SINGLE_PROCESS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    return monkeypatch


@pytest.fixture
def complete_production_env(production_env):
    production_env.setenv("SECRET_KEY", "s" * 40)
    production_env.setenv("CARDOPS_DATA_KEY", "d" * 40)
    production_env.setenv("PUBLIC_BASE_URL", "https://cardops.example.gov.cn")
    return production_env


@pytest.mark.parametrize("present", [(), ("SECRET_KEY",), ("CARDOPS_DATA_KEY",)])
def test_production_refuses_to_start_without_both_keys(production_env, present):
    for name in present:
        production_env.setenv(name, "x" * 40)
    with pytest.raises(RuntimeError) as refused:
        ProductionConfig.prepare()
    missing = {"SECRET_KEY", "CARDOPS_DATA_KEY"} - set(present)
    assert all(name in str(refused.value) for name in missing)


def test_production_takes_keys_from_the_environment(complete_production_env):
    ProductionConfig.prepare()
    assert ProductionConfig.SECRET_KEY == "s" * 40 and ProductionConfig.CARDOPS_DATA_KEY == "d" * 40
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.PUBLIC_BASE_URL == "https://cardops.example.gov.cn"
    # Only the public host name (and the machine itself, for probes) is answered: never a forged Host.
    assert ProductionConfig.TRUSTED_HOSTS == ["cardops.example.gov.cn", "localhost", "127.0.0.1"]
    assert ProductionConfig.RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/0"


def test_production_refuses_to_start_without_a_public_base_url(complete_production_env):
    complete_production_env.delenv("PUBLIC_BASE_URL")
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        ProductionConfig.prepare()


@pytest.mark.parametrize("storage", [None, "memory://"])
def test_production_refuses_a_per_process_rate_limit_store(complete_production_env, storage):
    """With memory:// four gunicorn workers would each allow the full budget: four times the limits."""
    if storage is None:
        complete_production_env.delenv("RATELIMIT_STORAGE_URI")
    else:
        complete_production_env.setenv("RATELIMIT_STORAGE_URI", storage)
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        ProductionConfig.prepare()
    complete_production_env.setenv("CARDOPS_SINGLE_PROCESS", "1")  # said explicitly: one process, memory is right
    ProductionConfig.prepare()
    assert ProductionConfig.RATELIMIT_STORAGE_URI == "memory://"


def test_trusted_hosts_can_be_listed(complete_production_env):
    complete_production_env.setenv("TRUSTED_HOSTS", "cardops.example.gov.cn, 10.1.2.3")
    ProductionConfig.prepare()
    assert ProductionConfig.TRUSTED_HOSTS == ["cardops.example.gov.cn", "10.1.2.3"]


def test_wsgi_refuses_to_start_in_production_without_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "CARDOPS_DATA_KEY"}}
    env.update(CARDOPS_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
               CARDOPS_INSTANCE_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "refuses to start" in result.stderr and "SECRET_KEY" in result.stderr
    assert not list(tmp_path.glob("dev-secrets.json"))  # no generated keys in production


def test_unknown_environment_name_is_an_error():
    with pytest.raises(RuntimeError, match="CARDOPS_ENV"):
        config_for("staging")


@pytest.mark.parametrize(("url", "expected"), [
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_urls_use_psycopg3(url, expected):
    assert normalise_database_url(url) == expected
