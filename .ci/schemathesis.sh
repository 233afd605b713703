#!/usr/bin/env bash
# Fuzz the running API against its own OpenAPI schema with schemathesis: any 5xx or any
# response that does not match the schema fails the run.
#
# Starts uvicorn on a free port with a throwaway SQLite database and secret key, seeds a live
# blog with entries, a draft, a member and an API token, runs schemathesis with that token,
# and always stops the server. Called from .ci/run; runs alone too: bash .ci/schemathesis.sh
#   SCHEMATHESIS_MAX_EXAMPLES  test cases per operation (default 30)
#   SCHEMATHESIS_SEED          replay a run (schemathesis prints the seed it used)
#   KEEP_WORK=1                keep the database, logs and config in the temp directory
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT="$PWD"
PY="$ROOT/.venv/bin/python"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-30}"
WORK="$(mktemp -d)"
SERVER_PID=""
KEEP_WORK="${KEEP_WORK:-}"

cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    [[ -n "$KEEP_WORK" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"

# Production-like settings on a database of its own; throttles high enough not to interfere.
unset REDIS_URL
export DATABASE_URL="sqlite:///$WORK/db.sqlite3"
export DJANGO_DEBUG=false
DJANGO_SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export LIVEBLOG_API_THROTTLE_ANON=100000/min
export LIVEBLOG_API_THROTTLE_WRITE=100000/min
# The fuzzer registers webhooks to random URLs: nothing may be sent to them.
export LIVEBLOG_WEBHOOK_WORKER=off

echo "== schemathesis: migrating a throwaway database"
"$PY" manage.py migrate --noinput >"$WORK/migrate.log"

echo "== schemathesis: seeding a blog, a member and a token"
"$PY" manage.py shell --no-imports -c '
import json
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from liveblog import commands
from liveblog.api import tokens

editor = get_user_model().objects.create_user(username="ci-editor", is_staff=True)
editor.groups.add(Group.objects.get(name="Editors"))  # writes need the Editors permissions
live = commands.blog_create(slug="ci-live", title="CI live", actor="ci-editor")
live.members.add(editor)
commands.blog_open(blog=live, actor="ci-editor")
draft = commands.blog_create(slug="ci-draft", title="CI draft", actor="ci-editor")
draft.members.add(editor)
start = timezone.now() - timedelta(hours=2)
entries = [
    commands.entry_publish(
        blog=live,
        body=f"Update {n}: **turnout** at {40 + n}%.",
        headline=f"Update {n}" if n % 2 else "",
        occurred_at=start + timedelta(minutes=10 * n),
        actor="ci-editor",
    )
    for n in range(8)
]
commands.entry_pin(entry=entries[0], actor="ci-editor")
commands.entry_correct(entry=entries[1], body="Corrected.", reason="Typo", actor="ci-editor")
_, key = tokens.token_create(user=editor, name="schemathesis")
print(json.dumps({"key": key, "entries": [str(e.pk) for e in entries]}))
' >"$WORK/seed.json"

read -r KEY ENTRIES < <("$PY" -c '
import json, sys
seed = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print(seed["key"], json.dumps(seed["entries"]))
' "$WORK/seed.json")

# Most generated paths name the seeded blogs and entries, so the operations are exercised
# beyond 404; the rest stay random.
cat >"$WORK/schemathesis.toml" <<TOML
[dictionaries.blogs]
values = ["ci-live", "ci-draft"]

[dictionaries.entries]
values = $ENTRIES

[parameters]
"path.slug" = { dictionary = "blogs", probability = 0.9 }
"path.entry_id" = { dictionary = "entries", probability = 0.9 }
TOML

echo "== schemathesis: starting the server on $BASE"
"$PY" -m uvicorn config.asgi:application --host 127.0.0.1 --port "$PORT" --no-access-log \
    --no-proxy-headers \
    >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

for _ in $(seq 1 100); do
    if "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
        "$BASE/api/schema/" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "The server did not start:" >&2
        cat "$WORK/server.log" >&2
        exit 1
    fi
    sleep 0.2
done

echo "== schemathesis: fuzzing $BASE/api/schema/ ($MAX_EXAMPLES examples per operation)"
status=0
# From the temp directory: schemathesis keeps a cache of crashes in ./.schemathesis.
(cd "$WORK" && timeout 900 "$ROOT/.venv/bin/schemathesis" --config-file schemathesis.toml run \
    "$BASE/api/schema/" \
    --header "Authorization: Bearer $KEY" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --max-examples "$MAX_EXAMPLES" \
    --workers 1 \
    --request-timeout 10 \
    --generation-database none \
    ${SCHEMATHESIS_SEED:+--seed "$SCHEMATHESIS_SEED"} \
    --no-color) || status=$?

if [[ $status -ne 0 ]]; then
    echo "== schemathesis failed (exit $status); the server's log:" >&2
    tail -n 200 "$WORK/server.log" >&2
fi
exit "$status"
