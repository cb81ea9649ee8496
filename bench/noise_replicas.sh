#!/usr/bin/env bash
# The real clips' accuracy on tracks another machine's model could give: every clip of both
# manifests in ../shared/data re-encoded with +-2 grey levels of pixel noise (a different seed
# per replica) and scored by `posecheck eval` with its own labels. Prints a Markdown table of
# how many tracks of each clip pass (bench/noise_replicas.py says why this stands for another
# machine). docs/accuracy.md quotes it.
#
#   bench/noise_replicas.sh [REPLICAS] [WORK_DIR]   (default 6, /tmp/posecheck-replicas)
#
# Installs ffmpeg (Debian) if missing. About 5 minutes per replica on 2 cores; the replicas and
# their tracks are kept in WORK_DIR, so a second run only re-scores.
set -euo pipefail
cd "$(dirname "$0")/.."
replicas=${1:-6}
work=${2:-/tmp/posecheck-replicas}
[[ "$replicas" =~ ^[0-9]+$ ]] && (( replicas >= 1 && replicas <= 20 )) \
  || { echo "noise_replicas.sh: REPLICAS must be 1 to 20, not '$replicas'" >&2; exit 1; }
[ -d ../shared/data ] || { echo "noise_replicas.sh: ../shared/data is missing (the clips are there)" >&2; exit 1; }
if ! command -v ffmpeg >/dev/null; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get install -y -q ffmpeg >/dev/null
fi
./run.sh setup
mkdir -p "$work"
python3 bench/noise_replicas.py "$replicas" ../shared "$work"
