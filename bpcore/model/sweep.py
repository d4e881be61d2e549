"""SSR as one parameter varies: the pink curve."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from bpcore.model.activations import Array
from bpcore.model.chain import fit
from bpcore.model.network import Network, readonly


@dataclass(frozen=True, slots=True)
class Sweep:
    """SSR at ``values`` of ``param`` (the curve) and at ``probe_values`` (the points)."""

    param: str
    values: Array
    ssr: Array
    probe_values: Array
    probe_ssr: Array


def sweep(
    network: Network,
    x: ArrayLike,
    y: ArrayLike,
    param: str,
    values: ArrayLike,
    probes: Sequence[float] = (),
) -> Sweep:
    """Evaluate SSR with ``param`` set to each of ``values`` and ``probes``, the rest fixed.

    Examples
    --------
    >>> net = Network.from_params("softplus", {"w1": 3.34, "b1": -1.43, "w2": -3.53,
    ...     "b2": 0.57, "w3": -1.22, "w4": -2.30, "b3": 0.0})
    >>> s = sweep(net, [0, 0.5, 1], [0, 1, 0], "b3", np.linspace(0, 3, 31), probes=[0, 1, 2, 3])
    >>> s.probe_ssr.round(2).tolist()
    [20.42, 7.77, 1.11, 0.46]
    """

    def ssr_at(v: float) -> float:
        return fit(network.replace(**{param: v}), x, y).ssr

    values = np.asarray(values, dtype=float)
    probes = np.asarray(probes, dtype=float)
    return Sweep(
        param,
        readonly(values),
        readonly([ssr_at(v) for v in values]),
        readonly(probes),
        readonly([ssr_at(v) for v in probes]),
    )
