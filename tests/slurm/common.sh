# common.sh - what start-, stop-, status-local-slurm.sh and two-hosts.sh share; sourced, never run.
#
#   DIVVY_SLURM_DIR   state/config/log/pid dir of the private cluster [/tmp/divvy-slurm]

DIR=${DIVVY_SLURM_DIR:-/tmp/divvy-slurm}
CONF=$DIR/etc/slurm.conf

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { date +%s%3N; }

wait_for() { # wait_for SECONDS CMD... : poll every 0.1 s
  local deadline=$(( $(now_ms) + $1 * 1000 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(now_ms)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

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

# start_munged: makes $DIR's folders and private munge key, and starts munged on
# $DIR/run/munge.socket unless it already runs (per its pid file).
start_munged() {
  local msock=$DIR/run/munge.socket
  mkdir -p "$DIR"/{etc,state,spool,log,run,munge-key}
  chmod 755 "$DIR" "$DIR/etc" "$DIR/run"   # munged wants the socket dir world-executable
  chmod 700 "$DIR/munge-key" "$DIR/state"
  if [ ! -s "$DIR/munge-key/munge.key" ]; then
    dd if=/dev/urandom of="$DIR/munge-key/munge.key" bs=1024 count=1 status=none
    chmod 400 "$DIR/munge-key/munge.key"
  fi
  if alive "$DIR/run/munged.pid" munged; then
    log "munged already running (pid $(cat "$DIR/run/munged.pid"))"
  else
    rm -f "$msock" "$msock.lock" "$DIR/run/munged.pid"
    munged --socket="$msock" --key-file="$DIR/munge-key/munge.key" \
           --pid-file="$DIR/run/munged.pid" --seed-file="$DIR/munge-key/munged.seed" \
           --log-file="$DIR/log/munged.log"
    wait_for 10 sh -c "munge -n -S '$msock' | unmunge -S '$msock'" \
      || die "munged did not come up; see $DIR/log/munged.log"
    log "munged started (pid $(cat "$DIR/run/munged.pid"))"
  fi
}

# cancel_jobs: cancels every job of the cluster at $SLURM_CONF (when its slurmctld runs) and
# waits up to ~10 s for them to leave the queue, so no job process outlives slurmd.
cancel_jobs() {
  local jobs i
  alive "$DIR/run/slurmctld.pid" slurmctld && [ -f "$SLURM_CONF" ] || return 0
  jobs=$(timeout 10 squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
  [ -n "${jobs// /}" ] || return 0
  log "cancelling jobs: $jobs"
  # shellcheck disable=SC2086
  timeout 10 scancel $jobs 2>/dev/null
  for i in $(seq 1 100); do
    [ -z "$(timeout 5 squeue -h -t PD,R,CG,CF,S -o %A 2>/dev/null)" ] && break
    sleep 0.1
  done
}

# conf_common: the slurm.conf lines both private clusters share (munge on $DIR's socket, no
# cgroups, fast scheduling); each start script adds its controller, ports, slurmd files and nodes.
conf_common() {
  cat <<EOF
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/run/munge.socket
StateSaveLocation=$DIR/state
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups anywhere: process tracking by /proc parentage, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# Low scheduling latency for short test jobs (the defaults add seconds per wave).
SchedulerParameters=sched_min_interval=100000,batch_sched_delay=0,bf_interval=1
# Allow advertising more CPUs than the box has (oversubscribed test workers).
SlurmdParameters=config_overrides
ReturnToService=2
MailProg=/bin/true
SlurmctldTimeout=30
EOF
}
