#!/usr/bin/env bash
# Pipes against TCP loopback: the same Divvy.Bench workloads with workers the master starts on
# pipes, and with workers that dial in over 127.0.0.1 (--launcher external; each worker is the same
# program started with DIVVY_CONNECT). One hyperfine run, so the ratio is within one run.
#   bench/remote.sh                 200,000 trivial items and 2,000 x 64 KiB payloads, N=2
#   RUNS=3 ITEMS=20000 bench/remote.sh
# The TCP rows include starting the two worker processes after the master listens.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-5}"
ITEMS="${ITEMS:-200000}"
PAYLOADS="${PAYLOADS:-2000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! command -v hyperfine >/dev/null; then
  echo "bench: installing hyperfine (Debian package)" >&2
  apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null
fi

dotnet publish bench/Divvy.Bench -c Release -o "$work/fd" -v q >/dev/null
BENCH="$work/fd/Divvy.Bench"

# One TCP run: a master listening on a free loopback port, two workers dialling in; the master's exit code is the run's.
cat > "$work/tcp-run.sh" <<SCRIPT
#!/usr/bin/env bash
set -euo pipefail
token="$work/run.token"
"$BENCH" "\$@" --workers 2 --listen 127.0.0.1:0 --token-file "\$token" >"$work/master.out" 2>"$work/master.err" &
master=\$!
trap 'kill \$master 2>/dev/null || true' EXIT
until address=\$(grep -o 'listening for workers on [^;]*' "$work/master.err" 2>/dev/null); do
  kill -0 \$master 2>/dev/null || { cat "$work/master.err" >&2; exit 1; }
  sleep 0.002
done
address=\${address##* }
DIVVY_CONNECT=\$address DIVVY_TOKEN_FILE="\$token" "$BENCH" "\$@" >/dev/null 2>&1 &
DIVVY_CONNECT=\$address DIVVY_TOKEN_FILE="\$token" "$BENCH" "\$@" >/dev/null 2>&1 &
wait \$master
grep -q ' ok' "$work/master.out"
SCRIPT
chmod +x "$work/tcp-run.sh"

hyperfine --runs "$RUNS" --warmup 1 --style basic -N \
  -n "pipes, trivial $ITEMS" "$BENCH trivial --workers 2 --items $ITEMS" \
  -n "tcp loopback, trivial $ITEMS" "$work/tcp-run.sh trivial --items $ITEMS" \
  -n "pipes, payload $PAYLOADS x 64 KiB echoed" "$BENCH payload --workers 2 --items $PAYLOADS --payload 65536 --echo" \
  -n "tcp loopback, payload $PAYLOADS x 64 KiB echoed" "$work/tcp-run.sh payload --items $PAYLOADS --payload 65536 --echo"
