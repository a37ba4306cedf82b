"""Specs of ``keras.ops.nn`` convolutions, adaptive pooling and layout ops (part of the ops.nn namespace).

conv_transpose, depthwise_conv, separable_conv (strides or dilation, both
paddings, both layouts, from ``strategies.conv_args``), adaptive average and
max pooling (1-D to 3-D), depth_to_space / space_to_depth, unfold / fold
(PyTorch's im2col / col2im, channels-first by definition).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from conformance.families import nn_conv
from conformance.oracle import as_tuple
from conformance.spec import OpSpec
from conformance.strategies import FLOAT_DTYPES, INT_DTYPES
from conformance.tolerance import products_of

LAST, FIRST = ("channels_last",), ("channels_first",)
DEPTHWISE_SCALE = products_of(nn_conv.depthwise_conv, nn_conv.depthwise_terms)
SEPARABLE_SCALE = products_of(nn_conv.separable_conv, nn_conv.depthwise_terms)
TRANSPOSE_SCALE = products_of(nn_conv.conv_transpose, nn_conv.conv_transpose_terms)
FOLD_SCALE = products_of(nn_conv.fold, nn_conv.fold_terms)


def _adaptive_terms(inputs: np.ndarray, output_size: Any, data_format: str | None = None, **_: Any) -> int:
    spatial = inputs.shape[2:] if data_format == "channels_first" else inputs.shape[1:-1]
    size = as_tuple(output_size, len(spatial))
    return int(np.prod([-(-n // m) + 1 for n, m in zip(spatial, size)]))


ADAPTIVE_SCALE = products_of(nn_conv.adaptive_average_pool, _adaptive_terms)
CONV_NOTES = ("1-D and 2-D; strides or dilation_rate above 1, never both; both paddings. Special "
              "values in the input only")


def _conv_specs(api: str, kind: str, reference, scale, notes: str) -> list[OpSpec]:  # noqa: ANN001
    return [
        OpSpec(api, nn_conv.conv_family_args(kind, LAST), reference, FLOAT_DTYPES, grad=True,
               mixed_args=(),  # Keras documents no promotion of an input against its kernel
               signed_zeros=False, conditioning=scale, notes=f"channels_last. {notes}"),
        OpSpec(api, nn_conv.conv_family_args(kind, FIRST), reference, FLOAT_DTYPES, grad=True,
               mixed_args=(),  # Keras documents no promotion of an input against its kernel
               signed_zeros=False, conditioning=scale, name=f"{api}.channels_first",
               notes=f"channels_first. {notes}"),
    ]


SPECS = [
    *_conv_specs("ops.nn.conv_transpose", "transpose", nn_conv.conv_transpose, TRANSPOSE_SCALE,
                 CONV_NOTES + "; kernel (spatial..., out, in); output_padding (below the stride) "
                 "left out or given when strided"),
    *_conv_specs("ops.nn.depthwise_conv", "depthwise", nn_conv.depthwise_conv, DEPTHWISE_SCALE,
                 CONV_NOTES + "; kernel (spatial..., in, multiplier)"),
    *_conv_specs("ops.nn.separable_conv", "separable", nn_conv.separable_conv, SEPARABLE_SCALE,
                 CONV_NOTES + "; pointwise kernel (1..., in·multiplier, out)"),
    OpSpec("ops.nn.adaptive_average_pool", nn_conv.adaptive_pool_args(), nn_conv.adaptive_average_pool, FLOAT_DTYPES,
           grad=True, signed_zeros=False, conditioning=ADAPTIVE_SCALE,
           notes="1-D to 3-D, output_size int or tuple up to the input size, data_format left out or "
                 "given; windows [floor(i·n/m), ceil((i+1)·n/m))"),
    OpSpec("ops.nn.adaptive_max_pool", nn_conv.adaptive_pool_args(windows_fit=True), nn_conv.adaptive_max_pool,
           FLOAT_DTYPES, grad=True, signed_zeros=False,
           notes="as adaptive_average_pool with sides >= 2 and ceil(n/m) + 1 <= n (Keras' second pooling "
                 "window fits the input); the max of -0.0 and 0.0 may be either zero"),
    OpSpec("ops.nn.adaptive_max_pool", nn_conv.adaptive_pool_args(), nn_conv.adaptive_max_pool, FLOAT_DTYPES,
           grad=True, signed_zeros=False, name="ops.nn.adaptive_max_pool.any_size",
           notes="any sides and output sizes, 1 included (a spec of its own: TF's worker crashes there)"),
    *[OpSpec(f"ops.nn.{name}", nn_conv.block_args(kind, formats), reference, FLOAT_DTYPES + INT_DTYPES,
             grad=True, name=f"ops.nn.{name}{suffix}",
             notes=f"4-D, block_size 2 or 3 (Keras rejects 1); {layout}. TF's DCR order: the channel "
                   "index is (i·block + j)·C + c in either layout")
      for name, kind, reference in (("depth_to_space", "depth", nn_conv.depth_to_space),
                                    ("space_to_depth", "space", nn_conv.space_to_depth))
      for suffix, formats, layout in (("", (None, "channels_last"), "data_format left out or channels_last"),
                                      (".channels_first", ("channels_first",), "channels_first"))],
    OpSpec("ops.nn.unfold", nn_conv.patch_args("unfold"), nn_conv.unfold, FLOAT_DTYPES, grad=True,
           notes="(N, C, H, W); kernel_size, dilation, padding, stride ints or pairs, left out or given"),
    OpSpec("ops.nn.fold", nn_conv.patch_args("fold"), nn_conv.fold, FLOAT_DTYPES, grad=True, signed_zeros=False,
           conditioning=FOLD_SCALE,
           notes="the patches of an image unfold would give; overlapping entries are summed"),
]
