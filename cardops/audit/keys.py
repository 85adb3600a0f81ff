"""The audit chain's key: from the configuration, never from the database (``cardops.audit.services``)."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

KEY_EXTENSION = "cardops_audit_key"


def derive_audit_key(config) -> bytes:
    """The chain's HMAC key from the configuration: ``CARDOPS_AUDIT_KEY`` when set (to hold it apart from the data
    key, e.g. for an auditor), else derived from ``CARDOPS_DATA_KEY``. Changing it breaks verification of every
    entry sealed before."""
    secret = config.get("CARDOPS_AUDIT_KEY")
    info = b"cardops-audit-chain-v1"
    if not secret:
        secret = config.get("CARDOPS_DATA_KEY")
        info = b"cardops-audit-chain-from-data-key-v1"
    if not secret:
        raise RuntimeError("neither CARDOPS_AUDIT_KEY nor CARDOPS_DATA_KEY is configured: the audit chain needs a key")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"cardops", info=info).derive(secret.encode())


def init_app(app) -> None:
    app.extensions[KEY_EXTENSION] = derive_audit_key(app.config)


def audit_key() -> bytes:
    return current_app.extensions[KEY_EXTENSION]
