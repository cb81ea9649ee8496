#!/usr/bin/env bash
# Live mode's capture-to-overlay latency and frame rate, BlazePose-full, at 640x480 and
# 1280x720: a clip is played at its real frame rate as a camera would deliver it (frames scaled
# to the size), headless, with --stats.
#
#   bench/live_latency.sh [CLIP]     (default: samples/bird_dog.mp4)
set -euo pipefail
cd "$(dirname "$0")/.."
clip=${1:-samples/bird_dog.mp4}
./run.sh setup
echo "clip $clip, $(nproc) cores, model blazepose-full"
for size in 640x480 1280x720; do
  line=$(target/release/posecheck live --source "$clip" --headless --stats --size "$size" \
           --report "$(mktemp -d)/live.json" 2>&1 >/dev/null | grep '^live:')
  echo "  $size  ${line#live: }"
done
