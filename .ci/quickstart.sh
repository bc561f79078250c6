#!/usr/bin/env bash
# The README's quickstart, literally, on this clone — the first thing CI does, before any build step:
#   npm ci && npm start
# and, right after npm ci, `npx itec --version` and `npx itec calc` on the sample lot (the CLI needs no build).
# `npm start` gets free ports and a fresh data directory (so it never meets another registry on 8080/8545) and
# must print the verify URL within $QUICKSTART_LIMIT seconds (first compile included); the URL must answer 200;
# Ctrl-C (SIGINT to the whole process group, as a terminal sends it) must stop everything with exit code 0 and
# leave nothing listening. On any failure: the start log, and exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${QUICKSTART_LIMIT:-60}
say() { printf 'quickstart: %s\n' "$*"; }
fail() {
  say "FAILED: $*" >&2
  [ -f "$log" ] && { echo "----- npm start log" >&2; cat "$log" >&2; echo "-----" >&2; }
  [ -n "${pid:-}" ] && kill -KILL -- "-$pid" 2>/dev/null || true
  exit 1
}
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

log=$(mktemp)
say "npm ci"
npm ci --no-audit --no-fund
# right after npm ci, before anything else: the CLI works (no build step)
say "npx itec --version && npx itec calc data/samples/demo-lot.csv"
npx itec --version >"$log" 2>&1 || fail "npx itec --version"
npx itec calc data/samples/demo-lot.csv >"$log" 2>&1 || fail "npx itec calc data/samples/demo-lot.csv"
port=$(free_port)
rpc_port=$(free_port)
data_dir=$(mktemp -d)
say "npm start -- --port $port --rpc-port $rpc_port --data-dir $data_dir"
t0=$(date +%s%N)
setsid npm start -- --port "$port" --rpc-port "$rpc_port" --data-dir "$data_dir" >"$log" 2>&1 &
pid=$!
url=
while [ -z "$url" ]; do
  url=$(sed -n 's/^verify the retirement: \(http[^ ]*\).*/\1/p' "$log" | head -n 1)
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || fail "npm start exited before printing the verify URL"
  [ $(($(date +%s%N) - t0)) -gt $((limit * 1000000000)) ] && fail "no verify URL within $limit s"
  sleep 0.2
done
ms=$((($(date +%s%N) - t0) / 1000000))
seconds=$((ms / 1000)).$((ms % 1000 / 100))
say "verify URL after $seconds s: $url"
status=$(curl -s -o /dev/null -w '%{http_code}' "$url")
[ "$status" = 200 ] || fail "GET $url answered $status"
say "GET $url → 200"
for _ in $(seq 1 300); do grep -q "The registry is running" "$log" && break; sleep 0.2; done
# The web app the last lines print: its page, and the bundle the page names (built by npm ci's prepare step).
app_url=$(sed -n 's/^Web app: \(http[^ ]*\).*/\1/p' "$log" | head -n 1)
[ -n "$app_url" ] || fail "npm start printed no web app URL"
page=$(curl -s "$app_url") || fail "GET $app_url failed"
bundle=$(printf '%s' "$page" | sed -n 's/.*src="\(\/app\/assets\/[^"]*\.js\)".*/\1/p' | head -n 1)
[ -n "$bundle" ] || fail "GET $app_url is not the web app's page"
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$bundle")
[ "$status" = 200 ] || fail "GET $bundle answered $status"
say "web app $app_url → its bundle $bundle → 200"
kill -INT -- "-$pid"
set +e
wait "$pid"
code=$?
set -e
[ "$code" = 0 ] || fail "Ctrl-C: npm start exited $code, not 0"
if curl -s -o /dev/null "http://127.0.0.1:$port/health" || curl -s -o /dev/null "http://127.0.0.1:$rpc_port"; then
  fail "something still listens on $port or $rpc_port after Ctrl-C"
fi
say "Ctrl-C → exit 0, nothing left listening"
rm -rf "$data_dir" "$log"
say "OK — verify URL $seconds s after npm start"
