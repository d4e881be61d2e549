"""The network's math, numpy only: activations, the network and its forward pass, the chain
rule, gradient descent and the parameter sweep. Imports nothing of bpcore above it
(tests/bpcore/test_layers.py)."""
