"""Checkpoints of the audit chain kept outside the database (SPEC §4).

A checkpoint is a small JSON file — the head's ``seq`` and seal, when it was taken, and an HMAC under the audit key
over those — written daily by the scheduler (job ``audit_checkpoint``) and by ``flask --app wsgi audit
checkpoint``, into ``CARDOPS_AUDIT_CHECKPOINT_DIR`` (default ``instance/audit-checkpoints``). Copy that directory
off the database server (backup, another host, a mail to the auditor): ``audit verify`` checks that every
checkpoint's entry is still in the chain with the same seal. That detects what the chain cannot show by itself:
its last entries cut off (each remaining entry still links to its predecessor), or — by someone who holds the
key — history re-sealed from some entry on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from cardops.audit.keys import audit_key
from cardops.audit.models import AuditEntry
from cardops.core.timeutil import utcnow
from cardops.extensions import db

FILE_PREFIX = "audit-head-"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    path: Path | None = None

    def mac(self) -> str:
        return hmac.new(audit_key(), f"{self.seq}|{self.hash}|{self.at}".encode(), hashlib.sha256).hexdigest()

    def to_json(self) -> str:
        return json.dumps({"seq": self.seq, "hash": self.hash, "at": self.at, "mac": self.mac()}, indent=1) + "\n"


def checkpoint_dir(configured=None) -> Path:
    configured = configured or current_app.config.get("CARDOPS_AUDIT_CHECKPOINT_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "audit-checkpoints"


def current_head() -> Checkpoint:
    """The chain's last entry as it is now (seq 0 and the genesis value for an empty chain)."""
    last = db.session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    at = utcnow().isoformat(timespec="seconds") + "Z"
    return Checkpoint(last.seq, last.hash, at) if last else Checkpoint(0, "0" * 64, at)


def write_checkpoint(directory=None) -> Checkpoint:
    """Write the head to a new file (never overwriting one) and return it."""
    target = checkpoint_dir(directory)
    target.mkdir(parents=True, exist_ok=True)
    head = current_head()
    stamp = head.at.replace("-", "").replace(":", "")
    path = target / f"{FILE_PREFIX}{stamp}-{head.seq}.json"
    with open(path, "x", encoding="utf-8") as handle:  # "x": an existing checkpoint is never replaced
        handle.write(head.to_json())
        handle.flush()
        os.fsync(handle.fileno())
    return Checkpoint(head.seq, head.hash, head.at, path)


def checkpoint_job() -> None:
    """The scheduler's daily job."""
    written = write_checkpoint()
    current_app.logger.info("audit checkpoint: seq %s written to %s", written.seq, written.path)


@dataclass(frozen=True)
class Unreadable:
    path: Path
    reason: str


def read_checkpoints(directory=None) -> list[Checkpoint | Unreadable]:
    target = checkpoint_dir(directory)
    if not target.is_dir():
        return []
    found: list[Checkpoint | Unreadable] = []
    for path in sorted(target.glob(f"{FILE_PREFIX}*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            point = Checkpoint(int(data["seq"]), str(data["hash"]), str(data["at"]), path)
            mac = str(data["mac"])
        except (OSError, ValueError, KeyError, TypeError):
            found.append(Unreadable(path, "无法读取"))
            continue
        if not hmac.compare_digest(point.mac(), mac):
            found.append(Unreadable(path, "签名不符（检查点文件被改动，或审计密钥已更换）"))
            continue
        found.append(point)
    return found


def compare_with_checkpoints(checked: int, directory=None, chunk: int = 500) -> tuple[int, tuple | None]:
    """Compare an intact chain of ``checked`` entries with the checkpoints: ``(checkpoints compared, None)``, or the
    first contradiction as ``(…, (seq or None, problem))``."""
    points = read_checkpoints(directory)
    for bad in (p for p in points if isinstance(p, Unreadable)):
        return 0, (None, f"检查点文件 {bad.path.name} {bad.reason}")
    points = sorted((p for p in points if p.seq > 0), key=lambda p: p.seq)
    for start in range(0, len(points), chunk):
        batch = points[start:start + chunk]
        stored = dict(db.session.execute(
            select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.seq.in_({p.seq for p in batch}))).all())
        for point in batch:
            if point.seq not in stored:
                return 0, (checked + 1, f"链尾记录缺失：{_when(point)} 的检查点记录到第 {point.seq} 条，"
                                        f"数据库中只有 {checked} 条（记录被截断，或恢复了较早的备份）")
            if not hmac.compare_digest(stored[point.seq], point.hash):
                return 0, (point.seq, f"第 {point.seq} 条记录与 {_when(point)} 的检查点不符（历史记录被重新封存）")
    return len(points), None


def _when(point: Checkpoint) -> str:
    try:
        return datetime.fromisoformat(point.at.rstrip("Z")).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return point.at
