#!/usr/bin/env python3
"""Reference vectors for the core layers, losses and optimizers (core_test.go).

    cd layers/testdata && /usr/bin/python3 gen_core.py     # writes core.json here

Generated once with Debian's python3-torch (the version is recorded in the
file). Every tensor is float32, stored as {"shape": [...], "data": [...]}; a
float32 printed by Python's repr of the float64 it widens to is read back
exactly. Cases:

  linear, linear_nobias   x, weight, bias, dy -> y, dx, dweight, dbias
  act_<name>              x, dy -> y, dx     (relu, leaky_relu_0.01/0.2,
                          sigmoid, tanh, softplus, softplus_b2_t5)
  loss_<name>             pred, target -> loss, grad   (mse, bce_logits, bce,
                          relerr (per-sample mean), relerr_batch)
  opt_<name>              params p0, p1 and the gradients of 4 steps ->
                          the parameters after each step and the final state
                          (adam, adam_wd, adamw, sgd, sgd_momentum,
                          sgd_nesterov_wd)
"""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(20240601)


def enc(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def randn(*shape, scale=1.0):
    return torch.randn(*shape, dtype=torch.float32) * scale


cases = {"torch_version": torch.__version__}


def linear_case(bias):
    B, nin, nout = 4, 5, 3
    lin = torch.nn.Linear(nin, nout, bias=bias)
    x = randn(B, nin).requires_grad_()
    y = lin(x)
    dy = randn(B, nout)
    y.backward(dy)
    c = {"x": enc(x), "weight": enc(lin.weight), "dy": enc(dy), "y": enc(y),
         "dx": enc(x.grad), "dweight": enc(lin.weight.grad)}
    if bias:
        c["bias"] = enc(lin.bias)
        c["dbias"] = enc(lin.bias.grad)
    return c


cases["linear"] = linear_case(True)
cases["linear_nobias"] = linear_case(False)

# Activations: ordinary values plus the ends where naive formulas break.
xa = torch.cat([randn(40, scale=3.0),
                torch.tensor([0.0, -0.0, 1e-8, -1e-8, 15.0, -15.0, 19.9, 20.1, 30.0, -30.0,
                              88.0, -88.0, 100.0, -100.0, 3.0, 2.4, 2.6, -104.0],
                             dtype=torch.float32)])
acts = {
    "relu": torch.nn.ReLU(),
    "leaky_relu_0.01": torch.nn.LeakyReLU(0.01),
    "leaky_relu_0.2": torch.nn.LeakyReLU(0.2),
    "sigmoid": torch.nn.Sigmoid(),
    "tanh": torch.nn.Tanh(),
    "softplus": torch.nn.Softplus(),
    "softplus_b2_t5": torch.nn.Softplus(beta=2, threshold=5),
}
for name, f in acts.items():
    x = xa.clone().requires_grad_()
    y = f(x)
    dy = randn(*x.shape)
    y.backward(dy)
    cases["act_" + name] = {"x": enc(x), "dy": enc(dy), "y": enc(y), "dx": enc(x.grad)}


def loss_case(fn, pred, target):
    pred = pred.clone().requires_grad_()
    loss = fn(pred, target)
    loss.backward()
    return {"pred": enc(pred), "target": enc(target), "loss": float(loss), "grad": enc(pred.grad)}


def relerr(pred, target):
    d = (pred - target).reshape(pred.shape[0], -1)
    x = target.reshape(target.shape[0], -1)
    return (100 * d.norm(dim=1) / x.norm(dim=1)).mean()


def relerr_batch(pred, target):
    return 100 * (pred - target).norm() / target.norm()


shape = (4, 2, 3, 3)
cases["loss_mse"] = loss_case(torch.nn.MSELoss(), randn(*shape), randn(*shape))
logits = torch.cat([randn(60, scale=4.0), torch.tensor([50.0, -50.0, 120.0, -120.0])]).reshape(4, 16)
cases["loss_bce_logits"] = loss_case(torch.nn.BCEWithLogitsLoss(), logits, torch.rand(4, 16))
probs = torch.rand(4, 16) * 0.98 + 0.01
cases["loss_bce"] = loss_case(torch.nn.BCELoss(), probs, torch.rand(4, 16))
t = randn(*shape)
cases["loss_relerr"] = loss_case(relerr, t + randn(*shape, scale=0.3), t)
cases["loss_relerr_batch"] = loss_case(relerr_batch, t + randn(*shape, scale=0.3), t)


def opt_case(make, steps=4):
    p0 = randn(3, 4).requires_grad_()
    p1 = randn(4).requires_grad_()
    init = [enc(p0), enc(p1)]
    opt = make([p0, p1])
    grads, after = [], []
    for _ in range(steps):
        g0, g1 = randn(3, 4), randn(4, scale=0.01)
        p0.grad, p1.grad = g0.clone(), g1.clone()
        opt.step()
        grads.append([enc(g0), enc(g1)])
        after.append([enc(p0), enc(p1)])
    state = {}
    for i, p in enumerate([p0, p1]):
        for k, v in opt.state[p].items():
            if torch.is_tensor(v) and v.numel() > 1:
                state["p%d.%s" % (i, k)] = enc(v)
    return {"init": init, "grads": grads, "after": after, "state": state}


O = torch.optim
cases["opt_adam"] = opt_case(lambda ps: O.Adam(ps, lr=1e-2))
cases["opt_adam_wd"] = opt_case(lambda ps: O.Adam(ps, lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1))
cases["opt_adamw"] = opt_case(lambda ps: O.AdamW(ps, lr=1e-2, weight_decay=0.05))
cases["opt_sgd"] = opt_case(lambda ps: O.SGD(ps, lr=0.1))
cases["opt_sgd_momentum"] = opt_case(lambda ps: O.SGD(ps, lr=0.1, momentum=0.9))
cases["opt_sgd_nesterov_wd"] = opt_case(lambda ps: O.SGD(ps, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01))

with open(os.path.join(HERE, "core.json"), "w") as f:
    json.dump(cases, f, separators=(",", ":"))
    f.write("\n")
