"""The audit chain of generated history, hashed exactly as the application hashes it.

Each entry goes through ``cardops.audit.services.canonical_form`` and ``seal`` (HMAC-SHA256 under the audit key of
the configuration) with its predecessor's hash, so
``flask --app wsgi audit verify`` walks the generated chain like any other. Hashing is sequential by nature
and is the largest single cost of the generator; on PostgreSQL it runs in its own process (``run_chain_process``)
fed with batches of entries in chronological order, and writes ``audit_entries`` with its own COPY.
"""

from __future__ import annotations

from collections.abc import Callable

from psycopg.types.json import Json

from cardops.audit.services import GENESIS_HASH, canonical_form, seal

# Column order of the rows written; ``id`` equals ``seq`` (the chain is generated on an empty table).
AUDIT_COLUMNS = ("id", "seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id", "outlet_id",
                 "ip", "detail", "prev_hash", "hash")


def _as_is(text: bytes) -> bytes:
    return text


class ChainWriter:
    """Append entries ``(at, actor_id, actor_name, action, object_type, object_id, outlet_id, ip, detail)``."""

    def __init__(self, write_row: Callable[[tuple], None], *, key: bytes, seq: int = 0,
                 last_hash: str = GENESIS_HASH, detail_as_json: bool = False):
        self._write_row = write_row
        self._key = key
        self.seq = seq
        self.last_hash = last_hash
        self._detail_as_json = detail_as_json

    def append(self, entry: tuple) -> None:
        at, actor_id, actor_name, action, object_type, object_id, outlet_id, ip, detail = entry
        self.seq += 1
        payload = canonical_form(
            seq=self.seq, at=at, actor_id=actor_id, actor_name=actor_name, action=action, object_type=object_type,
            object_id=object_id, outlet_id=outlet_id, ip=ip, detail=detail, prev_hash=self.last_hash,
        )
        digest = seal(payload, self._key)
        stored_detail = detail
        if self._detail_as_json:
            # The JSON column gets the detail exactly as the canonical form wrote it (sorted keys, compact): its
            # keys are sorted, so "detail" is followed by "ip" — cheaper than encoding the dict a second time.
            # Wrapped so that the COPY's json dumper sends this text as it is (a bare str would become a JSON
            # string literal, which verify would then read back as a string, not the detail).
            start = payload.index(b'"detail":') + 9
            stored_detail = Json(payload[start:payload.rindex(b',"ip":')], dumps=_as_is)
        self._write_row((self.seq, self.seq, at, actor_id, actor_name, action, object_type, object_id, outlet_id,
                         ip, stored_detail, self.last_hash, digest))
        self.last_hash = digest

    def extend(self, entries) -> None:
        for entry in entries:
            self.append(entry)


def bench_audit_key(data_key: str) -> bytes:
    """The audit key the application derives from the same configuration (CARDOPS_AUDIT_KEY when set)."""
    import os

    from cardops.audit.keys import derive_audit_key

    return derive_audit_key({"CARDOPS_AUDIT_KEY": os.environ.get("CARDOPS_AUDIT_KEY"), "CARDOPS_DATA_KEY": data_key})


def run_chain_process(conninfo: str, pipe, key: bytes) -> None:
    """Child process: receive lists of entries until ``None``, COPY them, answer ``(seq, last_hash)``."""
    import gc

    import psycopg

    from .loader import copy_types

    gc.disable()  # millions of short-lived tuples and no cycles: the collector would only slow the chain down
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        types = copy_types(cur, "audit_entries", AUDIT_COLUMNS)
        cur.execute("TRUNCATE audit_entries")
        columns = ", ".join(AUDIT_COLUMNS)
        with cur.copy(f"COPY audit_entries ({columns}) FROM STDIN (FREEZE, FORMAT BINARY)") as copy:
            copy.set_types(types)
            chain = ChainWriter(copy.write_row, key=key, detail_as_json=True)
            while True:
                batch = pipe.recv()
                if batch is None:
                    break
                chain.extend(batch)
        conn.commit()
    pipe.send((chain.seq, chain.last_hash))
    pipe.close()
