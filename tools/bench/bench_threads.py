"""Thread counts of the PyTorch benchmark scripts (ccrnn_torch.py,
caption_torch.py): OpenMP and the BLAS read theirs when they are loaded, and
torch.set_num_threads does not reach OpenBLAS, so a script calls
set_thread_env(sys.argv) before it imports torch."""
import os


def threads_from_argv(argv):
    """The value of --threads N / --threads=N in argv, "1" without one."""
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return "1"


def set_thread_env(argv):
    """OMP/OpenBLAS/MKL thread counts from --threads, unless already set."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, threads_from_argv(argv))
