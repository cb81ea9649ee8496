"""MediaPipe Python's Pose solution on a video, as a user of it would run it: frames decoded with
OpenCV, each converted to RGB and given to `Pose.process` in tracking mode
(`static_image_mode=False`, `model_complexity=1` = BlazePose full, the weights posecheck uses).

Runs the clip ROUNDS times (default 3) and prints one JSON object for the fastest: frames,
seconds, frames/s, frames with a person (the best of a few rounds, as bench.rs reports ours).

    mediapipe_fps.py CLIP [ROUNDS]"""
import json
import sys
import time

import cv2
import mediapipe as mp


def one_round(path):
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        sys.exit(f"cannot open {path}")
    frames = found = 0
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1,
                                smooth_landmarks=True, enable_segmentation=False) as pose:
        # Warm-up on the first frame (graph start-up is not throughput).
        ok, frame = cap.read()
        if ok:
            pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
        start = time.perf_counter()
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            result = pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            frames += 1
            found += result.pose_landmarks is not None
        seconds = time.perf_counter() - start
    return {"frames": frames, "seconds": round(seconds, 3),
            "fps": round(frames / seconds, 2), "frames_with_person": found}


def main(path, rounds):
    print(json.dumps(max((one_round(path) for _ in range(rounds)), key=lambda r: r["fps"])))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3)
