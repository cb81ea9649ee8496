#!/usr/bin/env bash
# posecheck analyze against MediaPipe Python's Pose solution (mediapipe==0.10.21,
# model_complexity=1, the same BlazePose-full weights) on one real clip of each resolution class
# users film: 640x360, 1280x720, 1920x1080 and 1080x1920 phone portrait, in one run, with the
# landmark model's model-only limit. Prints a Markdown table (the README quotes it).
#
#   bench/compare.sh [ROUNDS]     (default 2; the best interleaved round of each side counts)
#
# posecheck is timed as a whole process (start-up included); MediaPipe by its processing loop
# (bench/mediapipe_fps.py). MediaPipe is installed by this script into bench/.venv (PyPI).
# The clips are in ../shared/data. Run it on an idle machine: it takes about 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
[[ "$rounds" =~ ^[1-9][0-9]?$ ]] || { echo "compare.sh: ROUNDS must be 1 to 99, not '$rounds'" >&2; exit 1; }
[ -d ../shared/data ] || { echo "compare.sh: ../shared/data is missing (the clips are there)" >&2; exit 1; }
./run.sh setup
venv=bench/.venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import mediapipe" 2>/dev/null; then
  echo "==> installing mediapipe==0.10.21 into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check mediapipe==0.10.21
fi
cargo build --release --quiet --bin posecheck --example bench
python3 bench/compare.py "$rounds" ../shared
