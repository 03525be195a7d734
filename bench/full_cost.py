"""What a full reproduction costs: a few full-configuration training steps per experiment, extrapolated.

    python -m practicas.testing /tmp/fixtures --samples 400   # once: enough images for full-size batches
    PRACTICAS_DATA=/tmp/fixtures/data KERAS_HOME=/tmp/fixtures/keras PRACTICAS_OFFLINE=1 python bench/full_cost.py

Each training artifact runs in smoke mode (practicas.runmode) with six steps
per fit instead of two: the report's builder, input size, batch size and
optimizer, on fixture data in the real format. The fastest step after the
first (which traces and compiles) times the steps per epoch of the report's dataset times the planned
epochs give each fit's minutes. Artifacts that share a training run (curves,
confusion matrix, t-SNE of one model) reuse it, so each run is counted once.
Not counted: evaluation, feature extraction, t-SNE and gradient ascent
(minutes, not hours). On a GPU this is the GPU cost of a full reproduction.
"""

import argparse
import math
import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from practicas import notebooks, registry  # noqa: E402

# Training images per epoch in the reports' data (validation splits already taken out).
REPORT_TRAIN_IMAGES = {
    "mnist": 60_000,
    "cifar10": 50_000,
    "cifar100_subset": 11_250,
    "monkeys": 1_097,
    "alien_vs_predator": 694,
    "caltech_birds2010": 2_715,
    "cats_vs_dogs": 2_500,
    "emnist_letters": 48_000,
    "mnist_subset": 1_000,
}


def device_name() -> str:
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return tf.config.experimental.get_device_details(gpus[0]).get("device_name", "gpu").replace(" ", "_")
    return "cpu"


def images_per_epoch(fit: dict, loaded: list) -> int:
    if fit["dataset"] == "emoji":
        return next(d["splits"]["train"] for d in loaded if d["name"] == "emoji")
    return REPORT_TRAIN_IMAGES.get(fit["dataset"], 0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("ids", nargs="*", help="artifact IDs (default: every implemented one)")
    parser.add_argument("--out", help="output folder (default: a new temporary one, so nothing resumes)")
    args = parser.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="practicas-full-cost-")
    wanted = set(args.ids or [a.id for a in registry.all_artifacts() if a.implemented])
    rows, total = [], 0.0
    for practical in registry.PRACTICALS:
        for section in notebooks.sections(practical):  # each section's cells once, as `run --all --smoke` does
            ids = [i for i in section.saved_in if i in wanted]
            if not ids:
                continue
            session = notebooks.section_session(quick=False, smoke=True, seed=0, out=out)
            session.smoke_steps, session.smoke_samples = 6, 10**9  # full-size batches, timed after the compiling one
            session.eager_short_runs = False  # graph steps, as a full run takes them
            last = max(section.saved_in[i] for i in ids)
            notebooks.execute_cells(section, {"__name__": "__lesson__", "session": session}, 0, last + 1)
            context, artifact_id = session.context, ids[0]
            for timed in context.step_seconds:  # runs shared with an earlier section are not timed again
                fit = timed["fit"]
                if not timed["seconds"]:
                    continue
                seconds = min(timed["seconds"])
                images = images_per_epoch(fit, context.settings.get("datasets", []))
                epochs = fit["epochs"] - fit["initial_epoch"]
                minutes = seconds * math.ceil(images / (fit["batch_size"] or 32)) * epochs / 60
                total += minutes
                rows.append((artifact_id, fit["model"], images, epochs, seconds, minutes))
    print(f"{'artifact':<10}{'model':<28}{'images/epoch':>13}{'epochs':>8}{'s/step':>9}{'minutes':>10}")
    for artifact_id, model, images, epochs, seconds, minutes in rows:
        print(f"{artifact_id:<10}{model:<28}{images:>13,}{epochs:>8}{seconds:>9.3f}{minutes:>10.1f}")
    print(f"summary: total_minutes={total:.0f} device={device_name()}")


if __name__ == "__main__":
    main()
