#!/usr/bin/env bash
# Shards a study over a Slurm job array and merges when every shard succeeded:
#   bench/slurm/submit.sh [--wait] <study> <shards> <source checkout> <shards dir> [target checkout]
# Task i of `sbatch --array=1-<shards>` runs shard.sbatch (its own copy, `vitest run --project cells --shard=i/n
# --reporter=blob`); merge.sbatch runs after all of them (--dependency=afterok): `npx hypotest merge`, then the hypotheses.
# Prints the two job ids; with --wait, waits for the merge job and exits with its status.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
wait=""
if [ "${1:-}" = "--wait" ]; then wait="--wait"; shift; fi
[ "$#" -ge 4 ] || { sed -n 2,6p "$0" >&2; exit 2; }
study="$1"; count="$2"; source="$(cd "$3" && pwd)"; shards_dir="$4"; target="$(cd "${5:-$source}" && pwd)"
mkdir -p "$shards_dir"
shards_dir="$(cd "$shards_dir" && pwd)"
export HYPOTEST_STUDY="$study" HYPOTEST_SOURCE="$source" HYPOTEST_SHARDS_DIR="$shards_dir" HYPOTEST_TARGET="$target" HYPOTEST_SHARD_COUNT="$count"
array="$(sbatch --parsable --export=ALL --array="1-$count" --chdir="$shards_dir" --output="$shards_dir/slurm-%A_%a.out" "$here/shard.sbatch")"
echo "array job $array: $count shards of '$study'"
status=0
merge="$(sbatch --parsable --export=ALL --dependency="afterok:$array" --kill-on-invalid-dep=yes --chdir="$target" --output="$shards_dir/slurm-merge-%j.out" $wait "$here/merge.sbatch")" || status=$?
echo "merge job $merge (after $array)${wait:+, exit status $status}"
exit "$status"
