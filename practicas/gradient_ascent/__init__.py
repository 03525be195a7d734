"""Practical 3: what has a network learned? Gradient ascent on filters and classes of any Keras model.

Example:
    >>> from practicas import gradient_ascent as ga
    >>> vis = ga.visualize(model, ga.filters("conv1", range(10)) + ga.classes([3]),
    ...                    input_modifiers=[ga.Jitter(0.05)], callbacks=[ga.PrintProgress()])  # doctest: +SKIP
    >>> fig = ga.plot_visualization(vis, columns=5)  # doctest: +SKIP
"""

from practicas.gradient_ascent.ascent import (
    PARAMETRIZATIONS,
    PRESETS,
    AscentCallback,
    InputModifier,
    Jitter,
    NormalizeGradient,
    Preset,
    PrintProgress,
    RMSNormalizeGradient,
    Rotate,
    Scale,
    Snapshots,
    Visualization,
    apply_input_modifiers,
    l2_norm,
    plot_ascent_images,
    plot_visualization,
    total_variation,
    visualize,
)
from practicas.gradient_ascent.images import high_frequency_fraction
from practicas.gradient_ascent.objectives import Objective, classes, filters

__all__ = [
    "PARAMETRIZATIONS",
    "PRESETS",
    "AscentCallback",
    "InputModifier",
    "Jitter",
    "NormalizeGradient",
    "RMSNormalizeGradient",
    "Objective",
    "Preset",
    "PrintProgress",
    "Rotate",
    "Scale",
    "Snapshots",
    "Visualization",
    "apply_input_modifiers",
    "classes",
    "filters",
    "high_frequency_fraction",
    "l2_norm",
    "plot_ascent_images",
    "plot_visualization",
    "total_variation",
    "visualize",
]
