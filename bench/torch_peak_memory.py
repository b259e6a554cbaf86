"""PyTorch's peak memory for the seed models' training step on CPU, to set beside vktrain's
device memory (bench/memory_vs_pytorch.sh runs it).

    /usr/bin/python3 bench/torch_peak_memory.py MODEL BATCH [STEPS]

MODEL is mlp or cnn (the same networks as ../shared/bench/torch_cpu_anchor.py), trained with
Adam on Fashion-MNIST held in memory as float32 tensors, as the anchor holds it. Prints one
JSON line:
  data_bytes   the float32 tensors of the training and test images and their labels
  step_bytes   the peak resident set size (VmHWM) while building the model and optimizer,
               training STEPS steps (default 50) and evaluating the test set in
               batches of 500 (vktrain's evaluation batch), minus the resident size
               just before: what training adds on top of the loaded data. The peak is reset first (writing 5 to /proc/self/clear_refs,
               Linux 4.0+), so loading the data does not count. This is the RSS delta, not
               tracemalloc: tracemalloc sees only Python's allocator, not the tensors'.
"""
import gc, gzip, json, sys
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

D = "/usr/share/datasets/fashion-mnist"
model_name, batch = sys.argv[1], int(sys.argv[2])
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 50
torch.set_num_threads(int(__import__("os").cpu_count()))


def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field + " not in /proc/self/status")


def idx(path):
    with gzip.open(path) as f:
        b = f.read()
    nd = b[3]
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(b, np.uint8, offset=4 + 4 * nd).reshape(dims)


xtr = torch.tensor(idx(f"{D}/train-images-idx3-ubyte.gz"), dtype=torch.float32).div_(255).unsqueeze(1)
ytr = torch.tensor(idx(f"{D}/train-labels-idx1-ubyte.gz"), dtype=torch.int64)
xte = torch.tensor(idx(f"{D}/t10k-images-idx3-ubyte.gz"), dtype=torch.float32).div_(255).unsqueeze(1)
yte = torch.tensor(idx(f"{D}/t10k-labels-idx1-ubyte.gz"), dtype=torch.int64)
data_bytes = sum(t.numel() * t.element_size() for t in (xtr, ytr, xte, yte))


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(64, 64, 3), nn.ReLU(), nn.Flatten(), nn.Linear(576, 64), nn.ReLU(), nn.Linear(64, 10))


gc.collect()
before = status_kib("VmRSS")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
torch.manual_seed(0)
model = {"mlp": mlp, "cnn": cnn}[model_name]()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
perm = torch.randperm(xtr.shape[0])
for s in range(steps):
    j = perm[s * batch:(s + 1) * batch]
    opt.zero_grad(set_to_none=True)
    F.cross_entropy(model(xtr[j]), ytr[j]).backward()
    opt.step()
model.eval()
with torch.no_grad():
    for i in range(0, xte.shape[0], 500):
        model(xte[i:i + 500]).argmax(1)
peak = status_kib("VmHWM")
print(json.dumps({"model": model_name, "batch": batch, "steps": steps, "torch": torch.__version__,
                  "threads": torch.get_num_threads(), "data_bytes": data_bytes, "step_bytes": (peak - before) * 1024}))
