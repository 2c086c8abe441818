#!/usr/bin/python3
"""PyTorch reference for the `vit` entry of `npm run bench` (bench/vit.ts): the ViT training throughput of
shared/anchors/torch_bench.py (`torch_bench.py vit`).

Same protocol as torch_bench.py (TinyVit and the throughput loop copied from it): 16 patches of 7x7, d_model 64,
4 heads, 2 pre-norm blocks, MLP 128, GELU; AdamW lr 1e-3, weight decay 0, CrossEntropyLoss, batch 128, contiguous
batches of the Fashion-MNIST *training* images (never the test files; random data of the same shape when the files
are missing), 3 warm-up steps, then steps until --seconds have passed; examples per second count the training
steps (forward, backward, optimizer). One thread.

It runs as a server, as bench/torch_mlp.py does: one JSON line when ready, then one JSON request per line on stdin,
{"seconds": 8, "repetition": 1}, each answered with one JSON line. Needs Debian's python3-torch; run with
/usr/bin/python3.
"""
import gzip, json, os, sys, time

# Pin the BLAS library's threads before torch loads it (torch.set_num_threads covers only PyTorch's own).
for name in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[name] = '1'

import torch
import torch.nn as nn


def load_images():
    folder = os.environ.get('FASHION_MNIST_DIR', '/usr/share/datasets/fashion-mnist')
    images = os.path.join(folder, 'train-images-idx3-ubyte.gz')
    labels = os.path.join(folder, 'train-labels-idx1-ubyte.gz')
    if not (os.path.exists(images) and os.path.exists(labels)):
        generator = torch.Generator().manual_seed(0)
        return torch.rand(10000, 784, generator=generator), torch.randint(0, 10, (10000,), generator=generator), 'random'
    with gzip.open(images) as f:
        x = torch.frombuffer(bytearray(f.read()[16:]), dtype=torch.uint8).reshape(-1, 784).float() / 255
    with gzip.open(labels) as f:
        y = torch.frombuffer(bytearray(f.read()[8:]), dtype=torch.uint8).long()
    return x, y, 'fashion-mnist'


class TinyVit(nn.Module):
    """16 patches of 7x7 pixels, d_model 64, 4 heads, 2 pre-norm blocks, MLP 128, GELU."""

    def __init__(self, d_model=64, heads=4, blocks=2, hidden=128):
        super().__init__()
        self.embed = nn.Linear(49, d_model)
        self.position = nn.Parameter(torch.zeros(1, 16, d_model))
        layer = nn.TransformerEncoderLayer(d_model, heads, hidden, dropout=0.0, activation='gelu', batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, blocks)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, 10)

    def forward(self, x):
        patches = x.reshape(-1, 4, 7, 4, 7).permute(0, 1, 3, 2, 4).reshape(-1, 16, 49)
        h = self.encoder(self.embed(patches) + self.position)
        return self.head(self.norm(h).mean(dim=1))


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
        examples_per_second, steps, elapsed = throughput(TinyVit(), x, y, float(request['seconds']))
        print(json.dumps({
            'framework': 'torch', 'version': torch.__version__, 'threads': torch.get_num_threads(), 'model': 'vit',
            'batch': 128, 'data': data, 'repetition': request.get('repetition'), 'steps': steps,
            'seconds': round(elapsed, 2), 'examples_per_second': round(examples_per_second),
        }), flush=True)


if __name__ == '__main__':
    main()
