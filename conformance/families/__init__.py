"""Argument strategies and float64 references of one op family per module.

The core strategies (:mod:`conformance.strategies`) and references
(:mod:`conformance.oracle`) serve every spec; a family module holds what
only one family's specs share (linear algebra, image, indexing…), once.
"""
