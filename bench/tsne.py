"""t-SNE of 10,000 x 128 features: practicas (PCA-50 + openTSNE FFT) vs scikit-learn's TSNE defaults.

    python bench/tsne.py [--samples 10000]

Features: the 10,000 Fashion-MNIST test images projected on their first 128
principal components (real, clustered data). Quality: scikit-learn's
trustworthiness (10 neighbours) of each embedding, on the same points.
Target: speed-up >= 3 with trustworthiness no more than 0.01 lower.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from sklearn.decomposition import PCA
from sklearn.manifold import TSNE, trustworthiness

from practicas.datasets import load_fashion_mnist
from practicas.evaluation import tsne_embedding


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=10_000)
    args = parser.parse_args()
    images = load_fashion_mnist().x_test[: args.samples].reshape(args.samples, -1).astype("float32") / 255.0
    features = PCA(128, random_state=0).fit_transform(images).astype("float32")

    start = time.perf_counter()
    ours = tsne_embedding(features, seed=0)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    sklearn = TSNE(n_components=2, random_state=0).fit_transform(features)
    sklearn_s = time.perf_counter() - start

    trust_ours = trustworthiness(features, ours, n_neighbors=10)
    trust_sklearn = trustworthiness(features, sklearn, n_neighbors=10)
    print(f"{'method':<34}{'seconds':>10}{'trustworthiness':>18}")
    print(f"{'practicas (PCA-50 + openTSNE)':<34}{ours_s:>10.1f}{trust_ours:>18.4f}")
    print(f"{'scikit-learn TSNE defaults':<34}{sklearn_s:>10.1f}{trust_sklearn:>18.4f}")
    print(f"summary: ratio={sklearn_s / ours_s:.2f} trust_delta={trust_ours - trust_sklearn:+.4f}")


if __name__ == "__main__":
    main()
