"""Throughput of `posecheck analyze` against MediaPipe Python's Pose solution on the four
resolution classes users film (run by bench/compare.sh, which sets both up).

Each round times, one after the other on each clip: the whole `posecheck analyze` process
(start-up, model loading, decoding, writing the report) as a user would time it, and MediaPipe's
processing loop (bench/mediapipe_fps.py: decode, convert, `Pose.process`; its start-up and
graph warm-up are not counted, which favours MediaPipe). Rounds are interleaved and the best
round of each side counts, because this kind of machine drifts by ±20 % over minutes. The
model-only limit is the landmark model alone on a fixed input (examples/bench.rs).

    compare.py ROUNDS SHARED_DIR"""
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
POSECHECK = os.path.join(ROOT, "target", "release", "posecheck")
BENCH = os.path.join(ROOT, "target", "release", "examples", "bench")
PYTHON = os.path.join(HERE, ".venv", "bin", "python")

# One real clip per class, from ../shared/data.
CLASSES = [
    ("640x360", "videos/malik_plank.mp4"),
    ("1280x720", "videos/lena_glute_bridge.mp4"),
    ("1920x1080", "wild/videos/tnotch_side_plank.mp4"),
    ("1080x1920 portrait", "wild/videos/skatefit_single_leg_heel_bridge.mp4"),
]


def posecheck_round(clip, out_dir):
    """Frames/s of one whole `posecheck analyze` process, and the share of frames the model saw."""
    start = time.perf_counter()
    subprocess.run([POSECHECK, "analyze", clip, "--force", "-q", "--out-dir", out_dir],
                   check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    report = os.path.join(out_dir, os.path.splitext(os.path.basename(clip))[0] + ".report.json")
    with open(report) as f:
        r = json.load(f)
    frames = r["source"]["frames"]
    return {"fps": frames / seconds, "frames": frames, "model_share": r["model"]["frames"] / max(frames, 1)}


def mediapipe_round(clip):
    out = subprocess.run([PYTHON, os.path.join(HERE, "mediapipe_fps.py"), clip, "1"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main(rounds, shared):
    model_only = json.loads(subprocess.run([BENCH, "--model-only", str(rounds)], check=True,
                                           capture_output=True, text=True).stdout)["model_only_fps"]
    rows = []
    with tempfile.TemporaryDirectory() as out_dir:
        for name, rel in CLASSES:
            clip = os.path.join(shared, "data", rel)
            if not os.path.isfile(clip):
                sys.exit(f"compare.py: no clip at {clip} (../shared must be beside the checkout)")
            ours, theirs = None, None
            for _ in range(rounds):
                print(f"==> {name}: posecheck, then MediaPipe", file=sys.stderr)
                o = posecheck_round(clip, out_dir)
                t = mediapipe_round(clip)
                ours = o if ours is None or o["fps"] > ours["fps"] else ours
                theirs = t if theirs is None or t["fps"] > theirs["fps"] else theirs
            rows.append((name, rel, ours, theirs))
    cpu = platform.processor() or platform.machine()
    print(f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores ({cpu}), best of {rounds} "
          f"interleaved rounds; model-only limit {model_only:.1f} frames/s")
    print()
    print("| class | clip | frames | posecheck (whole process) | MediaPipe (loop) | ratio "
          "| model saw | of model-only limit |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, rel, o, t in rows:
        print(f"| {name} | {os.path.basename(rel)} | {o['frames']} | {o['fps']:.1f} frames/s "
              f"| {t['fps']:.1f} frames/s | {o['fps'] / t['fps']:.2f}x "
              f"| {100 * o['model_share']:.0f} % | {100 * o['fps'] / model_only:.0f} % |")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
