#!/bin/bash
# The Slurm test's body (run by slurm-cluster.sh): a 2 x 2 x 3 sweep
# (horizons x models x seeds) as a job array of 2 shards and a merge job,
# compared bit for bit with the sweep trained here in one piece; then a run
# whose shard 0 is requeued mid-run (as a preemption would) and resumes.
#   slurm-sweep.sh DIR CCRNN-TRAIN
set -eu
dir=$1
train="$2 --quiet --cache-dir $dir/cache"
# Waits until the queue is empty (at most 5 minutes).
drain() {
  for _ in $(seq 600); do [[ -z $(squeue -h) ]] && return 0; sleep 0.5; done
  echo "the jobs did not finish:"; squeue; return 1
}

sweep="--bptt 1,2 --model lstm,dni_lstm --seeds 3 --epochs 3 --test-size 50"
$train $sweep --out "$dir/local"
$train $sweep --slurm 2 --out "$dir/sharded"
drain
echo "shards: $(ls "$dir/sharded/shards" | tr '\n' ' ')"
cmp "$dir/local/scores.npy" "$dir/sharded/scores.npy" && echo "sweep scores equal"
cmp "$dir/local/bptt=2/scores.npy" "$dir/sharded/bptt=2/scores.npy" && echo "point scores equal"
grep '"status"' "$dir/sharded/sweep.json" | head -1

# Requeued when its first save is there: it resumes from it.
run="--seeds 4 --epochs 60 --test-size 50"
$train $run --out "$dir/local-run"
submitted=$($train $run --slurm 2 --out "$dir/requeued")
array=${submitted#submitted job array }; array=${array%% *}
for _ in $(seq 200); do [[ -f "$dir/requeued/shards/0/resume.npz" ]] && break; sleep 0.1; done
scontrol requeue "${array}_0" && echo "requeued shard 0"
# Slurm holds a requeued job back for a while (its begin time); now, so
# that the test does not wait.
for _ in $(seq 100); do
  [[ $(squeue -h -j "${array}_0" -o %T) == PENDING ]] && break
  sleep 0.1
done
scontrol update JobId="${array}_0" StartTime=now
drain
grep -c "resuming" "$dir/requeued/slurm/shard-0.out" | sed 's/^/resumed: /'
cmp "$dir/local-run/scores.npy" "$dir/requeued/scores.npy" && echo "requeued scores equal"
