#!/usr/bin/env bash
# Analyses a folder of videos on a Slurm cluster: a job array of TASKS shards, then a merge of
# all reports into OUT_DIR/sessions.csv. OUT_DIR must be on storage every node sees.
#
#   deploy/slurm/submit.sh INPUT_DIR OUT_DIR [TASKS] [-- extra posecheck analyze options]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 2 ] || { echo "usage: submit.sh INPUT_DIR OUT_DIR [TASKS] [-- options]" >&2; exit 2; }
input=$(realpath "$1"); out=$(realpath -m "$2"); tasks=${3:-8}
shift $(( $# >= 3 ? 3 : 2 ))
[ "${1:-}" = -- ] && shift
case $tasks in ''|*[!0-9]*|0) echo "submit.sh: TASKS must be a positive number" >&2; exit 2 ;; esac
[ -d "$input" ] || { echo "submit.sh: $input: no such directory" >&2; exit 2; }
mkdir -p "$out"
export POSECHECK=${POSECHECK:-$(realpath "$here/../../target/release/posecheck")}
export INPUT_DIR=$input OUT_DIR=$out POSECHECK_ARGS="$*"
[ -x "$POSECHECK" ] || { echo "submit.sh: $POSECHECK: build posecheck first (./run.sh setup)" >&2; exit 2; }
cd "$out"
array=$(sbatch --parsable --export=ALL --array=0-$((tasks - 1)) "$here/analyze-array.sbatch")
merge=$(sbatch --parsable --export=ALL --dependency=afterany:"$array" "$here/merge.sbatch")
echo "submitted array $array ($tasks tasks) and merge $merge; the table will be $out/sessions.csv"
