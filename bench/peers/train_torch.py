#!/usr/bin/env python3
"""Training (and, with --inference, evaluation) throughput peer for MixQ: the same architectures, optimizer and
batch size in PyTorch on CPU.

Measures samples/s of full training steps (forward, softmax cross-entropy, backward, SGD momentum step) on
synthetic data of the model's input shape, after warm-up, with a fixed thread count. Prints one JSON line per
model. Benchmark peer only: MixQ itself never depends on Python.
"""
import argparse, json, time
import torch
import torch.nn as nn


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                         nn.Linear(128, 10))


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def cifarnet():
    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
    return nn.Sequential(*block(3, 32), *block(32, 32), nn.MaxPool2d(2), *block(32, 64), *block(64, 64),
                         nn.MaxPool2d(2), *block(64, 128), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(2048, 10))


MODELS = {"mlp": (mlp, (1, 28, 28)), "lenet5": (lenet5, (1, 28, 28)), "cifarnet": (cifarnet, (3, 32, 32))}


def measure(name, batch, steps, warmup, seed):
    build, shape = MODELS[name]
    torch.manual_seed(seed)
    model = build()
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(batch, *shape)
    y = torch.randint(0, 10, (batch,))
    for i in range(warmup + steps):
        if i == warmup:
            start = time.perf_counter()
            cpu_start = time.process_time()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    return {"engine": "pytorch", "version": torch.__version__, "model": name, "batch": batch,
            "threads": torch.get_num_threads(), "steps": steps, "samples_per_second": steps * batch / seconds,
            "samples_per_cpu_second": steps * batch / cpu_seconds}


def measure_inference(name, batch, steps, warmup, seed):
    """Evaluation as MixQ's Evaluator runs it: eval mode, no autograd, loss and hits of every batch."""
    build, shape = MODELS[name]
    torch.manual_seed(seed)
    model = build()
    model.eval()
    loss_fn = nn.CrossEntropyLoss()

    def data(batches):  # made before the clock starts, as MixQ's data set is
        return torch.rand(batches * batch, *shape) * 2 - 1, torch.randint(0, 10, (batches * batch,))

    def evaluate(batches, x, y):
        loss_sum, correct = 0.0, 0
        with torch.no_grad():
            for i in range(batches):
                xb, yb = x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch]
                logits = model(xb)
                loss_sum += loss_fn(logits, yb).item() * batch
                correct += int((logits.argmax(1) == yb).sum())
        return loss_sum, correct

    evaluate(warmup, *data(warmup))
    x, y = data(steps)
    start, cpu_start = time.perf_counter(), time.process_time()
    evaluate(steps, x, y)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    return {"engine": "pytorch", "mode": "inference", "version": torch.__version__, "model": name, "batch": batch,
            "threads": torch.get_num_threads(), "steps": steps, "samples_per_second": steps * batch / seconds,
            "samples_per_cpu_second": steps * batch / cpu_seconds}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", default="mlp,lenet5,cifarnet")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=0, help="0 = a model-dependent default")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--inference", action="store_true", help="measure evaluation instead of training")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    run = measure_inference if a.inference else measure
    for name in a.models.split(","):
        steps = a.steps or {"mlp": 400, "lenet5": 150, "cifarnet": 30}[name]
        print(json.dumps(run(name, a.batch, steps, max(3, steps // 10), a.seed)), flush=True)


if __name__ == "__main__":
    main()
