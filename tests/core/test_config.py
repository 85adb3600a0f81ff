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
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", ProductionConfig.SECRET_KEY)
    monkeypatch.setattr(ProductionConfig, "CARDOPS_DATA_KEY", ProductionConfig.CARDOPS_DATA_KEY)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("CARDOPS_DATA_KEY", raising=False)
    return monkeypatch


@pytest.mark.parametrize("present", [(), ("SECRET_KEY",), ("CARDOPS_DATA_KEY",)])
def test_production_refuses_to_start_without_both_keys(production_env, present):
    for name in present:
        production_env.setenv(name, "x" * 40)
    with pytest.raises(RuntimeError) as refused:
        ProductionConfig.prepare()
    missing = {"SECRET_KEY", "CARDOPS_DATA_KEY"} - set(present)
    assert all(name in str(refused.value) for name in missing)


def test_production_takes_keys_from_the_environment(production_env):
    production_env.setenv("SECRET_KEY", "s" * 40)
    production_env.setenv("CARDOPS_DATA_KEY", "d" * 40)
    ProductionConfig.prepare()
    assert ProductionConfig.SECRET_KEY == "s" * 40 and ProductionConfig.CARDOPS_DATA_KEY == "d" * 40
    assert ProductionConfig.SESSION_COOKIE_SECURE is True


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
