# How the test commands run Python (sourced by scripts/test.sh and scripts/test_compat.sh, from the repository root).
export TF_CPP_MIN_LOG_LEVEL=2 PRACTICAS_OFFLINE=1
# Every test starts Python processes (pytest's workers, the notebooks' kernels, the CLI's subprocesses), and each
# imports TensorFlow and Keras: from bytecode about 9 s, from source about 22 s (measured here). uv installs without
# bytecode, and where PYTHONDONTWRITEBYTECODE is set (as on this CI machine) each process compiled those modules again.
# Unset, the first process writes the bytecode (into the venvs' site-packages and practicas/, both ignored by git).
unset PYTHONDONTWRITEBYTECODE
# Two workers share the two cores: OpenMP and BLAS get one thread per process. With one per core in each,
# PyTorch's and the native libraries' threads spin waiting for cores the other worker holds: the PyTorch rerun took
# 142 s with them and 50 s without, on an idle 2-core machine. TensorFlow keeps its own thread pools.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
# openTSNE runs n_jobs=-1 threads (OpenMP) whatever OMP_NUM_THREADS says, and OpenMP's threads spin while they wait:
# beside a busy worker, a Barnes-Hut t-SNE of 120 points took 14.3 s instead of 0.5 s alone, and 1.2 s with passive
# waiting (FFT: 19.9 s, 16.9 s passive, 8.5 s alone).
export OMP_WAIT_POLICY=PASSIVE
