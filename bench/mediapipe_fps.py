"""MediaPipe Python's Pose solution on a video, as a user of it would run it: frames decoded with
OpenCV, each converted to RGB and given to `Pose.process` in tracking mode
(`static_image_mode=False`, `model_complexity=1` = BlazePose full, the weights posecheck uses).

Prints one JSON object: frames, seconds, frames/s, frames with a person."""
import json
import sys
import time

import cv2
import mediapipe as mp


def main(path):
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
    print(json.dumps({"frames": frames, "seconds": round(seconds, 3),
                      "fps": round(frames / seconds, 2), "frames_with_person": found}))


if __name__ == "__main__":
    main(sys.argv[1])
