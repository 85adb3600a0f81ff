#!/usr/bin/env bash
# Restore a dump made by scripts/backup.sh into a NEW database and check it: the SHA-256 of the file, then
# `flask audit verify` on the restored database (the chain with its keyed seals, and the checkpoints kept outside
# the database when CARDOPS_AUDIT_CHECKPOINT_DIR is given). Needs the same keys as the application that wrote the
# data (CARDOPS_DATA_KEY and, when set, CARDOPS_AUDIT_KEY) in the environment, as `flask` reads them.
#
# Usage: scripts/restore.sh DUMP TARGET_DATABASE_URL
#   The target database must not exist yet: it is created (never overwritten).
#   A drill that checks the dump against the live checkpoints will report entries missing after the dump (what
#   was written since): pass CARDOPS_AUDIT_CHECKPOINT_DIR of checkpoints up to the dump, or VERIFY_ARGS=--no-checkpoints.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "$#" -ne 2 ]; then
    echo "usage: $0 DUMP TARGET_DATABASE_URL" >&2; exit 2
fi
dump="$1"
app_url="$2"
url="${app_url/postgresql+psycopg:/postgresql:}"
url="${url/postgres:/postgresql:}"
database="${url##*/}"
database="${database%%\?*}"
server="${url%/*}/postgres"
FLASK="${VENV:-.venv}/bin/flask --app wsgi"

if [ -f "$dump.sha256" ]; then
    (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256")
    echo "checksum ok"
fi
if ! [[ "$database" =~ ^[A-Za-z0-9_]+$ ]]; then
    echo "database name $database: letters, digits and _ only" >&2; exit 2
fi
exists="$(psql "$server" -qAtX -v ON_ERROR_STOP=1 -c "SELECT 1 FROM pg_database WHERE datname = '$database'" </dev/null)"
if [ -n "$exists" ]; then
    echo "database $database exists already: restore into a new one" >&2; exit 1
fi
psql "$server" -qAtX -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$database\"" </dev/null
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$url" "$dump"
echo "restored into $database"
DATABASE_URL="$app_url" $FLASK audit verify ${VERIFY_ARGS:-}
