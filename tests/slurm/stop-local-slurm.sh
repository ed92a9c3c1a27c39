#!/usr/bin/env bash
# stop-local-slurm.sh - stop the private Slurm cluster started by
# start-local-slurm.sh.  Idempotent.  Only touches the processes named in the
# pid files under $DIVVY_SLURM_DIR (after checking each pid still belongs to the
# expected program), plus jobs of this private cluster, which it cancels through
# Slurm itself before stopping the daemons.
#
#   DIVVY_SLURM_DIR    same dir as for start-local-slurm.sh [/tmp/divvy-slurm]
#   DIVVY_SLURM_CLEAN  1 = also delete the dir (config, state, logs, munge key) [0]
set -uo pipefail
# shellcheck source=tests/slurm/common.sh
. "$(dirname "$0")/common.sh"

gone() { # gone PID: exited (no /proc entry, or a zombie with no threads left)
  local pid=$1 state
  [ -d "/proc/$pid" ] || return 0
  state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 0
  [ "$state" = Z ] && [ "$(ls "/proc/$pid/task" 2>/dev/null | wc -l)" -le 1 ]
}

stop_daemon() { # stop_daemon NAME PIDFILE
  local name=$1 pf=$2 pid i
  if ! alive "$pf" "$name"; then
    [ -e "$pf" ] && log "$name not running (stale pid file removed)"
    rm -f "$pf"; return 0
  fi
  pid=$(tr -dc 0-9 <"$pf")
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 150); do           # up to 15 s (slurmctld saves state on exit)
    gone "$pid" && break
    sleep 0.1
  done
  if ! gone "$pid"; then
    log "$name (pid $pid) ignored SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null
    sleep 0.2
  fi
  rm -f "$pf"
  log "$name stopped (pid $pid)"
}

if [ ! -d "$DIR" ]; then
  log "nothing to stop ($DIR does not exist)"; exit 0
fi

export SLURM_CONF=$CONF
# Cancel this cluster's jobs first so slurmstepd/job processes do not outlive slurmd.
if alive "$DIR/run/slurmctld.pid" slurmctld && [ -f "$SLURM_CONF" ]; then
  jobs=$(timeout 10 squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
  if [ -n "${jobs// /}" ]; then
    log "cancelling jobs: $jobs"
    # shellcheck disable=SC2086
    timeout 10 scancel $jobs 2>/dev/null
    for i in $(seq 1 100); do
      [ -z "$(timeout 5 squeue -h -t PD,R,CG,CF,S -o %A 2>/dev/null)" ] && break
      sleep 0.1
    done
  fi
fi

# In reverse start order: slurmd, slurmctld, munged.
for (( i = ${#DAEMONS[@]} - 1; i >= 0; i-- )); do
  read -r name pf <<<"${DAEMONS[$i]}"
  stop_daemon "$name" "$pf"
done

if [ "${DIVVY_SLURM_CLEAN:-0}" = 1 ]; then
  # Only a directory this cluster made (it has the private munge key's folder).
  [ -d "$DIR/munge-key" ] || { log "not removing $DIR: no munge-key/ in it, so start-local-slurm.sh did not make it"; exit 1; }
  rm -rf -- "$DIR"
  log "removed $DIR"
fi
exit 0
