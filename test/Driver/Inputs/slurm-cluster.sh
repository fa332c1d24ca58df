#!/bin/bash
# Runs COMMAND on a real one-node Slurm cluster of this machine, started in
# DIR and stopped (by pid) when COMMAND ends, also when it fails:
#   slurm-cluster.sh DIR COMMAND...
# munged with its own key and socket, slurmctld and slurmd with state,
# spool and logs in DIR, on free localhost ports; COMMAND runs with
# SLURM_CONF set. Needs root (SlurmUser=root) and Debian's slurm-wlm and
# munge (tools/install-deps.sh). Exit status: COMMAND's, or 1 with the
# reason when the cluster does not start.
set -u
dir=$1; shift
rm -rf "$dir" && mkdir -p "$dir/state" "$dir/spool" || exit 1
pids=()
stop() {
  for pidfile in slurmd.pid slurmctld.pid munged.pid; do
    [[ -f "$dir/$pidfile" ]] || continue
    pid=$(cat "$dir/$pidfile")
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
}
trap stop EXIT
fail() { echo "slurm-cluster: $*" >&2; for f in "$dir"/*.log; do echo "--- $f" >&2; tail -5 "$f" >&2; done; exit 1; }

ports=($(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])'))
host=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) * 3 / 4 ))

dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$dir/munge.key"
munged --key-file="$dir/munge.key" --socket="$dir/munge.socket" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" \
  --seed-file="$dir/munge.seed" --force || fail "munged did not start"

cat > "$dir/slurm.conf" <<CONF
ClusterName=ccrnntest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=${ports[0]}
SlurmdPort=${ports[1]}
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"
for _ in $(seq 100); do
  [[ $(sinfo -h -o %t 2>/dev/null) == idle ]] && break
  sleep 0.2
done
[[ $(sinfo -h -o %t 2>/dev/null) == idle ]] || fail "the node is not idle"
"$@"
