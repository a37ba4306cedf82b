"""Specs of ``keras.ops.numpy``, one module per op family."""
