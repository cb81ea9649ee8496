#!/usr/bin/env bash
# Side-by-side throughput on one clip, in one run, on this machine:
#   posecheck analyze  vs  MediaPipe Python's Pose solution (mediapipe==0.10.21, model_complexity=1)
#   and the model-only limit (the BlazePose-full landmark model alone).
#
#   bench/compare.sh [CLIP [ROUNDS]]   (default: ../shared/data/videos/malik_plank.mp4, 3)
#
# Each side runs ROUNDS times and its best round counts (the machine's speed drifts).
# MediaPipe is installed by this script into bench/.venv (PyPI). Run it on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
clip=${1:-../shared/data/videos/malik_plank.mp4}
rounds=${2:-3}
[ -f "$clip" ] || { echo "compare.sh: no clip at $clip" >&2; exit 1; }
./run.sh setup
venv=bench/.venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import mediapipe" 2>/dev/null; then
  echo "==> installing mediapipe==0.10.21 into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check mediapipe==0.10.21
fi
cargo build --release --quiet --example bench
echo "==> posecheck analyze and the model-only limit" >&2
ours=$(target/release/examples/bench "$clip" 0 "$rounds")
echo "==> MediaPipe Python" >&2
theirs=$("$venv/bin/python" bench/mediapipe_fps.py "$clip" "$rounds" 2>/dev/null)
python3 - "$ours" "$theirs" <<'PY'
import json, sys
ours, theirs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"clip {ours['clip']}: {ours['frames']} frames, {ours['cores']} cores, best of {ours['rounds']} rounds")
print(f"  posecheck analyze    {ours['analyze_fps']:7.1f} frames/s  (sequential {ours['sequential_fps']:.1f}; per frame: "
      f"decode {ours['decode_ms']:.1f} ms, inference {ours['inference_ms']:.1f} ms, rest {ours['rest_ms']:.2f} ms)")
print(f"  MediaPipe Python     {theirs['fps']:7.1f} frames/s  ({theirs['frames_with_person']}/{theirs['frames']} frames with a person)")
print(f"  model-only limit     {ours['model_only_fps']:7.1f} frames/s  (landmark model alone)")
print(f"  posecheck / MediaPipe     = {ours['analyze_fps'] / theirs['fps']:.2f}x")
print(f"  posecheck / model-only    = {100 * ours['analyze_fps'] / ours['model_only_fps']:.0f} %")
PY
