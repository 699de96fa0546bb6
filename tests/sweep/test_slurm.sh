#!/usr/bin/env bash
# The Slurm executor against a real single-node Slurm: munged, slurmctld and
# slurmd (Debian's munge and slurm-wlm) started here with a generated
# slurm.conf and munge key in a temporary directory, on loopback ports; a
# sweep of six points through sbatch, one task cancelled with scancel while
# it runs and one while it waits, both reported as failed; --resume runs only
# those two again; an interrupted sweep cancels its array. Every daemon
# started here is stopped at the end, also on failure.
#   tests/sweep/test_slurm.sh STRATA WORKDIR
set -euo pipefail
STRATA=$(realpath "$1")
WORK=$2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
[[ $(id -u) -eq 0 ]] || { echo "test_slurm: error: slurmd must run as root to start jobs; run this test as root" >&2; exit 1; }
for tool in munged slurmctld slurmd sbatch squeue scancel sinfo; do
  command -v "$tool" >/dev/null || { echo "test_slurm: error: $tool missing; run scripts/setup.sh" >&2; exit 1; }
done

rm -rf "$WORK"
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
CL=$WORK/cluster
mkdir -p "$CL/munge" "$CL/state" "$CL/spool"
chmod 700 "$CL/munge"
PIDS=()

stop_all() {
  set +e
  if [[ -f $CL/slurm.conf ]]; then
    SLURM_CONF=$CL/slurm.conf scancel --quiet --jobname=strata-sweep 2>/dev/null
  fi
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill "${PIDS[i]}" 2>/dev/null
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  # munged forks into the background: its pid file names it.
  if [[ -f $CL/munged.pid ]]; then
    pid=$(cat "$CL/munged.pid")
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  fi
}
on_exit() {
  local rc=$?
  stop_all
  if ((rc != 0)); then
    echo "test_slurm: FAILED (exit $rc); daemon logs:" >&2
    for f in "$CL"/*.log; do echo "--- $f" >&2; tail -n 30 "$f" >&2; done
  fi
  exit $rc
}
trap on_exit EXIT

fail() { echo "test_slurm: FAIL: $*" >&2; exit 1; }

# Loopback ports that nothing listens on.
free_port() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 20000))
    if ! (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return; fi
  done
  fail "no free port"
}
CTLD_PORT=$(free_port)
SLURMD_PORT=$(free_port)
[[ $CTLD_PORT != "$SLURMD_PORT" ]] || SLURMD_PORT=$((CTLD_PORT + 1))

# munge: a fresh key, a private socket.
dd if=/dev/urandom of="$CL/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$CL/munge/munge.key"
munged --force --key-file="$CL/munge/munge.key" --socket="$CL/munge/munge.socket" \
  --pid-file="$CL/munged.pid" --log-file="$CL/munged.log" --seed-file="$CL/munge/munge.seed"
for _ in $(seq 50); do [[ -S $CL/munge/munge.socket ]] && break; sleep 0.1; done
[[ -S $CL/munge/munge.socket ]] || fail "munged did not start"

HOST=$(hostname -s)
CPUS=$(nproc)
cat >"$CL/slurm.conf" <<CONF
ClusterName=stratatest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$CL/munge/munge.socket
StateSaveLocation=$CL/state
SlurmdSpoolDir=$CL/spool
SlurmctldPidFile=$CL/slurmctld.pid
SlurmdPidFile=$CL/slurmd.pid
SlurmctldLogFile=$CL/slurmctld.log
SlurmdLogFile=$CL/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName=stratanode NodeHostname=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS State=UNKNOWN
PartitionName=stratatest Nodes=stratanode Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$CL/slurm.conf

slurmctld -D -i >"$CL/slurmctld.out" 2>&1 &
PIDS+=($!)
slurmd -D -N stratanode >"$CL/slurmd.out" 2>&1 &
PIDS+=($!)
ready=
for _ in $(seq 120); do
  state=$(sinfo -h -n stratanode -o %T 2>/dev/null || true)
  if [[ $state == idle ]]; then ready=1; break; fi
  sleep 0.5
done
[[ -n $ready ]] || fail "the node did not become idle (sinfo says '${state:-nothing}')"
echo "test_slurm: cluster up (slurmctld port $CTLD_PORT, slurmd port $SLURMD_PORT)"

# Six engine points (nn_small's), generated and linted, one task at a time:
# task 1 is cancelled while it runs, task 5 while it waits.
cat >"$WORK/sweep.yaml" <<YAML
name: slurm_test
base: $SRC/gen/configs/nn_small.yaml
axes:
  nn.aus_per_pe: [1, 2]
  au.formats: [[int8], [int4, int8], [int8, int16]]
stages: [generate, lint]
slurm:
  partition: stratatest
  time: "00:10:00"
  poll_seconds: 1
YAML
OUT=$WORK/out
set +e
# The logs exist before the background sweep starts, so polling them never races its redirections.
: >"$WORK/first.out"; : >"$WORK/first.err"
"$STRATA" sweep "$WORK/sweep.yaml" --executor slurm --jobs 1 -o "$OUT" >>"$WORK/first.out" 2>>"$WORK/first.err" &
SWEEP=$!
set -e
job=
for _ in $(seq 600); do
  job=$(sed -n 's/.*submitted job array \([0-9]*\).*/\1/p' "$WORK/first.err")
  [[ -n $job ]] && break
  kill -0 $SWEEP 2>/dev/null || break
  sleep 0.1
done
[[ -n $job ]] || { cat "$WORK/first.err" >&2; fail "the sweep submitted no job array"; }
running=
for _ in $(seq 1200); do
  if squeue -h -r -j "$job" -o '%i|%T' | grep -qx "${job}_1|RUNNING"; then running=1; break; fi
  sleep 0.05
done
[[ -n $running ]] || fail "task ${job}_1 was never seen running"
scancel "${job}_1"
scancel "${job}_5"
echo "test_slurm: cancelled ${job}_1 (running) and ${job}_5 (pending)"
set +e
wait $SWEEP
rc=$?
set -e
cat "$WORK/first.err"
[[ $rc -eq 1 ]] || fail "the sweep with cancelled tasks exited $rc, expected 1"
grep -q "2 of 6 point(s) failed" "$WORK/first.err" || fail "the failures are not reported"

# The report: points 1 and 5 failed because their tasks were cancelled, the
# other four complete.
python3 - "$OUT/report.json" "$job" <<'PY'
import json, sys
pts = json.load(open(sys.argv[1]))["points"]
job = sys.argv[2]
assert len(pts) == 6, len(pts)
st = [p["status"] for p in pts]
assert st == ["ok", "failed", "ok", "ok", "ok", "failed"], st
r1, r5 = pts[1]["result"]["reason"], pts[5]["result"]["reason"]
assert r1 == f"slurm job ended without a result: CANCELLED (slurm job {job}_1)", r1
assert r5 == f"slurm job ended without a result: CANCELLED while pending (gone from the queue) (slurm job {job}_5)", r5
for i in (0, 2, 3, 4):
    assert pts[i]["result"]["stages"]["lint"]["ok"], pts[i]
print("test_slurm: report ok:", r1, "/", r5)
PY
grep -q "| failed |" "$OUT/report.md" || fail "report.md does not show the failed points"

# --resume runs only the two cancelled points.
"$STRATA" sweep "$WORK/sweep.yaml" --executor slurm -o "$OUT" --resume >"$WORK/resume.out" 2>"$WORK/resume.err" || {
  cat "$WORK/resume.err" >&2
  fail "the resumed sweep failed"
}
cat "$WORK/resume.err"
grep -q "6 point(s), 2 to run, 4 complete (skipped)" "$WORK/resume.err" || fail "--resume did not skip the four complete points"
grep -q "submitted job array [0-9]* (2 task(s)" "$WORK/resume.err" || fail "--resume did not submit two tasks"
grep -q "6 ok, 0 failed, 4 skipped" "$WORK/resume.err" || fail "the resumed sweep is not complete"
python3 - "$OUT/report.json" <<'PY'
import json, sys
pts = json.load(open(sys.argv[1]))["points"]
assert [p["status"] for p in pts] == ["ok"] * 6
assert pts[1]["result"]["host"] and pts[5]["result"]["host"], pts
PY
# Interrupted (SIGINT, as by Ctrl-C), the sweep cancels its array: no task
# of it is left pending or running.
set +e
: >"$WORK/int.out"; : >"$WORK/int.err"
"$STRATA" sweep "$WORK/sweep.yaml" --executor slurm --jobs 1 -o "$WORK/out2" >>"$WORK/int.out" 2>>"$WORK/int.err" &
SWEEP=$!
set -e
job=
for _ in $(seq 600); do
  job=$(sed -n 's/.*submitted job array \([0-9]*\).*/\1/p' "$WORK/int.err")
  [[ -n $job ]] && break
  sleep 0.1
done
[[ -n $job ]] || { cat "$WORK/int.err" >&2; fail "the third sweep submitted no job array"; }
kill -INT $SWEEP
set +e
wait $SWEEP
rc=$?
set -e
cat "$WORK/int.err"
[[ $rc -eq 1 ]] || fail "the interrupted sweep exited $rc, expected 1"
grep -q "interrupted: job array $job cancelled" "$WORK/int.err" || fail "the interrupted sweep does not say it cancelled its array"
left=
for _ in $(seq 100); do
  left=$(squeue -h -r -j "$job" -t PENDING,RUNNING,COMPLETING -o %i)
  [[ -z $left ]] && break
  sleep 0.2
done
[[ -z $left ]] || fail "tasks of the interrupted sweep's array are left: $left"
echo "test_slurm: passed"
