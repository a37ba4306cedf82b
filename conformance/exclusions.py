"""Public Keras APIs the catalog deliberately does not cover, each with its reason.

``keras-conformance coverage`` reads this: an API is covered (a spec names it),
excluded (listed here), or missing. Keep exclusions under 5% of the public ops.
"""

from __future__ import annotations

#: canonical name -> why there is no numerical spec for it
EXCLUDED: dict[str, str] = {
    "ops.convert_to_numpy": "a conversion, exercised by every spec's result transfer",
    "ops.convert_to_tensor": "a conversion, exercised by every spec's argument transfer",
    "ops.numpy.vectorize": (
        "takes a Python function (pyfunc) and returns a Python callable; adapters receive arrays and JSON-able keywords only, and the numbers it produces are those of the wrapped function"
    ),
    "ops.nn.polar": (
        "returns a complex tensor; the engine's wire format, promotion lattice and tolerance model have no complex dtypes (engine change needed: complex64/complex128 on the wire and in compare())"
    ),
    "ops.custom_gradient": (
        "returns a decorated Python function, not a tensor; a spec needs an engine mode that calls the op's result on the case's arrays and differentiates it (the gradient is the point)"
    ),
    "ops.dtype": (
        "returns a dtype name string; the engine judges numeric arrays only (np.asarray('float32') has no float comparison). Needs exact comparison of string outputs"
    ),
    "ops.view_as_complex": (
        "returns a complex tensor; tolerance.compare casts outputs to float64 and drops the imaginary part, so a spec could not fail on it. Needs complex comparison (or comparing real and imag parts). ops.view_as_real is specified"
    ),
    "ops.linalg.qr": (
        "Q and R are unique only up to the signs of R's diagonal (LAPACK does not make it positive); needs a per-spec canonicalize hook applied to outputs before comparison (e.g. flip signs so diag(R) > 0, or compare Q R and Q^T Q)"
    ),
    "ops.linalg.eig": (
        "complex eigenvalues and eigenvectors in an unspecified order; needs complex comparison plus a canonicalize hook (sort eigenvalues, normalise eigenvector phases)"
    ),
}


def catalog_exclusions(package: str = "conformance.specs") -> dict[str, str]:
    """The exclusions each catalog module declares next to its specs (``EXCLUSIONS = {api: reason}``)."""
    import importlib  # noqa: PLC0415
    import pkgutil  # noqa: PLC0415

    root = importlib.import_module(package)
    found: dict[str, str] = {}
    for info in sorted(pkgutil.walk_packages(root.__path__, prefix=package + "."), key=lambda i: i.name):
        found.update(getattr(importlib.import_module(info.name), "EXCLUSIONS", {}))
    return found


# the ops' exclusions are above; every other area keeps its own next to its specs
EXCLUDED.update(catalog_exclusions())
