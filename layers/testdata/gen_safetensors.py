#!/usr/bin/env python3
"""Reference safetensors files for layers/safetensors_test.go.

    python3 gen_safetensors.py            # writes reference.safetensors here
    python3 gen_safetensors.py check F    # loads F, prints {name: [shape, values]} as JSON

The tensors are made with PyTorch. When Python's safetensors package is
installed the file is written by safetensors.torch.save_file; otherwise by
write_spec below, a transcription of the format's specification and of the
Python library's layout (tensors sorted by decreasing dtype alignment, then
by name; compact JSON with "__metadata__" first; header padded with spaces
to a multiple of 8 bytes). The Go test checks that WriteSafetensors gives
the same bytes and that ReadSafetensors gives the same values.
"""
import json
import os
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def ramp(*shape):
    """(arange(n) - n/2) / 4 as float32, exact in any language."""
    n = 1
    for d in shape:
        n *= d
    return ((torch.arange(n, dtype=torch.float32) - n // 2) / 4).reshape(shape)


def reference():
    """The tensors and metadata of reference.safetensors. A Linear(3, 2), a
    Conv2d(2, 1, 2), Adam-like state with a scalar step and a zero-size
    tensor; the metadata has escapes and non-ASCII text."""
    tensors = {
        "0.weight": ramp(2, 3),
        "0.bias": ramp(2),
        "1.weight": ramp(1, 2, 2, 2),
        "1.bias": ramp(1),
        "optimizer.0.weight.exp_avg": ramp(2, 3) * -1,
        "optimizer.step": torch.tensor(3.0),
        "optimizer.empty": torch.zeros(0, 3),
    }
    metadata = {"config": '{"model": "rrae", "latent": 8, "note": "\u03bb=0.5\\t"}'}
    return tensors, metadata


DTYPES = {torch.float32: ("F32", 4), torch.float64: ("F64", 8)}


def write_spec(tensors, metadata, path):
    items = sorted(tensors.items(), key=lambda kv: (-DTYPES[kv[1].dtype][1], kv[0]))
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset, blobs = 0, []
    for name, t in items:
        blob = t.contiguous().numpy().tobytes() if t.numel() else b""
        header[name] = {
            "dtype": DTYPES[t.dtype][0],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(blob)],
        }
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_spec(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    header.pop("__metadata__", None)
    data = raw[8 + n :]
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        dtype = {"F32": torch.float32, "F64": torch.float64}[info["dtype"]]
        buf = bytearray(data[b:e])
        t = torch.frombuffer(buf, dtype=dtype) if buf else torch.zeros(0, dtype=dtype)
        out[name] = t.reshape(info["shape"])
    return out


def main():
    try:
        import safetensors.torch as st
    except ImportError:
        st = None
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        tensors = st.load_file(sys.argv[2]) if st else read_spec(sys.argv[2])
        out = {k: [list(v.shape), v.flatten().tolist()] for k, v in tensors.items()}
        print(json.dumps(out, sort_keys=True))
        return
    tensors, metadata = reference()
    path = os.path.join(HERE, "reference.safetensors")
    if st:
        st.save_file(tensors, path, metadata=metadata)
    else:
        write_spec(tensors, metadata, path)
    print("wrote", path, "with", "safetensors" if st else "the spec writer")


if __name__ == "__main__":
    main()
