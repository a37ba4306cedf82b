"""Specs of ``keras.layers`` core layers: Dense, EinsumDense, Embedding, Identity, Masking.

Weights (kernel, bias, embeddings) are drawn by the engine and injected by
variable path; Dense's strategies and reference are in conformance/families/layers.py,
the others' in conformance/families/layers_core.py.
"""

from __future__ import annotations

from conformance.families import layers as family
from conformance.families import layers_core as core
from conformance.objects import LayerSpec

# Signed zeros are not compared: a zero output is a sum or difference that cancelled, whose
# sign depends on the order of summation (BLAS vs einsum, x*inv - mean*inv vs (x - mean)*inv).
SPECS = [
    LayerSpec("layers.Dense", family.dense_config, family.dense_inputs, family.dense_weights,
              family.dense_reference, conditioning=family.dense_conditioning, signed_zeros=False),
    LayerSpec("layers.EinsumDense", core.einsum_config, core.einsum_inputs, core.einsum_weights,
              core.einsum_reference, conditioning=core.einsum_conditioning, signed_zeros=False,
              checks_=core.WITH_SYMBOLIC),
    # integer indices: the gradient is the embeddings' alone; masking compares compute_mask
    LayerSpec("layers.Embedding", core.embedding_config, core.embedding_inputs, core.embedding_weights,
              core.embedding_reference, masking=True, checks_=core.WITH_SYMBOLIC),
    LayerSpec("layers.Identity", core.no_config, core.any_rank(1, 4), core.no_weights,
              core.identity_reference),
    LayerSpec("layers.Masking", core.masking_config, core.masking_inputs, core.no_weights,
              core.masking_reference, masking=True),
]

EXCLUSIONS = {
    "layers.Lambda": "wraps a Python function: a config carries no numbers to specify, and a "
                     "serialized lambda is Python bytecode (not JSON-able across interpreters)",
    "layers.InputLayer": "machinery of functional models (a placeholder with no computation); "
                         "every object spec builds through it",
}
