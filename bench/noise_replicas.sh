#!/usr/bin/env bash
# The real clips' accuracy on tracks another machine's model could give: every clip of both
# manifests in ../shared/data re-encoded with a little pixel noise (a different seed per
# replica) and scored by `posecheck eval` with its own labels. Prints a Markdown table of how
# many tracks of each clip pass (bench/noise_replicas.py says why this stands for another
# machine). docs/robustness.md quotes it.
#
#   bench/noise_replicas.sh [REPLICAS] [WORK_DIR]   (default 6, /tmp/posecheck-replicas)
#
# Installs ffmpeg (Debian) if missing. About 5 minutes per replica on 2 cores, and as long again
# for this machine's own tracks (kept apart from posecheck's usual cache); the replicas and their
# tracks stay in WORK_DIR, so a second run only re-scores.
set -euo pipefail
replicas=${1:-6}
work=$(realpath -m "${2:-/tmp/posecheck-replicas}")
cd "$(dirname "$0")/.."
die() { echo "noise_replicas.sh: $*" >&2; exit 1; }
[[ "$replicas" =~ ^[0-9]+$ ]] && (( replicas >= 1 && replicas <= 20 )) \
  || die "REPLICAS must be 1 to 20, not '$replicas'"
shared=$(realpath -m ../shared)
[ -d "$shared/data" ] || die "$shared/data is missing (the clips are there)"
if ! command -v ffmpeg >/dev/null; then
  command -v apt-get >/dev/null || die "please install ffmpeg (no apt-get here)"
  root=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "root rights are needed to install ffmpeg"
    root=(sudo)
  fi
  echo "==> installing ffmpeg" >&2
  "${root[@]}" apt-get update -qq
  "${root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null
fi
./run.sh setup
mkdir -p "$work"
python3 bench/noise_replicas.py "$replicas" "$shared" "$work"
