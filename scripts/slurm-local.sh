#!/usr/bin/env bash
# A single-node Slurm cluster on loopback, for the cluster tests (CI) and for trying the
# --slurm path on one machine. Needs root and Debian's slurmctld, slurmd, slurm-client and
# munge packages (installed by .ci/run: apt-get install slurmctld slurmd slurm-client munge).
#   scripts/slurm-local.sh start   write /etc/slurm/slurm.conf, start munged, slurmctld, slurmd;
#                                  wait (at most 30 s) until the node is idle
#   scripts/slurm-local.sh stop    TERM each daemon by its pid file (slurmd, slurmctld, munged)
#                                  and wait for it (at most 10 s each); never by name
# The settings are those measured to work in a sandbox without systemd or cgroups.
set -euo pipefail

CONF=/etc/slurm/slurm.conf
PIDS=(/run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid)

start() {
  local host cpus
  host=$(hostname -s)
  cpus=$(nproc)
  mkdir -p /etc/slurm /run/munge /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
  chown munge:munge /run/munge && chmod 0755 /run/munge
  chown slurm:slurm /var/spool/slurmctld /var/log/slurm
  [ -s /etc/munge/munge.key ] || mungekey --create
  cat >"$CONF" <<CONF
ClusterName=threefactor
SlurmctldHost=$host(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MaxArraySize=1001
DependencyParameters=kill_invalid_depend
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  runuser -u munge -- /usr/sbin/munged
  /usr/sbin/slurmctld
  /usr/sbin/slurmd
  for _ in $(seq 60); do
    if [ "$(sinfo -h -N -o %t 2>/dev/null | head -1)" = idle ]; then echo "slurm: node $host idle ($cpus CPUs)"; return 0; fi
    sleep 0.5
  done
  echo "slurm: the node did not become idle within 30 s; see /var/log/slurm/" >&2
  return 1
}

stop() {
  local f pid
  for f in "${PIDS[@]}"; do
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    if kill -TERM "$pid" 2>/dev/null; then
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && echo "slurm: pid $pid ($f) still running after 10 s" >&2
    fi
    rm -f "$f"
  done
  echo "slurm: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
