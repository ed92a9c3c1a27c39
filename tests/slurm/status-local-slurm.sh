#!/usr/bin/env bash
# status-local-slurm.sh - is the private cluster of start-local-slurm.sh running?
# Exits 0 when munged, slurmctld and slurmd are all running (per their pid files
# under $DIVVY_SLURM_DIR), 1 otherwise; prints one line per daemon.  Signals nothing.
# Run it as root: /proc/PID/exe of root's daemons is not readable by others.
set -uo pipefail
# shellcheck source=tests/slurm/common.sh
. "$(dirname "$0")/common.sh"

status=0
for entry in "${DAEMONS[@]}"; do
  read -r name pf <<<"$entry"
  if alive "$pf" "$name"; then
    echo "$name running (pid $(tr -dc 0-9 <"$pf"))"
  else
    echo "$name not running"
    status=1
  fi
done
exit $status
