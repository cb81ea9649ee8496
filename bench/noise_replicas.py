"""How much of posecheck's accuracy on the real clips survives another machine's model.

ONNX Runtime picks its kernels by CPU, so another machine's pose model gives slightly different
numbers in the first frame, and BlazePose's tracking (each frame's crop comes from the last
frame's pose) grows them into a different track: 5-20 px apart on a 1080p clip within a few
frames, as different as two runs of the model on the clip with a little pixel noise. A rule
that passes on this machine's track only may fail on CI's. So this re-encodes each real clip
with pixel noise (ffmpeg's noise filter at strength 2 on every plane, Gaussian, about 1.2 grey
levels standard deviation; a different seed per replica; x264 at CRF 16), runs `posecheck eval`
on every replica with the clips' own labels, and prints per clip how many tracks (this
machine's and the replicas') pass the per-clip checks of tests/real_footage.rs: within their
labels, faults judged right, rep tops where the labels put them.

    noise_replicas.py REPLICAS SHARED_DIR WORK_DIR     (run by bench/noise_replicas.sh)

The replicas and their tracks stay in WORK_DIR (third-party footage: never in the repo)."""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
POSECHECK = os.path.join(os.path.dirname(HERE), "target", "release", "posecheck")
MANIFESTS = ["data/manifest.json", "data/wild/manifest.json"]


def replica(src, dst, seed):
    if os.path.exists(dst):
        return
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    noise = f"noise=alls=2:allf=t:all_seed={seed}"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", src, "-an", "-vf", noise,
         "-c:v", "libx264", "-crf", "16", "-preset", "veryfast", dst + ".part.mp4"],
        check=True)
    os.replace(dst + ".part.mp4", dst)


def evaluate(manifest, cache):
    out = subprocess.run(
        [POSECHECK, "eval", manifest, "--json", "--quiet", "--cache-dir", cache],
        stdout=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit(f"noise_replicas.py: posecheck eval {manifest} failed (its message is above)")
    return json.loads(out.stdout)["clips"]


def load(path):
    with open(path) as f:
        return json.load(f)


def passed(clip):
    tops = clip.get("tops_matched")
    return (clip["within"] is True and clip["faults_ok"] is not False
            and (tops is None or tops[0] == tops[1]))


def main():
    if len(sys.argv) != 4 or not sys.argv[1].isdigit() or not 1 <= int(sys.argv[1]) <= 20:
        sys.exit("usage: noise_replicas.py REPLICAS(1-20) SHARED_DIR WORK_DIR")
    replicas, shared, work = int(sys.argv[1]), sys.argv[2], os.path.abspath(sys.argv[3])
    if not shutil.which("ffmpeg"):
        sys.exit("noise_replicas.py: ffmpeg is missing (bench/noise_replicas.sh installs it)")
    if not os.path.exists(POSECHECK):
        sys.exit(f"noise_replicas.py: {POSECHECK} is missing: run ./run.sh setup")
    cache = os.path.join(work, "tracks")
    rows = {}
    for rel in MANIFESTS:
        path = os.path.join(shared, rel)
        manifest = load(path)
        base = os.path.dirname(path)
        runs = [path]
        for seed in range(1, replicas + 1):
            videos = []
            for v in manifest["videos"]:
                dst = os.path.join(work, f"seed{seed}", os.path.dirname(rel), v["file"])
                replica(os.path.join(base, v["file"]), dst, seed)
                videos.append(dict(v, file=dst))
            copy = dict(manifest, videos=videos)
            copy.pop("images", None)
            copy.pop("keypoints", None)
            out = os.path.join(work, f"seed{seed}-{rel.replace('/', '-')}")
            with open(out, "w") as f:
                json.dump(copy, f, indent=1)
            runs.append(out)
        for m in runs:
            for clip in evaluate(m, cache):
                if clip.get("skipped"):
                    continue
                name = os.path.join(os.path.dirname(rel), os.path.basename(clip["file"]))
                row = rows.setdefault(name, {"ok": 0, "n": 0, "seen": []})
                ok = passed(clip)
                row["n"] += 1
                row["ok"] += ok
                row["seen"].append(f"{clip['reps']} reps {clip['hold_s']:.2f} s"
                                   + ("" if ok else " (fails)"))
    print(f"| clip | tracks passing (this machine + {replicas} noise replicas) | reps and hold per track |")
    print("|---|---:|---|")
    for name, row in rows.items():
        print(f"| {name} | {row['ok']}/{row['n']} | {'; '.join(row['seen'])} |")
    total = sum(r["ok"] for r in rows.values()), sum(r["n"] for r in rows.values())
    print(f"\nall clips pass on {sum(r['ok'] == r['n'] for r in rows.values())} of {len(rows)}; "
          f"tracks passing {total[0]}/{total[1]}")


if __name__ == "__main__":
    main()
