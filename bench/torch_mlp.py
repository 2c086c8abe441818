#!/usr/bin/python3
"""PyTorch reference for `npm run bench` (bench/mlp.ts): the MLP training throughput of shared/anchors/torch_bench.py.

Same protocol as torch_bench.py (copied from it): 784-256xd-10 nn.Linear/ReLU, AdamW lr 1e-3, weight decay 0,
CrossEntropyLoss, batch 128, contiguous batches of the Fashion-MNIST *training* images (never the test files;
random data of the same shape when the files are missing), 3 warm-up steps, then steps until --seconds have
passed; examples per second count the training steps (forward, backward, optimizer). One thread
(torch.set_num_threads(1), and OPENBLAS_NUM_THREADS=1 for the BLAS library behind nn.Linear).

It runs as a server so that bench/mlp.ts can alternate with it in one command without paying torch's import
each time: it prints one JSON line when ready, then reads one JSON request per line on stdin,
{"depth": 4, "seconds": 5, "repetition": 1}, and answers each with one JSON line. Needs Debian's
python3-torch; run with /usr/bin/python3.
"""
import gzip, json, os, sys, time

# torch.set_num_threads(1) limits PyTorch's own (OpenMP) threads but not those of the BLAS library Debian's torch
# calls for nn.Linear (OpenBLAS through libblas.so.3), which would use every core: pin it before torch loads it.
for name in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[name] = '1'

import torch
import torch.nn as nn


def load_images():
    folder = os.environ.get('FASHION_MNIST_DIR', '/usr/share/datasets/fashion-mnist')
    found = {}
    for name in ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'):
        for candidate in (name, name + '.gz'):
            if os.path.exists(os.path.join(folder, candidate)):
                found[name] = os.path.join(folder, candidate)
                break
    if len(found) < 2:
        generator = torch.Generator().manual_seed(0)
        return torch.rand(10000, 784, generator=generator), torch.randint(0, 10, (10000,), generator=generator), 'random'

    def read(path):
        opener = gzip.open if path.endswith('.gz') else open
        with opener(path, 'rb') as f:
            return f.read()

    x = torch.frombuffer(bytearray(read(found['train-images-idx3-ubyte'])[16:]), dtype=torch.uint8).reshape(-1, 784).float() / 255
    y = torch.frombuffer(bytearray(read(found['train-labels-idx1-ubyte'])[8:]), dtype=torch.uint8).long()
    return x, y, 'fashion-mnist'


def mlp(depth, width):
    layers, fan_in = [], 784
    for _ in range(depth):
        layers += [nn.Linear(fan_in, width), nn.ReLU()]
        fan_in = width
    return nn.Sequential(*layers, nn.Linear(fan_in, 10))


def throughput(model, x, y, seconds, batch=128):
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)
    loss_fn = nn.CrossEntropyLoss()
    n = len(x)

    def step(i):
        start = i * batch % (n - batch)
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(x[start:start + batch]), y[start:start + batch]).backward()
        optimizer.step()

    for i in range(3):
        step(i)
    steps, began = 0, time.perf_counter()
    while True:
        step(steps)
        steps += 1
        elapsed = time.perf_counter() - began
        if elapsed >= seconds and steps >= 3:
            return steps * batch / elapsed, steps, elapsed


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x, y, data = load_images()
    print(json.dumps({'framework': 'torch', 'ready': True, 'version': torch.__version__, 'threads': torch.get_num_threads(), 'data': data}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        depth, seconds, width = int(request['depth']), float(request['seconds']), int(request.get('width', 256))
        examples_per_second, steps, elapsed = throughput(mlp(depth, width), x, y, seconds)
        print(json.dumps({
            'framework': 'torch', 'version': torch.__version__, 'threads': torch.get_num_threads(), 'model': 'mlp',
            'depth': depth, 'width': width, 'activation': 'relu', 'batch': 128, 'data': data,
            'repetition': request.get('repetition'), 'steps': steps, 'seconds': round(elapsed, 2),
            'examples_per_second': round(examples_per_second),
        }), flush=True)


if __name__ == '__main__':
    main()
