#!/usr/bin/env bash
# Packed install check: what `npm install kgrec` gives a user. Packs the package, installs the tarball into an
# empty folder and runs it from there: `kgrec --help`, `kgrec start --help`, and (unless --quick) a real
# `kgrec start` on free ports, one `recommend` query, the console and its local admin token, a clean stop, and the check that all state went under
# ./.kgrec of that folder and nothing into node_modules/kgrec.
#
#   .ci/packed-install.sh [--quick] [--keep]
#
# --keep leaves the temporary folder for inspection. KGREC_NEO4J_LIB, when set, names the Neo4j jars to use
# (else the user's cache, fetched once with Maven). NPM_INSTALL_FLAGS adds flags to the install
# (e.g. --prefer-offline). PACKED_START_TIMEOUT_S bounds the wait for the API (default 1200 s: a first start
# loads the demo shop and trains a first model).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

QUICK=0
KEEP=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    --keep) KEEP=1 ;;
    *) echo "packed-install: unknown argument $arg (expected --quick or --keep)" >&2; exit 2 ;;
  esac
done
START_TIMEOUT_S=${PACKED_START_TIMEOUT_S:-1200}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kgrec-packed-XXXXXX")
APP=$WORK/app
LOGS=$WORK/logs
mkdir -p "$APP" "$LOGS"
START_PGID=""
NEO4J_ENV=()

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }
fail() {
  echo "packed-install: FAILED: $*" >&2
  for log in "$LOGS"/*.log; do [ -f "$log" ] && { echo "--- tail of $log" >&2; tail -n 40 "$log" >&2; }; done
  exit 1
}
cleanup() {
  local status=$?
  if [ -n "$START_PGID" ] && kill -0 "-$START_PGID" 2>/dev/null; then kill -TERM "-$START_PGID" 2>/dev/null || true; sleep 2; kill -KILL "-$START_PGID" 2>/dev/null || true; fi
  if [ ${#NEO4J_ENV[@]} -gt 0 ] && [ -d "$APP/node_modules/kgrec" ]; then
    (cd "$APP" && env "${NEO4J_ENV[@]}" npx --no-install kgrec neo4j stop >>"$LOGS/neo4j-stop.log" 2>&1) || true
  fi
  if [ "$KEEP" = 1 ] || [ "$status" != 0 ]; then echo "packed-install: left $WORK for inspection" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Commands run in the installed folder with no kgrec setting of the caller's but the jars: the defaults are under test.
UNSET=(-u KGREC_HOME -u KGREC_MODELS_DIR -u KGREC_NEO4J_HOME -u KGREC_NEO4J_PORT -u KGREC_CONFIG -u NEO4J_URI -u NEO4J_USER -u NEO4J_PASSWORD -u NEO4J_DATABASE)
in_app() { (cd "$APP" && env "${UNSET[@]}" "$@"); }

free_port() { node -e "const s = require('node:net').createServer(); s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });"; }

step "npm pack (runs prepare: the build)"
npm pack --pack-destination "$WORK" >"$LOGS/pack.log" 2>&1 || fail "npm pack"
TARBALL=$(ls "$WORK"/kgrec-*.tgz 2>/dev/null | head -n 1)
[ -n "$TARBALL" ] || fail "npm pack wrote no tarball"
echo "tarball: $TARBALL ($(du -h "$TARBALL" | cut -f1))"

step "tarball contents"
tar -tzf "$TARBALL" | sort >"$WORK/contents.txt"
for needed in package/package.json package/dist/cli/main.js package/dist/config.js package/dist/kge/simd/transe.wasm \
  package/schema/kgrec.graphql package/dist/console/index.html; do
  grep -qx "$needed" "$WORK/contents.txt" || fail "the tarball lacks $needed"
done
grep -q '^package/cypher/.*\.cypher$' "$WORK/contents.txt" || fail "the tarball holds no cypher/ migrations"
if grep -E '^package/(src|test|bench|models|\.kgrec|\.neo4j|node_modules)/' "$WORK/contents.txt"; then fail "the tarball holds files that must not ship (above)"; fi
echo "$(wc -l <"$WORK/contents.txt") files; dist, cypher, schema and the wasm are there"

step "npm install of the tarball into an empty folder"
# shellcheck disable=SC2086 # NPM_INSTALL_FLAGS is a list of flags
in_app npm install --no-audit --no-fund ${NPM_INSTALL_FLAGS:-} "$TARBALL" >"$LOGS/install.log" 2>&1 || fail "npm install"
[ -x "$APP/node_modules/.bin/kgrec" ] || fail "the install made no kgrec command"

step "npx kgrec --help, npx kgrec start --help"
in_app npx --no-install kgrec --help >"$LOGS/help.log" 2>&1 || fail "kgrec --help"
grep -q 'start' "$LOGS/help.log" || fail "kgrec --help does not list start"
in_app npx --no-install kgrec start --help >"$LOGS/start-help.log" 2>&1 || fail "kgrec start --help"
grep -q -- '--no-demo' "$LOGS/start-help.log" || fail "kgrec start --help does not describe its options"
echo "both answer"

if [ "$QUICK" = 1 ]; then
  step "passed (--quick: no real start)"
  exit 0
fi

step "npx kgrec start on free ports"
find "$APP/node_modules/kgrec" -type f | sort >"$WORK/package-before.txt"
API_PORT=$(free_port)
BOLT_PORT=$(free_port)
NEO4J_ENV=("KGREC_NEO4J_PORT=$BOLT_PORT")
if [ -n "${KGREC_NEO4J_LIB:-}" ]; then NEO4J_ENV+=("KGREC_NEO4J_LIB=$KGREC_NEO4J_LIB"); fi
echo "API on $API_PORT, Neo4j Bolt on $BOLT_PORT"
# A session (and process group) of its own, so that the stop reaches kgrec under npx. Not being a group
# leader here (no job control in a script), setsid does not fork: the group's id is $!.
(cd "$APP" && exec setsid env "${UNSET[@]}" "${NEO4J_ENV[@]}" npx --no-install kgrec start --port "$API_PORT" >"$LOGS/start.log" 2>&1) &
START_PGID=$!

deadline=$((SECONDS + START_TIMEOUT_S))
until curl -fsS "http://127.0.0.1:$API_PORT/health" >"$WORK/health.json" 2>/dev/null; do
  kill -0 "$START_PGID" 2>/dev/null || fail "kgrec start ended before the API answered"
  [ "$SECONDS" -lt "$deadline" ] || fail "no answer from /health within ${START_TIMEOUT_S}s"
  sleep 2
done
echo "health: $(cat "$WORK/health.json")"

step "one recommend query"
QUERY='{"query":"{ recommend(userId: \"u-0001\", first: 5) { strategy modelVersion items { product { id } score } } }"}'
curl -fsS -H 'content-type: application/json' --data "$QUERY" "http://127.0.0.1:$API_PORT/graphql" >"$WORK/recommend.json" || fail "the recommend query failed"
echo "recommend: $(cat "$WORK/recommend.json")"
ACTIVE=$(cat "$APP/.kgrec/models/active" 2>/dev/null || true)
node -e '
  const answer = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  const result = answer.data && answer.data.recommend;
  if (answer.errors || !result || result.items.length === 0) { console.error("no recommendations:", JSON.stringify(answer)); process.exit(1); }
  if (process.argv[2] && result.modelVersion !== process.argv[2]) { console.error(`served model ${result.modelVersion}, active in .kgrec/models: ${process.argv[2]}`); process.exit(1); }
' "$WORK/recommend.json" "$ACTIVE" || fail "the recommend answer is wrong"

step "the console, signed in with the local admin token that start printed"
curl -fsS -D "$WORK/console-headers.txt" -o "$WORK/console.html" "http://127.0.0.1:$API_PORT/console/" || fail "no console at /console/"
grep -qi '^content-security-policy:' "$WORK/console-headers.txt" || fail "the console is served without a content security policy"
TOKEN=$(sed -n 's/.*sign in with this local admin token.*: \([^ ]*\)$/\1/p' "$LOGS/start.log" | head -n 1)
[ -n "$TOKEN" ] || fail "kgrec start printed no local admin token"
curl -fsS -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" --data '{"query":"{ viewer { role } }"}' \
  "http://127.0.0.1:$API_PORT/graphql" >"$WORK/viewer.json" || fail "the viewer query failed"
grep -q '"role":"ADMIN"' "$WORK/viewer.json" || fail "the printed token is not an admin token: $(cat "$WORK/viewer.json")"
echo "console served; the printed token signs in as admin"

step "stop"
kill -TERM "-$START_PGID"
for _ in $(seq 1 60); do kill -0 "-$START_PGID" 2>/dev/null || break; sleep 1; done
kill -0 "-$START_PGID" 2>/dev/null && fail "kgrec start did not stop within 60 s of SIGTERM"
START_PGID=""
in_app env "${NEO4J_ENV[@]}" npx --no-install kgrec neo4j stop >"$LOGS/neo4j-stop.log" 2>&1 || fail "kgrec neo4j stop"
NEO4J_ENV=()
echo "API and Neo4j stopped"

step "where the state went"
for state in .kgrec/neo4j/data .kgrec/neo4j/conf/neo4j.conf .kgrec/neo4j/logs/neo4j.log .kgrec/demo/products.jsonl .kgrec/models/active; do
  [ -e "$APP/$state" ] || fail "expected $state under the install folder"
done
ls "$APP/.kgrec/reports"/demo-*.txt >/dev/null 2>&1 || fail "expected the demo load's reports under .kgrec/reports"
find "$APP/node_modules/kgrec" -type f | sort >"$WORK/package-after.txt"
if ! diff "$WORK/package-before.txt" "$WORK/package-after.txt"; then fail "kgrec wrote into node_modules/kgrec (above)"; fi
OTHERS=$(cd "$APP" && ls -A | grep -vxE '\.kgrec|node_modules|package\.json|package-lock\.json' || true)
[ -z "$OTHERS" ] || fail "state outside .kgrec in the install folder: $OTHERS"
echo "all state under ./.kgrec: $(cd "$APP/.kgrec" && ls | tr '\n' ' ')"

step "passed"
