"""Converts the FID tool's Inception-v3 weights (pytorch-fid's pt_inception-2015-12-05-6726825d.pth, a PyTorch state
dict) to a safetensors file for `vrfm fid-stats --inception FILE` and `vrfm eval-image --fid inception --inception FILE`.

    python3 tools/convert_fid_inception.py pt_inception-2015-12-05-6726825d.pth fid_inception.safetensors

Needs only PyTorch (the `safetensors` and `numpy` packages are not used). BatchNorm's integer num_batches_tracked
counters are dropped; every other tensor is written as float32 under its state-dict name. The names and shapes are
checked against src/test/resources/fixtures/inception/fid_inception_tensors.json (the network vrfm4j builds), so a
wrong file fails here with the first differences listed. The weights themselves are not distributed with vrfm4j.
"""
import argparse
import array
import json
import os
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = os.path.join(HERE, "..", "src", "test", "resources", "fixtures", "inception", "fid_inception_tensors.json")


def f32_bytes(t):
    a = array.array("f", t.detach().to(torch.float32).contiguous().reshape(-1).tolist())
    if sys.byteorder != "little":
        a.byteswap()
    return a.tobytes()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pth", help="pytorch-fid's pt_inception-2015-12-05-6726825d.pth (or any state dict of that network)")
    ap.add_argument("out", help="output .safetensors")
    ap.add_argument("--names", default=NAMES, help="expected names and shapes (JSON list); 'none' skips the check")
    args = ap.parse_args()

    state = torch.load(args.pth, map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    tensors = {k: v for k, v in state.items() if torch.is_tensor(v) and not k.endswith("num_batches_tracked")}

    if args.names != "none":
        with open(args.names) as f:
            want = {e["name"]: e["shape"] for e in json.load(f)}
        problems = [f"missing {k} {s}" for k, s in want.items() if k not in tensors]
        problems += [f"unexpected {k} {list(v.shape)}" for k, v in tensors.items() if k not in want]
        problems += [f"shape of {k}: {list(tensors[k].shape)} vs {s}" for k, s in want.items()
                     if k in tensors and list(tensors[k].shape) != s]
        if problems:
            sys.exit(f"{args.pth} is not the FID Inception-v3 state dict ({len(problems)} problems): "
                     + "; ".join(problems[:10]))

    header, offset = {"__metadata__": {"source": os.path.basename(args.pth)}}, 0
    for k, v in tensors.items():
        n = 4 * v.numel()
        header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [offset, offset + n]}
        offset += n
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = args.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for v in tensors.values():
            f.write(f32_bytes(v))
    os.replace(tmp, args.out)
    print(f"wrote {len(tensors)} tensors ({offset / 1e6:.1f} MB) to {args.out}")


if __name__ == "__main__":
    main()
