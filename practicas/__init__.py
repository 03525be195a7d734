"""practicas: a Keras 3 companion to five computer-vision course reports.

Three practicals, one subpackage each: :mod:`practicas.basenet` (CNNs from
scratch), :mod:`practicas.transfer` (transfer learning) and
:mod:`practicas.gradient_ascent` (what a network has learned). Shared code
lives beside them: :mod:`practicas.datasets`, :mod:`practicas.pipelines`,
:mod:`practicas.training`, :mod:`practicas.evaluation`, :mod:`practicas.plots`.

Every figure and table of the reports has an ID (``r000-F1``...) and is
produced by one call:

    >>> import practicas
    >>> data = practicas.run("r000-T2", quick=True)  # doctest: +SKIP
"""

__version__ = "0.1.0"


def run(artifact_id: str, *, quick: bool = False, seed: int = 0, out: str = "out", show: bool = True) -> dict:
    """Produce one report artifact (see :func:`practicas.registry.run`); shows it inline in notebooks.

    Example:
        >>> data = run("r000-T2", quick=True, out="/tmp/practicas-out")  # doctest: +SKIP
    """
    from practicas import registry

    return registry.run(artifact_id, quick=quick, seed=seed, out=out, show=show)
