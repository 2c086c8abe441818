#!/usr/bin/python3
"""Python reference for the `xgb` entry of `npm run bench` (bench/xgb.ts): xgboost.train's wall time.

Usage: /usr/bin/python3 bench/xgb_train.py FEATURES LABELS COUNT FEATURE_SIZE

FEATURES is a raw little-endian float32 file (COUNT x FEATURE_SIZE, row-major) and LABELS a raw uint8 file,
both written by bench/xgb.ts, so that both sides train on the same bytes. It runs as a server so that
bench/xgb.ts can alternate with it without paying xgboost's import each time: it prints one JSON line when
ready, then reads one JSON request per line on stdin,
{"params": {...}, "rounds": 10, "threads": 1, "repetition": 1}, and answers each with one JSON line whose
"seconds" is the wall time of building the DMatrix and xgboost.train (no evaluation, no prediction), the work
bench/xgb.ts times on hypotest's side. Needs Debian's python3-xgboost (the same libxgboost0 as hypotest).
"""
import json
import sys
import time

import numpy as np
import xgboost as xgb

features_path, labels_path, count, feature_size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
x = np.fromfile(features_path, dtype='<f4').reshape(count, feature_size)
y = np.fromfile(labels_path, dtype=np.uint8).astype(np.float32)
print(json.dumps({"ready": True, "version": xgb.__version__, "count": count}), flush=True)

for line in sys.stdin:
    request = json.loads(line)
    started = time.perf_counter()
    dtrain = xgb.DMatrix(x, label=y, nthread=request["threads"])
    booster = xgb.train(request["params"], dtrain, num_boost_round=request["rounds"])
    seconds = time.perf_counter() - started
    print(json.dumps({"framework": "xgboost-python", "version": xgb.__version__, "repetition": request["repetition"],
                      "rounds": request["rounds"], "examples": count, "seconds": round(seconds, 4)}), flush=True)
    del booster, dtrain
