#!/usr/bin/python3
"""PyTorch side of the correctness anchor (bench/anchor.ts does the same with hypotest's tfjs code).

The model, optimiser and batch size are those of shared/anchors/torch_bench.py (784-256xd-10 nn.Linear/ReLU,
AdamW lr 1e-3, weight decay 0, batch 128, raw pixels / 255). Trains for --epochs on the first 50,000
Fashion-MNIST training images in an order reshuffled every epoch (torch.randperm, seeded), and reports the
accuracy on the last 10,000 training images (validation only; the test file is never read). Examples per
second count training steps only (forward, backward, optimiser), as torch_bench.py does.

Needs Debian's python3-torch and dataset-fashion-mnist; run with /usr/bin/python3:

  /usr/bin/python3 bench/anchor_torch.py --seeds 0,1,2 --threads 1
"""
import argparse, gzip, json, os, time

import torch
import torch.nn as nn


def load(folder):
    with gzip.open(os.path.join(folder, 'train-images-idx3-ubyte.gz')) as f:
        x = torch.frombuffer(bytearray(f.read()[16:]), dtype=torch.uint8).reshape(-1, 784).float() / 255
    with gzip.open(os.path.join(folder, 'train-labels-idx1-ubyte.gz')) as f:
        y = torch.frombuffer(bytearray(f.read()[8:]), dtype=torch.uint8).long()
    return x, y


def mlp(depth, width, activation):
    # As in torch_bench.py.
    layers, fan_in = [], 784
    for _ in range(depth):
        layers += [nn.Linear(fan_in, width), nn.ReLU() if activation == 'relu' else nn.GELU()]
        fan_in = width
    return nn.Sequential(*layers, nn.Linear(fan_in, 10))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--seeds', default='0')
    parser.add_argument('--depth', type=int, default=2)
    parser.add_argument('--width', type=int, default=256)
    parser.add_argument('--activation', default='relu', choices=['relu', 'gelu'])
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    x, y = load(os.environ.get('FASHION_MNIST_DIR', '/usr/share/datasets/fashion-mnist'))
    x_train, y_train, x_val, y_val = x[:50000], y[:50000], x[50000:], y[50000:]
    for seed in [int(s) for s in args.seeds.split(',')]:
        torch.manual_seed(seed)
        model = mlp(args.depth, args.width, args.activation)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)
        loss_fn = nn.CrossEntropyLoss()
        order = torch.Generator().manual_seed(seed)
        train_seconds, examples, curve = 0.0, 0, []
        for epoch in range(args.epochs):
            permutation = torch.randperm(len(x_train), generator=order)
            model.train()
            began = time.perf_counter()
            for start in range(0, len(x_train), 128):
                index = permutation[start:start + 128]
                optimizer.zero_grad(set_to_none=True)
                loss_fn(model(x_train[index]), y_train[index]).backward()
                optimizer.step()
                examples += len(index)
            train_seconds += time.perf_counter() - began
            model.eval()
            with torch.no_grad():
                logits = model(x_val)
                accuracy = (logits.argmax(1) == y_val).float().mean().item()
                val_loss = loss_fn(logits, y_val).item()
            curve.append(round(accuracy, 4))
        print(json.dumps({
            'framework': 'torch', 'version': torch.__version__, 'threads': args.threads, 'seed': seed,
            'depth': args.depth, 'width': args.width, 'activation': args.activation, 'epochs': args.epochs,
            'trainExamples': len(x_train), 'validationExamples': len(x_val),
            'validationAccuracy': accuracy, 'validationLoss': val_loss, 'curve': curve,
            'examplesPerSecond': round(examples / train_seconds), 'trainSeconds': round(train_seconds, 1),
        }), flush=True)


if __name__ == '__main__':
    main()
