#!/usr/bin/env bash
# The README's quick start, as a newcomer runs it: `npm start` on a fresh data
# folder, then the README's own "Pay a demo bill over HTTP" commands, taken
# from README.md itself so the two cannot drift apart. Passes when the demo
# order ends COMPLETED with a receipt; stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/../.."

work=$(mktemp -d)
export DATA_DIR="$work/data"
setsid npm start >"$work/start.log" 2>&1 &
starter=$!
cleanup() {
  kill -TERM -- "-$starter" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$starter" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$starter" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Ready when the hub says so and the mock WeChat and the grid answer at all.
ready() { curl -sf http://127.0.0.1:3000/readyz >/dev/null && curl -s -o /dev/null http://127.0.0.1:4100/ && curl -s -o /dev/null http://127.0.0.1:4101/; }
for _ in $(seq 1 120); do ready && break; sleep 0.5; done
if ! ready; then
  echo "quick start: the hub, the mock WeChat or the grid did not come up in 60 s"; tail -40 "$work/start.log"; exit 1
fi

# The README's block, run verbatim in the scratch folder (it writes order.json).
sed -n '/^## Pay a demo bill over HTTP/,/^## /p' README.md | sed -n '/^```sh$/,/^```$/p' | sed '1d;$d' >"$work/demo.sh"
answer=$(cd "$work" && bash -e demo.sh)
# The curls print without newlines; the last answer is the order's detail.
status=$(node -e 'const s = process.argv[1]; const { order } = JSON.parse(s.slice(s.lastIndexOf("{\"order\":"))); console.log(order.status, order.receipt ? "with receipt" : "without receipt")' "$answer")
echo "quick start: demo order is $status"
[ "$status" = "COMPLETED with receipt" ] || { echo "$answer"; tail -40 "$work/start.log"; exit 1; }
