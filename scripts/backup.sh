#!/usr/bin/env bash
# Back up the cardops database (PostgreSQL) with pg_dump: one custom-format dump, its SHA-256, and the audit chain's
# head at the time (seq and seal) beside it. The keys (SECRET_KEY, CARDOPS_DATA_KEY, CARDOPS_AUDIT_KEY) are NOT in
# the dump and must never be stored with it: back them up separately (README, "Production").
#
# Usage: scripts/backup.sh DATABASE_URL OUTPUT_DIR
#   DATABASE_URL as the application takes it (postgresql+psycopg://… or postgresql://…)
# Prints the path of the dump. Check a backup by restoring it: scripts/restore.sh.
set -euo pipefail

if [ "$#" -ne 2 ]; then
    echo "usage: $0 DATABASE_URL OUTPUT_DIR" >&2; exit 2
fi
url="${1/postgresql+psycopg:/postgresql:}"
url="${url/postgres:/postgresql:}"
out="$2"
mkdir -p "$out"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dump="$out/cardops-$stamp.dump"

# One consistent snapshot (pg_dump runs in a single repeatable-read transaction); no owners or grants, so that it
# restores under any role.
pg_dump --format=custom --no-owner --no-privileges --file="$dump.partial" "$url"
mv "$dump.partial" "$dump"
head="$(psql "$url" -qAtX -c "SELECT seq || ' ' || last_hash FROM audit_head WHERE id = 1")"
printf '%s\n' "$head" > "$dump.audit-head"
(cd "$out" && sha256sum "$(basename "$dump")" > "$(basename "$dump").sha256")
echo "$dump"
