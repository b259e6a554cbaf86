#!/usr/bin/env python3
"""Compares two runs of the same `vktrain train --log L --json` on two machines: the per-epoch
losses of L.jsonl and the final metrics of the --json line. Usage: compare_curves.py A B, where
A.jsonl and A.json are one run and B.jsonl and B.json the other. Exits 1 on a difference.

Tolerance, and why: both runs execute the same SPIR-V and the same host code (built with
-ffp-contract=off), but on other CPUs lavapipe JIT-compiles the kernels for other vector widths
(8 lanes on x86-64 AVX2, 4 on aarch64 NEON), so the kernel plan can differ (subgroup-8 kernels
are for 8 lanes) and sums are taken in another order. Each step then differs in the last bits
(about 1e-7 relative), and training carries that forward; over this script's 155 steps it
stays far below 1e-4 relative. An accuracy may differ by an image whose two top logits tie
within that noise. Measured on 2026-12-07 (x86-64 AVX2 host against qemu aarch64): every
figure identical to 9 digits, so the tolerance is headroom for hosts of other vector widths.
"""
import json
import sys

LOSS_RTOL = 1e-4
ACC_ATOL = 2e-3  # two images in 1,000; 20 in the 10,000 test images


def load(prefix):
    with open(prefix + ".jsonl") as f:
        epochs = [json.loads(line) for line in f if line.strip()]
    with open(prefix + ".json") as f:
        final = json.load(f)
    return epochs, final


def main():
    a_name, b_name = sys.argv[1], sys.argv[2]
    a_epochs, a_final = load(a_name)
    b_epochs, b_final = load(b_name)
    failures = []
    if len(a_epochs) != len(b_epochs):
        failures.append(f"{len(a_epochs)} epochs against {len(b_epochs)}")
    worst = 0.0

    def close(what, x, y, acc):
        nonlocal worst
        if acc:
            ok = abs(x - y) <= ACC_ATOL
        else:
            rel = abs(x - y) / max(abs(x), 1e-12)
            worst = max(worst, rel)
            ok = rel <= LOSS_RTOL
        print(f"  {what:<18} {x:.9g}  {y:.9g}  {'ok' if ok else 'DIFFERS'}")
        if not ok:
            failures.append(what)

    for ea, eb in zip(a_epochs, b_epochs):
        for key in ("loss", "val_loss"):
            close(f"epoch {ea['epoch']} {key}", ea[key], eb[key], False)
        for key in ("train_acc", "val_acc"):
            close(f"epoch {ea['epoch']} {key}", ea[key], eb[key], True)
    for key in ("test_loss", "val_loss"):
        close(key, a_final[key], b_final[key], False)
    close("test_acc", a_final["test_acc"], b_final["test_acc"], True)
    if a_final.get("status") != "ok" or b_final.get("status") != "ok":
        failures.append("a run did not end ok")
    print(f"largest relative loss difference: {worst:.3g} (tolerance {LOSS_RTOL:g})")
    if failures:
        print("compare_curves: the runs differ: " + ", ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
