#!/usr/bin/env bash
# Schemathesis against a live cardops seeded with demo data (issue #13): every operation of the OpenAPI document
# with generated and mutated requests, then the stateful phase following the document's links (intake → checks →
# submit → review → arrive → collect, and from the list to each action). Fails on any 5xx, any answer that does
# not match its documented schema, status code, content type or headers, any schema-invalid request accepted.
#
# Not checked: positive_data_acceptance (a schema cannot state a check digit, a state machine or an outlet's scope:
# schema-valid requests are rightly refused with 400/404/409/422) and object_level_authorization (needs a second
# user's objects; outlet scoping has its own tests).
#
# Usage: scripts/api-fuzz.sh [MAX_SECONDS]   (default 150; VENV=.venv, PORT=5899)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MAX_SECONDS="${1:-150}"
VENV="${VENV:-.venv}"
PORT="${PORT:-5899}"
WORK="$(mktemp -d /tmp/cardops-api-fuzz.XXXXXX)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

export CARDOPS_ENV=development CARDOPS_INSTANCE_DIR="$WORK" DATABASE_URL="sqlite:///$WORK/cardops.sqlite3"
export RATELIMIT_STORAGE_URI=memory:// PUBLIC_BASE_URL="http://127.0.0.1:$PORT" PUBLIC_STATUS_RATE_LIMIT="1000 per minute"
FLASK="$VENV/bin/flask --app wsgi"
$FLASK db upgrade >/dev/null 2>&1
$FLASK seed --demo >"$WORK/seed.log" 2>&1
CLERK_TOKEN="$($FLASK users token pt01-clerk-b --name api-fuzz)"
SUPERVISOR_TOKEN="$($FLASK users token supervisor --name api-fuzz)"

# Requests of PT01 in each state for the operations on one request (the fuzzer cannot guess a number).
"$VENV/bin/python" - "$WORK/schemathesis.toml" <<'PY'
import sys

from sqlalchemy import select

from cardops import create_app
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.reissue.models import ReissueRequest as R

app = create_app()
with app.app_context():
    def number(status, nth=0):
        """The nth newest request of PT01 in ``status``: each operation its own, so that cancelling one does
        not leave the others nothing but 409s."""
        found = db.session.scalars(select(R.number).join(Outlet, Outlet.id == R.outlet_id)
                                   .where(Outlet.code == "PT01", R.status == status).order_by(R.id.desc())).all()
        return found[min(nth, len(found) - 1)] if found else "PT01-20260101-0001"

    wanted = {"checks": ("intake", 0), "submit": ("intake", 1), "cancel": ("intake", 2),
              "review": ("pending_review", 0), "arrive": ("submitted", 0), "collect": ("ready", 0),
              "return": ("ready", 1)}
    lines = ['[[operations]]', 'include-path = "/api/v1/requests/{number}"',
             f'parameters = {{ number = "{number("submitted")}" }}', '']
    for action, (status, nth) in wanted.items():
        lines += ['[[operations]]', f'include-path = "/api/v1/requests/{{number}}/{action}"',
                  f'parameters = {{ number = "{number(status, nth)}" }}', '']
    open(sys.argv[1], "w").write("\n".join(lines))
PY

# No request-line limit here: gunicorn would answer an over-long query string itself (414, an HTML page), which is
# the front proxy's business in production, not the API's contract.
"$VENV/bin/gunicorn" -w 2 -b "127.0.0.1:$PORT" --limit-request-line 0 --access-logfile "$WORK/access.log" \
    --error-logfile "$WORK/server.log" wsgi:app &
SERVER_PID=$!
for _ in $(seq 60); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.5
done

run() {  # run TOKEN SECONDS [filters…]
    local token="$1" seconds="$2"; shift 2
    "$VENV/bin/schemathesis" --config-file "$WORK/schemathesis.toml" run \
        "http://127.0.0.1:$PORT/api/v1/openapi.json" -H "Authorization: Bearer $token" \
        --checks all --exclude-checks positive_data_acceptance,object_level_authorization \
        --max-examples 30 --max-time "$seconds" --workers 1 --seed 13 --no-color --request-timeout 20 "$@"
}
status=0
# The clerk: intake and the whole life of a request. The supervisor: the watchlist and district-wide reads.
run "$CLERK_TOKEN" $((MAX_SECONDS * 2 / 3)) || status=1
run "$SUPERVISOR_TOKEN" $((MAX_SECONDS / 3)) --include-path-regex '/api/v1/(watchlist|me|outlets)' || status=1
echo "requests per action and status (all phases):"
grep -oE '"POST /api/v1/requests/[^/ ]+/[a-z]+ [^"]*" [0-9]+' "$WORK/access.log" \
    | sed -E 's#/requests/[^/ ]+/#/requests/{number}/#; s# HTTP/1.1"##' | sort | uniq -c | sort -k2 || true
if grep -q "Traceback" "$WORK/server.log"; then
    echo "the server logged tracebacks:"; grep -A 20 "Traceback" "$WORK/server.log" | head -60; status=1
fi
exit "$status"
