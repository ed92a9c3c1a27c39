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

if [ ! -d "$DIR" ]; then
  log "nothing to stop ($DIR does not exist)"; exit 0
fi

export SLURM_CONF=$CONF
# Cancel this cluster's jobs first so slurmstepd/job processes do not outlive slurmd.
cancel_jobs

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
