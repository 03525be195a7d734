"""Practical 2 artifacts that exist so far: the 10 Monkey Species data overview of r004."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from practicas import plots, standins
from practicas.datasets import load_dataset
from practicas.registry import artifact


def _monkeys(quick: bool, seed: int, workdir):
    if quick:
        root = standins.write_image_folder(Path(workdir).parent / "monkeys-standin" / "10-monkey-species", size=64, seed=seed)
        return load_dataset("monkeys", data_root=root.parent, image_size=(64, 64)), "Fashion-MNIST in a Kaggle-style folder (quick stand-in)"
    return load_dataset("monkeys", image_size=(224, 224)), "10 Monkey Species"


@artifact("r004-F6", render=lambda d: plots.plot_class_counts(d["counts"], title=f"Images per class — {d['dataset']}"))
def monkey_class_counts(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r004 Figura 6: images per class in training (1,097) and validation (272)."""
    data, label = _monkeys(quick, seed, workdir)
    counts = {
        split: {name: int(n) for name, n in zip(data.class_names, np.bincount(y, minlength=data.num_classes))}
        for split, y in (("training", data.y_train), ("validation", data.y_test))
    }
    return {"dataset": label, "counts": counts, "skipped_files": data.skipped,
            "metrics": {"train_images": len(data.y_train), "validation_images": len(data.y_test)}}


@artifact("r004-F7", render=lambda d: plots.plot_image_grid(d["_images"], d["labels"], d["class_names"], columns=5,
                                                           title=f"Sample images — {d['dataset']}"))
def monkey_sample_grid(quick: bool = False, seed: int = 0, workdir=None) -> dict:
    """r004 Figura 7: two sample images of each species."""
    data, label = _monkeys(quick, seed, workdir)
    rng = np.random.default_rng(seed)
    index = np.concatenate([rng.choice(np.flatnonzero(data.y_train == k), 2, replace=False) for k in range(data.num_classes)])
    return {"dataset": label, "indices": index, "labels": data.y_train[index], "class_names": data.class_names,
            "_images": data.x_train[index]}
