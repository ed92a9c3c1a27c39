# common.sh - what start-, stop- and status-local-slurm.sh share; sourced, never run.
#
#   DIVVY_SLURM_DIR   state/config/log/pid dir of the private cluster [/tmp/divvy-slurm]

DIR=${DIVVY_SLURM_DIR:-/tmp/divvy-slurm}
CONF=$DIR/etc/slurm.conf

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }

# alive PIDFILE NAME: the pid in PIDFILE is a live (non-zombie) process whose
# executable is the program NAME.  Guards against stale pid files and pid reuse,
# so nothing but the daemons this cluster started is ever signalled.
alive() {
  local pf=$1 name=$2 pid state exe
  [ -s "$pf" ] || return 1
  pid=$(tr -dc 0-9 <"$pf")
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ "$state" != Z ] || return 1
  # Compare the executable, not /proc/PID/comm: slurmd renames its main
  # thread while shutting down.
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  exe=${exe% (deleted)}
  # Debian installs e.g. /usr/sbin/slurmctld as a symlink to slurmctld-wlm.
  command -v "$name" >/dev/null 2>&1 || return 1
  [ "$exe" = "$(readlink -f "$(command -v "$name")")" ]
}

# The three daemons of the private cluster, as "name pidfile" pairs, in start order.
DAEMONS=("munged $DIR/run/munged.pid" "slurmctld $DIR/run/slurmctld.pid" "slurmd $DIR/run/slurmd.pid")
