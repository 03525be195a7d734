"""What Practical 2's notebook shares beyond its own cells: r003's augmentation and cats-vs-dogs pipelines, and
the cats-vs-dogs network that notebook 03 climbs.

- :func:`cats_vs_dogs_transfer`: MobileNet frozen, then fine-tuned, as notebook 02's
  cells train it (r003-F1; r003-F14 climbs its logit). It trains once per process
  (:func:`practicas.runmode.cached`) and resumes from its checkpoints across processes.
"""

from __future__ import annotations

from practicas import pipelines
from practicas.pipelines import Augmentation
from practicas.runmode import RunContext, cached

# r003: "in both cases, cats vs dogs and MNIST, data augmentation was used" (its kind is not given).
R003_AUGMENTATION = Augmentation(
    horizontal_flip=True, zoom_range=0.1, width_shift_range=0.1, height_shift_range=0.1, rotation_range=10.0
)


def binary_pipelines(data, seed: int, batch_size: int = 32):
    """r003's cats-vs-dogs pipelines: augmented training, then validation (the dataset's, or test) and test, raw pixels.

    Example:
        >>> from practicas import standins
        >>> train, val, test = binary_pipelines(standins.colour_standin(train=64, test=32, classes=2), seed=0)
    """
    x_val, y_val = (data.x_val, data.y_val) if data.x_val is not None else (data.x_test, data.y_test)
    train = pipelines.array_pipeline(
        data.x_train, data.y_train, batch_size=batch_size, seed=seed, augmentation=R003_AUGMENTATION
    )
    val = pipelines.array_pipeline(x_val, y_val, batch_size=batch_size, shuffle=False)
    test = pipelines.array_pipeline(data.x_test, data.y_test, batch_size=batch_size, shuffle=False)
    return train, val, test


def cats_vs_dogs_transfer(context: RunContext) -> dict:
    """r003's transfer network (r003-F1), as notebook 02 trains it: its section's cells, run up to r003-F1.

    MobileNet frozen for 50 epochs (Adam 1e-3), then all of it fine-tuned 10
    more (Adam 1e-5); quick: the stand-in of that section. Notebook 03 climbs
    this network (r003-F14). The cells run in a session of ``context``'s mode,
    seed, data and output folder (the state is in ``OUT/.work``, so a network
    notebook 02 trained is not trained again); their files go to a folder of
    their own under ``.work``. Returns the section's ``run``: ``"model"``,
    ``"history"``, ``"data"``, ``"dataset"`` and the test metrics.

    Example:
        >>> run = cats_vs_dogs_transfer(session.context)  # doctest: +SKIP
    """

    def compute():
        from practicas import notebooks

        return notebooks.section_run("r003-F1", context)

    return cached(context.shared_key("cats_vs_dogs_transfer"), compute, context)
