"""Reference vectors for layers/conv_torch_test.go: PyTorch's Conv2d and
ConvTranspose2d on small cases (stride 1 and 2, padding 0 and 1, output padding,
odd sizes, non-square kernels and strides, several channels, batch 2).

Run once, from the repository root, with Debian's python3-torch:

    /usr/bin/python3 layers/testdata/gen_conv.py

It writes layers/testdata/conv_torch.json: for each case the layer's settings,
its parameters, an input x, an upstream gradient dy, and PyTorch's output y and
gradients dx, dweight, dbias (of the loss sum(y * dy)). Values are float32,
written exactly (as the float64 of the float32).
"""
import json
import os

import torch

torch.manual_seed(20240607)

# (kind, in, out, kernel, stride, padding, output_padding, input H×W)
CASES = [
    ("conv", 3, 4, (3, 3), (2, 2), (1, 1), (0, 0), (7, 9)),
    ("conv", 2, 3, (2, 3), (1, 1), (0, 0), (0, 0), (5, 6)),
    ("conv", 2, 2, (3, 2), (2, 1), (0, 1), (0, 0), (6, 5)),
    ("conv", 3, 2, (4, 4), (2, 2), (1, 1), (0, 0), (9, 8)),
    ("conv", 2, 3, (5, 5), (1, 1), (2, 2), (0, 0), (5, 7)),
    ("convT", 3, 2, (3, 3), (2, 2), (1, 1), (1, 1), (4, 5)),
    ("convT", 2, 3, (2, 3), (1, 1), (0, 0), (0, 0), (3, 4)),
    ("convT", 4, 3, (4, 4), (2, 2), (1, 1), (0, 0), (3, 3)),
    ("convT", 2, 2, (3, 4), (2, 3), (1, 0), (1, 2), (3, 5)),
    ("convT", 3, 2, (3, 3), (2, 2), (0, 0), (1, 1), (5, 3)),
    # One output channel at stride 1: the direct path (layers/conv_direct.go), Conv2D's ...
    ("conv", 3, 1, (5, 5), (1, 1), (0, 0), (0, 0), (9, 8)),
    ("conv", 2, 1, (3, 2), (1, 1), (2, 1), (0, 0), (5, 6)),
    # ... and ConvTranspose2D's: padding below, at and past the kernel's reach.
    ("convT", 3, 1, (3, 3), (1, 1), (1, 1), (0, 0), (6, 5)),
    ("convT", 2, 1, (2, 4), (1, 1), (0, 2), (0, 0), (4, 7)),
    ("convT", 2, 1, (3, 3), (1, 1), (2, 2), (0, 0), (7, 6)),
]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def main():
    out = []
    for kind, cin, cout, k, s, p, op, (h, w) in CASES:
        if kind == "conv":
            layer = torch.nn.Conv2d(cin, cout, k, s, p)
        else:
            layer = torch.nn.ConvTranspose2d(cin, cout, k, s, p, output_padding=op)
        x = torch.randn(2, cin, h, w, requires_grad=True)
        y = layer(x)
        dy = torch.randn_like(y)
        (y * dy).sum().backward()
        out.append({
            "kind": kind, "in": cin, "out": cout, "kernel": list(k), "stride": list(s),
            "padding": list(p), "output_padding": list(op),
            "x_shape": list(x.shape), "y_shape": list(y.shape),
            "weight": flat(layer.weight), "bias": flat(layer.bias),
            "x": flat(x), "dy": flat(dy), "y": flat(y),
            "dx": flat(x.grad), "dweight": flat(layer.weight.grad), "dbias": flat(layer.bias.grad),
        })
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv_torch.json")
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": out}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
