"""Keras 3 on JAX with one fault planted in an attention or recurrent layer, for
tests/test_layers_recurrent_faults.py.

Each adapter patches one Keras class when its worker starts (HonestJax.plant), as a
backend with that bug would behave: Attention's learned scale ignored, SimpleRNN's
go_backwards ignored, GRU's mask dropped, LSTM's input and forget gates swapped.
Workers import this module by name, so the test puts this folder on ``PYTHONPATH``.
"""

from __future__ import annotations

from typing import Any

from faulty_objects import HonestJax


class AttentionScaleIgnored(HonestJax):
    """Attention(use_scale=True) scores without its scale."""

    id = "faulty-attention-scale"

    def plant(self, keras: Any) -> None:
        original = keras.layers.Attention._calculate_scores

        def calculate_scores(self: Any, query: Any, key: Any) -> Any:
            saved, self.scale = self.scale, None
            try:
                return original(self, query, key)
            finally:
                self.scale = saved

        keras.layers.Attention._calculate_scores = calculate_scores


class GoBackwardsIgnored(HonestJax):
    """SimpleRNN(go_backwards=True) walks the sequence forwards."""

    id = "faulty-rnn-go-backwards"

    def plant(self, keras: Any) -> None:
        original = keras.layers.SimpleRNN.call

        def call(self: Any, sequences: Any, initial_state: Any = None, mask: Any = None, training: bool = False) -> Any:
            saved, self.go_backwards = self.go_backwards, False
            try:
                return original(self, sequences, initial_state, mask, training)
            finally:
                self.go_backwards = saved

        keras.layers.SimpleRNN.call = call


class GruMaskDropped(HonestJax):
    """GRU drops the mask it is given: masked steps update the state."""

    id = "faulty-gru-mask"

    def plant(self, keras: Any) -> None:
        original = keras.layers.GRU.call

        def call(self: Any, sequences: Any, initial_state: Any = None, mask: Any = None, training: bool = False) -> Any:
            return original(self, sequences, initial_state, None, training)

        keras.layers.GRU.call = call


class LstmGatesSwapped(HonestJax):
    """LSTMCell reads its kernels' gate blocks as f, i, c, o instead of i, f, c, o."""

    id = "faulty-lstm-gate-order"

    def plant(self, keras: Any) -> None:
        cell = keras.layers.LSTMCell
        original = cell._compute_carry_and_output_fused

        def fused(self: Any, z: Any, c_tm1: Any) -> Any:
            z_i, z_f, z_c, z_o = z
            return original(self, (z_f, z_i, z_c, z_o), c_tm1)

        cell._compute_carry_and_output_fused = fused


ADAPTERS = (HonestJax, AttentionScaleIgnored, GoBackwardsIgnored, GruMaskDropped, LstmGatesSwapped)
