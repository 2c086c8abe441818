#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for running sharded studies as a job array (and for the test that does).
#   bench/slurm/cluster.sh start    start munged (if not running), slurmctld and slurmd; wait until the node is idle
#   bench/slurm/cluster.sh stop     stop the daemons this script started, by the PIDs in their pid files
#   bench/slurm/cluster.sh status   sinfo
# Needs root and Debian's slurm-wlm and munge (apt-get install slurm-wlm munge). Everything it writes lives in
# $HYPOTEST_SLURM_DIR (default /tmp/hypotest-slurm); clients find the cluster through SLURM_CONF=$HYPOTEST_SLURM_DIR/slurm.conf
# (printed by start). What it took is in DESIGN.md, "Environment facts".
set -euo pipefail
DIR="${HYPOTEST_SLURM_DIR:-/tmp/hypotest-slurm}"
CONF="$DIR/slurm.conf"
export SLURM_CONF="$CONF"

pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null || { echo "slurm-wlm and munge are not installed (apt-get install slurm-wlm munge)" >&2; exit 1; }
  [ "$(id -u)" -eq 0 ] || { echo "the one-node cluster runs its daemons as root (SlurmUser=root); run as root" >&2; exit 1; }
  mkdir -p "$DIR/state" "$DIR/spool"
  if ! pid_alive /run/munge/munged.pid; then
    mkdir -p /run/munge
    [ -s /etc/munge/munge.key ] || mungekey --create
    # The package leaves /var/log/munge owned by munge while munged runs as root here: --force accepts that.
    munged --force
    touch "$DIR/munged.started"
  fi
  local host cpus
  host="$(hostname -s)"
  cpus="$(nproc)"
  cat > "$CONF" <<CONF
ClusterName=hypotest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  pid_alive "$DIR/slurmctld.pid" || slurmctld -f "$CONF"
  pid_alive "$DIR/slurmd.pid" || slurmd -f "$CONF"
  for _ in $(seq 1 60); do
    if [ "$(sinfo -h -o %T 2>/dev/null | head -1)" = "idle" ]; then
      echo "one-node Slurm cluster up ($host, $cpus CPUs). Use it with: export SLURM_CONF=$CONF"
      return 0
    fi
    sleep 0.5
  done
  echo "the node did not become idle; see $DIR/slurmctld.log and $DIR/slurmd.log" >&2
  sinfo >&2 || true
  exit 1
}

stop() {
  for daemon in slurmd slurmctld; do
    if pid_alive "$DIR/$daemon.pid"; then kill "$(cat "$DIR/$daemon.pid")"; fi
  done
  if [ -e "$DIR/munged.started" ] && pid_alive /run/munge/munged.pid; then
    kill "$(cat /run/munge/munged.pid)"
    rm -f "$DIR/munged.started"
  fi
  echo "stopped the one-node Slurm cluster in $DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) sinfo ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
