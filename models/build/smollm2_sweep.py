"""The split sweep behind moee-smollm2's choice of 1,024 shared neurons + 16 experts, top-8 (model card).

Oracle top-k FFN reconstruction error on held-out tokens for several (shared, experts, top-k) splits,
at layers 0, 10, 20 and 29, on the activations `smollm2_moefy.py collect` cached.
"""
import sys, time, numpy as np, torch
sys.path.insert(0, '.')
torch.set_num_threads(2)
from smollm2_moefy import WORK, balanced_kmeans, expert_outputs, load_dense, neuron_activations, oracle_selection, reconstruction_error
dense, _ = load_dense()
train = np.load(WORK / "ffn_inputs_train.npy", mmap_mode="r"); heldout = np.load(WORK / "ffn_inputs_heldout.npy", mmap_mode="r")
for layer in [0, 10, 20, 29]:
    mlp = dense.model.layers[layer].mlp
    wg, wu, wd = mlp.gate_proj.weight.data, mlp.up_proj.weight.data, mlp.down_proj.weight.data
    xt = torch.from_numpy(np.asarray(train[layer, :12288], dtype=np.float32)); xe = torch.from_numpy(np.asarray(heldout[layer, :4096], dtype=np.float32))
    at = neuron_activations(xt, wg, wu); imp = at.abs() * wd.norm(dim=0)
    ae = neuron_activations(xe, wg, wu); full = ae @ wd.T
    order = torch.argsort(imp.mean(0), descending=True)
    for S, E, k in [(512,16,4),(512,16,8),(768,16,4),(768,16,8),(1024,16,8),(0,16,8),(0,32,16)]:
        shared = order[:S]; routed = order[S:].sort().values
        groups = balanced_kmeans(imp[:8192, routed].T, E, 0, iters=10)
        experts = [[int(routed[i]) for i in g] for g in groups]
        pe = expert_outputs(ae, wd, experts)
        sh = ae[:, shared] @ wd[:, shared].T if S else torch.zeros_like(full)
        sel = oracle_selection(pe, k)
        err = reconstruction_error(full, sh, pe, sel, torch.ones_like(sel, dtype=torch.float32))
        active = (S + (1536 - S) * k / E) / 1536
        print(f"layer {layer} S={S} E={E} k={k} active={active:.2f} oracle_err={err:.3f}", flush=True)
