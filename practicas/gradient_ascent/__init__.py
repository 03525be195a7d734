"""Practical 3: what has a network learned? Gradient ascent on filters and classes of any Keras model.

Example:
    >>> from practicas import gradient_ascent as ga
    >>> vis = ga.visualize(model, ga.filters("conv1", range(10)) + ga.classes([3]))  # doctest: +SKIP
    >>> fig = ga.plot_visualization(vis, columns=5)  # doctest: +SKIP
"""

from practicas.gradient_ascent.ascent import (
    PRESETS,
    Preset,
    PrintProgress,
    Visualization,
    l2_norm,
    plot_visualization,
    total_variation,
    visualize,
)
from practicas.gradient_ascent.images import high_frequency_fraction
from practicas.gradient_ascent.objectives import Objective, classes, filters

__all__ = [
    "PRESETS", "Preset", "PrintProgress", "Visualization", "Objective", "classes", "filters", "high_frequency_fraction",
    "l2_norm", "plot_visualization", "total_variation", "visualize",
]
