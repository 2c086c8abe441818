#!/usr/bin/python3
"""PyTorch reference for the ablation study's wall time: the same 18 cells x 3 seeds under the registered protocol.

784-256xd-10 MLP (nn.Linear default initialisation), ReLU or exact GELU, AdamW lr 1e-3 with decoupled weight decay
in PyTorch's convention applied to weights only (biases not decayed, as in hypotest), batch 128 reshuffled every
epoch, 10 epochs on 50,000 training images, pixels / 255, accuracy on the other 10,000 training images
(validation only; the test files are never read). Runs `--workers` single-threaded processes at once (2 on the
2-core development machine, as hypotest's cells project does) and prints one JSON line per run, then
{"summary": {"wall_seconds": ..., "runs": 54, "workers": 2}}.

Run it the way `npm run bench` runs PyTorch (one BLAS thread, glibc malloc thresholds fixed):

  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824 \
    /usr/bin/python3 bench/torch_ablation.py --workers 2
"""
import argparse, gzip, itertools, json, multiprocessing, os, time


def load():
    import torch
    folder = os.environ.get('FASHION_MNIST_DIR', '/usr/share/datasets/fashion-mnist')
    with gzip.open(os.path.join(folder, 'train-images-idx3-ubyte.gz')) as f:
        x = torch.frombuffer(bytearray(f.read()[16:]), dtype=torch.uint8).reshape(-1, 784).float() / 255
    with gzip.open(os.path.join(folder, 'train-labels-idx1-ubyte.gz')) as f:
        y = torch.frombuffer(bytearray(f.read()[8:]), dtype=torch.uint8).long()
    return x[:50000], y[:50000], x[50000:], y[50000:]


def run(job):
    import torch
    import torch.nn as nn
    torch.set_num_threads(1)
    depth, activation, decay, seed, epochs = job
    x, y, vx, vy = load()
    torch.manual_seed(seed)
    layers, fan_in = [], 784
    for _ in range(depth):
        layers += [nn.Linear(fan_in, 256), nn.ReLU() if activation == 'relu' else nn.GELU()]
        fan_in = 256
    model = nn.Sequential(*layers, nn.Linear(fan_in, 10))
    weights = [p for n, p in model.named_parameters() if n.endswith('weight')]
    biases = [p for n, p in model.named_parameters() if n.endswith('bias')]
    optimizer = torch.optim.AdamW([{'params': weights, 'weight_decay': decay}, {'params': biases, 'weight_decay': 0.0}], lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    began = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for start in range(0, len(x), 128):
            index = order[start:start + 128]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(x[index]), y[index]).backward()
            optimizer.step()
    with torch.no_grad():
        accuracy = (model(vx).argmax(1) == vy).float().mean().item()
    return {'framework': 'torch', 'depth': depth, 'activation': activation, 'weight_decay': decay, 'seed': seed,
            'epochs': epochs, 'seconds': round(time.perf_counter() - began, 2), 'validation_accuracy': round(accuracy, 4)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--epochs', type=int, default=10)
    args = parser.parse_args()
    jobs = [(d, a, w, s, args.epochs) for d, a, w, s in itertools.product([8, 4, 2], ['gelu', 'relu'], [0.0, 1e-4, 1e-3], [1, 2, 3])]
    began = time.perf_counter()
    with multiprocessing.get_context('spawn').Pool(args.workers) as pool:
        for result in pool.imap_unordered(run, jobs):
            print(json.dumps(result), flush=True)
    print(json.dumps({'summary': {'wall_seconds': round(time.perf_counter() - began, 1), 'runs': len(jobs), 'workers': args.workers}}), flush=True)


if __name__ == '__main__':
    main()
