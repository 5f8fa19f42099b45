#!/usr/bin/env bash
# slurm_archive_test.sh DXLENS REPO WORKDIR — an archive run on a real Slurm cluster, registered with CTest
# (tests/CMakeLists.txt, native preset). Debian's slurm-wlm and munge (tests/apt-packages.txt) make a one-node
# cluster on this machine: munged, slurmctld and slurmd with every file in a temporary folder, listening on
# 127.0.0.1 only, stopped at the end whatever happens. Then, with the examples/slurm/dxlens-array.sbatch script
# the README documents:
#   1. an array job of 4 tasks over 480 chest X-rays from ../shared/data runs `dxlens analyze --shard auto`;
#   2. one task is cancelled (scancel JOB_TASK) while it is writing its shard;
#   3. `dxlens merge` reports the missing inputs (exit 1); the cancelled index is resubmitted and resumes;
#   4. merged, every input is there exactly once, and the validation report equals, number for number, one
#      single process (`--shard 0/1`) over the same list.
# Exit 77 (skipped) when ../shared/data is absent; not root (slurmd runs jobs as root here) is a failure.
set -uo pipefail
dxlens=$1 repo=$2 work=$3
data="$repo/../shared/data/chest_xray_kermany"
model="$repo/models/cxr-pneumonia"
if [[ ! -f $data/labels.csv ]]; then
    echo "skipped: $data is absent (the Kermany chest X-rays in ../shared/data, see its README)"
    exit 77
fi
for tool in munged mungekey slurmctld slurmd sbatch squeue scancel sinfo scontrol; do
    command -v "$tool" >/dev/null || PATH="$PATH:/usr/sbin"
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (Debian slurm-wlm, munge)"; exit 1; }
done
[[ $(id -u) == 0 ]] || { echo "FAIL: the one-node cluster runs slurmd as root; run as root"; exit 1; }

rm -rf "$work" && mkdir -p "$work"
cluster=$(mktemp -d /tmp/dxlens-slurm.XXXXXX)
chmod 0755 "$cluster"
munged_pid="" ctld_pid="" slurmd_pid=""
export SLURM_CONF="$cluster/slurm.conf"
stop_cluster() {
    scancel --quiet --full "--user=$(id -un)" 2>/dev/null
    for _ in $(seq 50); do pgrep -x slurmstepd >/dev/null || break; sleep 0.1; done
    scontrol shutdown >/dev/null 2>&1
    for pid in $slurmd_pid $ctld_pid; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null
    done
    [[ -n $munged_pid ]] && kill "$munged_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$cluster"
}
trap stop_cluster EXIT

# Ports nobody listens on (the cluster binds 127.0.0.1 only).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ctld_port=$(free_port) slurmd_port=$(free_port)
cpus=$(nproc)
memory=$(awk '/MemTotal/ {print int($2 / 1024 / 2)}' /proc/meminfo)

mkdir -p "$cluster/munge" "$cluster/spool/ctld" "$cluster/spool/d" "$cluster/log"
chmod 0755 "$cluster/munge"
mungekey --create --keyfile="$cluster/munge/munge.key" || { echo "FAIL: mungekey"; exit 1; }
munged -F --socket="$cluster/munge/munge.socket" --key-file="$cluster/munge/munge.key" \
    --pid-file="$cluster/munge/munged.pid" --seed-file="$cluster/munge/munged.seed" --log-file="$cluster/log/munged.log" \
    >"$cluster/log/munged.out" 2>&1 &
munged_pid=$!
: >"$cluster/plugstack.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=dxlens-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
AuthType=auth/munge
AuthInfo=socket=$cluster/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$cluster/spool/ctld
SlurmdSpoolDir=$cluster/spool/d
SlurmctldPidFile=$cluster/slurmctld.pid
SlurmdPidFile=$cluster/slurmd.pid
SlurmctldLogFile=$cluster/log/slurmctld.log
SlurmdLogFile=$cluster/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$cluster/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
PlugStackConfig=$cluster/plugstack.conf
MpiDefault=none
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
for _ in $(seq 50); do [[ -S $cluster/munge/munge.socket ]] && break; sleep 0.1; done
slurmctld -D -f "$SLURM_CONF" >"$cluster/log/ctld.out" 2>&1 &
ctld_pid=$!
slurmd -D -N localhost -f "$SLURM_CONF" >"$cluster/log/d.out" 2>&1 &
slurmd_pid=$!
ready=0
for _ in $(seq 200); do
    [[ $(sinfo -h -n localhost -o %t 2>/dev/null) == idle ]] && { ready=1; break; }
    sleep 0.1
done
if ((ready == 0)); then
    echo "FAIL: the one-node Slurm cluster did not come up:"
    tail -n 20 "$cluster/log/slurmctld.log" "$cluster/log/slurmd.log" "$cluster/log/ctld.out" "$cluster/log/d.out" 2>/dev/null
    exit 1
fi
echo "ok cluster: slurmctld on 127.0.0.1:$ctld_port, slurmd on :$slurmd_port, $cpus CPUs"

# 480 images, every 10th of the labelled list (both classes), and their labels.
awk -F, -v d="$data" 'NR > 1 && NR % 10 == 0 && n < 480 { print d "/" $1; n++ }' "$data/labels.csv" >"$work/list.txt"
{ echo "file,label"; awk -F, 'NR > 1 && NR % 10 == 0 && n < 480 { print $1 "," $2; n++ }' "$data/labels.csv"; } >"$work/labels.csv"
tasks=4
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# Waits until none of job $1's tasks is pending, running or completing.
wait_job() {
    for _ in $(seq 1800); do
        [[ -z $(squeue -h -j "$1" -t PD,R,CG 2>/dev/null) ]] && return 0
        sleep 0.2
    done
    return 1
}
submit() { # submit ARRAY -> job id
    sbatch --parsable --array="$1" --cpus-per-task=1 --output="$work/slurm-%A_%a.out" \
        --export="ALL,DXLENS=$dxlens,DXLENS_SHARDS=$tasks,DXLENS_MODEL=$model,DXLENS_LIST=$work/list.txt,DXLENS_OUT=$work/out" \
        "$repo/examples/slurm/dxlens-array.sbatch"
}
job=$(submit "0-$((tasks - 1))") || { echo "FAIL: sbatch: $job"; exit 1; }
echo "ok submitted: array job $job, $tasks tasks"

# Cancel the first task seen running with some of its shard written and most of it still to do.
cancelled=""
for _ in $(seq 600); do
    for ((t = 0; t < tasks; t++)); do
        shard=$(printf '%s/out/shard-%04d-of-%04d.jsonl' "$work" "$t" "$tasks")
        lines=$( [[ -f $shard ]] && wc -l <"$shard" || echo 0)
        if ((lines >= 6 && lines < 60)) && [[ $(squeue -h -j "${job}_$t" -o %t 2>/dev/null) == R ]]; then
            scancel "${job}_$t" && cancelled=$t
            break 2
        fi
    done
    sleep 0.05
done
[[ -n $cancelled ]] || fail "cancel: no task was caught mid-shard"
wait_job "$job" || fail "the array job did not finish"
[[ -n $cancelled ]] && echo "ok cancelled: task $cancelled after $(($(wc -l <"$(printf '%s/out/shard-%04d-of-%04d.jsonl' "$work" "$cancelled" "$tasks")") - 1)) inputs"

"$dxlens" merge "$work/out" >"$work/partial.json" 2>"$work/partial.err"
rc=$?
if [[ -n $cancelled ]]; then
    [[ $rc == 1 ]] && grep -q "inputs not analyzed yet" "$work/partial.err" ||
        fail "merge after the cancel: exit $rc (want 1, inputs missing): $(cat "$work/partial.err")"
fi

if [[ -n $cancelled ]]; then
    again=$(submit "$cancelled") || fail "resubmit: $again"
    wait_job "$again" || fail "the resubmitted task did not finish"
    out="$work/slurm-${again}_$cancelled.out"
    grep -q "shard $cancelled of $tasks" "$out" && grep -q "done before" "$out" && ! grep -q " 0 done before" "$out" ||
        fail "the resubmitted task did not resume: $(cat "$out")"
    echo "ok resubmitted: $(grep 'finished' "$out")"
fi
grep -q "JobState=CANCELLED" "$cluster/log/jobcomp.txt" 2>/dev/null || [[ -z $cancelled ]] ||
    fail "Slurm's job completion log has no cancelled task"

"$dxlens" merge "$work/out" --labels "$work/labels.csv" --out "$work/merged.json" 2>"$work/merge.err" ||
    fail "merge of the array: $(cat "$work/merge.err")"
"$dxlens" analyze --model "$model" --no-outputs --list "$work/list.txt" --out "$work/single" 2>"$work/single.err" ||
    fail "single process: $(cat "$work/single.err")"
"$dxlens" merge "$work/single" --labels "$work/labels.csv" --out "$work/single.json" 2>>"$work/merge.err" ||
    fail "merge of the single process: $(cat "$work/merge.err")"
python3 - "$work/list.txt" "$work/merged.json" "$work/single.json" "$work"/out/shard-*.jsonl <<'PYEOF' || failures=$((failures + 1))
import json, sys
paths = open(sys.argv[1]).read().splitlines()
merged, single = (json.load(open(p)) for p in sys.argv[2:4])
seen = {}
for name in sys.argv[4:]:
    for line in open(name).read().splitlines()[1:]:
        o = json.loads(line)
        k = o["input_index"]
        assert k not in seen, f"input {k} analyzed twice ({seen[k]} and {name})"
        assert o["file"] == paths[k] and "error" not in o, o
        seen[k] = name
assert sorted(seen) == list(range(len(paths))), f"{len(paths) - len(seen)} inputs lost"
inputs = merged["merge"]["inputs"]
assert inputs["analyzed"] == len(paths) and inputs["missing"] == 0 and inputs["failed"] == 0, inputs
merged.pop("merge"), single.pop("merge")
assert merged == single, "the array's merged report differs from the single process's"
print(f"ok merged: {len(paths)} inputs, each exactly once; AUC {merged['auc']['estimate']!r} "
      f"(95% CI {merged['auc']['lower']!r}-{merged['auc']['upper']!r}) equal to one process")
PYEOF
echo "$failures failure(s)"
((failures == 0))
