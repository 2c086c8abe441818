#!/usr/bin/python3
"""PyTorch side of the ViT accuracy anchor (bench/vitAnchor.ts does the same with hypotest's tfjs code).

The model, optimiser and batch size are those of shared/anchors/torch_bench.py (TinyVit, copied verbatim below;
AdamW lr 1e-3, weight decay 0, batch 128, raw pixels / 255). Trains for --epochs on the first --train-examples
Fashion-MNIST training images in an order reshuffled every epoch (torch.randperm, seeded), keeping the last,
smaller batch, and reports the accuracy on training images 50,000 to 59,999 (validation only; the test files are
never read). Examples per second count training steps only (forward, backward, optimiser).

Needs Debian's python3-torch and dataset-fashion-mnist; run with /usr/bin/python3:

  flock /tmp/hypotest-heavy.lock /usr/bin/python3 bench/vit_anchor_torch.py --seeds 0,1,2 --threads 1
"""
import argparse, gzip, json, os, time

import torch
import torch.nn as nn


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


def load(folder):
    with gzip.open(os.path.join(folder, 'train-images-idx3-ubyte.gz')) as f:
        x = torch.frombuffer(bytearray(f.read()[16:]), dtype=torch.uint8).reshape(-1, 784).float() / 255
    with gzip.open(os.path.join(folder, 'train-labels-idx1-ubyte.gz')) as f:
        y = torch.frombuffer(bytearray(f.read()[8:]), dtype=torch.uint8).long()
    return x, y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--seeds', default='0')
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--train-examples', type=int, default=50000)
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    x, y = load(os.environ.get('FASHION_MNIST_DIR', '/usr/share/datasets/fashion-mnist'))
    x_train, y_train, x_val, y_val = x[:args.train_examples], y[:args.train_examples], x[50000:60000], y[50000:60000]
    for seed in [int(s) for s in args.seeds.split(',')]:
        torch.manual_seed(seed)
        model = TinyVit()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
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
                logits = torch.cat([model(x_val[i:i + 1000]) for i in range(0, len(x_val), 1000)])
                accuracy = (logits.argmax(1) == y_val).float().mean().item()
                val_loss = loss_fn(logits, y_val).item()
            curve.append(round(accuracy, 4))
            print(f'torch vit seed {seed} epoch {epoch + 1}/{args.epochs}: validation accuracy {accuracy:.4f}', file=__import__('sys').stderr, flush=True)
        print(json.dumps({
            'framework': 'torch', 'version': torch.__version__, 'threads': args.threads, 'model': 'vit', 'seed': seed,
            'epochs': args.epochs, 'trainExamples': len(x_train), 'validationExamples': len(x_val),
            'validationAccuracy': accuracy, 'validationLoss': val_loss, 'curve': curve,
            'examplesPerSecond': round(examples / train_seconds), 'trainSeconds': round(train_seconds, 1),
        }), flush=True)


if __name__ == '__main__':
    main()
