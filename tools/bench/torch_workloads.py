"""The benchmark's workloads in PyTorch (CPU), for side-by-side ratios. Prints one JSON list.

Run by tools/bench/run.ts with Debian's python3-torch when it is installed. Same models, batch sizes
and time caps as tools/bench/workloads.ts; one thread by default, like the wasm backend.
"""
import argparse, json, struct, sys, time
import numpy as np
import torch
from torch import nn


def mnist(path_images, path_labels, count):
    with open(path_images, "rb") as f:
        _, n, rows, cols = struct.unpack(">IIII", f.read(16))
        images = np.frombuffer(f.read(), dtype=np.uint8).reshape(n, rows * cols)[:count]
    with open(path_labels, "rb") as f:
        f.read(8)
        labels = np.frombuffer(f.read(), dtype=np.uint8)[:count]
    return torch.tensor(images, dtype=torch.float32) / 255, torch.tensor(labels, dtype=torch.int64)


def train(name, model, optimizer, loss_fn, x, y, batch, max_seconds):
    def step(start):
        xb, yb = x[start:start + batch], y[start:start + batch]
        optimizer.zero_grad()
        loss_fn(model(xb), yb).backward()
        optimizer.step()
        return len(xb)
    step(0)
    started, cpu_started, samples = time.perf_counter(), time.process_time(), 0
    for start in range(0, len(x), batch):
        samples += step(start)
        if time.perf_counter() - started > max_seconds:
            break
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {"workload": name, "unit": "samples/s", "throughput": samples / seconds, "samples": samples, "seconds": seconds,
            "cpuSeconds": cpu_seconds}


def operator(name, flops, op, max_seconds):
    op()
    started, cpu_started, runs = time.perf_counter(), time.process_time(), 0
    while time.perf_counter() - started < min(2, max_seconds) or runs < 2:
        op()
        runs += 1
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {"workload": name, "unit": "GFLOP/s", "throughput": runs * flops / seconds / 1e9, "samples": runs, "seconds": seconds,
            "cpuSeconds": cpu_seconds}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--images", required=True)
    p.add_argument("--labels", required=True)
    p.add_argument("--max-seconds", type=float, default=20)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x, y = mnist(a.images, a.labels, 60000)
    ce, mse = nn.CrossEntropyLoss(), nn.MSELoss()
    results = []

    mlp = nn.Sequential(nn.Linear(784, 250), nn.ReLU(), nn.Linear(250, 200), nn.ReLU(), nn.Linear(200, 10))
    results.append(train("mlp 784-250-200-10, Adam, batch 64", mlp, torch.optim.Adam(mlp.parameters(), 1e-2), ce, x, y, 64, a.max_seconds))

    sig = nn.Sequential(nn.Linear(784, 200), nn.Sigmoid(), nn.Linear(200, 10), nn.Sigmoid())
    onehot = nn.functional.one_hot(y[:10000], 10).float()
    results.append(train("sigmoid 784-200-10, SGD, one sample a step", sig, torch.optim.SGD(sig.parameters(), 0.01), mse, x[:10000], onehot, 1, a.max_seconds))

    lenet = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        nn.Flatten(), nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
    results.append(train("LeNet (sigmoid, avg pool), SGD, batch 256", lenet, torch.optim.SGD(lenet.parameters(), 0.9), ce, x.reshape(-1, 1, 28, 28), y, 256, a.max_seconds))

    ma, mb = torch.rand(1024, 1024), torch.rand(1024, 1024)
    results.append(operator("matmul 1024×1024 · 1024×1024", 2 * 1024 ** 3, lambda: ma @ mb, a.max_seconds))
    cx, cw = torch.rand(64, 16, 28, 28), torch.rand(32, 16, 3, 3)
    results.append(operator("conv2d 64×28×28×16 ⊛ 3×3×16×32", 2 * 64 * 28 * 28 * 32 * 3 * 3 * 16,
                            lambda: nn.functional.conv2d(cx, cw, padding=1), a.max_seconds))
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
