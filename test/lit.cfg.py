# -*- Python -*-
# lit configuration of the ccrnn test suite.

import os
import sys
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "CCRNN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ccrnn_obj_root, "test")
# unit/ holds GoogleTest sources; its own lit.cfg.py runs the binaries.
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit", "Inputs",
                   "check_models.py", "check_truncated.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%ccrnn_src_root", config.ccrnn_src_root))
config.substitutions.append(("%ccrnn_obj_root", config.ccrnn_obj_root))
config.substitutions.append(("%models", os.path.join(config.ccrnn_src_root, "models")))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.ccrnn_tools_dir, config.llvm_tools_dir]
tools = ["ccrnn-analyze", "ccrnn-bench", "ccrnn-data", "ccrnn-opt", "ccrnn-run", "ccrnn-translate", "ccrnn-train"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

if shutil.which("nvcc") or os.path.exists("/usr/local/cuda/bin/nvcc"):
    config.available_features.add("nvcc")

# A usable NVIDIA GPU (tests of what happens without one say
# UNSUPPORTED: cuda-device).
import subprocess
try:
    if subprocess.run(["nvidia-smi", "-L"], capture_output=True,
                      timeout=20).returncode == 0:
        config.available_features.add("cuda-device")
except (OSError, subprocess.TimeoutExpired):
    pass

# A real one-node Slurm cluster can be started by the tests (Driver/
# slurm.test): root, and Debian's slurm-wlm and munge. Otherwise the test is
# reported unsupported, and the reason is said here.
slurm_programs = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol"]
slurm_missing = [p for p in slurm_programs if not shutil.which(p)]
if os.geteuid() != 0:
    lit_config.note("Slurm tests skipped: they start slurmctld as root, and this is not root")
elif slurm_missing:
    lit_config.note("Slurm tests skipped: no " + ", ".join(slurm_missing) +
                    " (tools/install-deps.sh installs slurm-wlm and munge)")
else:
    config.available_features.add("slurm")

# Tests that play another local user (files chown-ed to nobody) need root.
if os.geteuid() == 0:
    config.available_features.add("root")
else:
    lit_config.note("Tests of files owned by another user skipped: they chown files, and this is not root")

# Open MPI's mpirun (Debian's openmpi-bin) for Driver/mpi.test.
if shutil.which("mpirun"):
    config.available_features.add("mpi")
else:
    lit_config.note("MPI tests skipped: no mpirun (tools/install-deps.sh installs openmpi-bin)")

# Python modules in the Python that runs lit (%python): a feature each,
# and a note naming the tests skipped without it.
def python_module_feature(module, feature, skipped, package):
    if subprocess.run([sys.executable, "-c", "import " + module],
                      capture_output=True).returncode == 0:
        config.available_features.add(feature)
    else:
        lit_config.note("%s skipped: %s cannot import %s (tools/install-deps.sh "
                        "installs %s)" % (skipped, sys.executable, module, package))

config.substitutions.append(("%python", sys.executable))
# PyTorch and torchvision for tools/extract-features.py.
python_module_feature("torchvision", "torchvision", "extract-features test",
                      "python3-torchvision")
# The Python package from the build tree (python/CMakeLists.txt); torch for
# ccrnn.torch's tests, matplotlib for the plots (the user guide's example).
config.substitutions.append(
    ("%pyccrnn", "env PYTHONPATH=" + os.path.join(config.ccrnn_obj_root, "python")
     + " " + sys.executable))
python_module_feature("torch", "torch", "ccrnn.torch tests",
                      "python3-torchvision, which brings python3-torch")
python_module_feature("matplotlib", "matplotlib",
                      "tests of the Python package's plots", "python3-matplotlib")

# The real MNIST files, when installed (tools/install-data.sh) in the default
# directory, computed as ccrnn::idx::defaultDataDir does: tests that read them
# say REQUIRES: mnist (and are reported as unsupported, not passed, without).
def default_data_dir(name):
    env = os.environ.get("CCRNN_DATA_DIR")
    if env:
        return os.path.join(env, name)
    return os.path.join(os.environ.get("HOME") or ".", ".cache", "ccrnn", "data", name)

mnist_files = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
config.substitutions.append(("%mnist_dir", default_data_dir("mnist")))
if all(os.path.isfile(os.path.join(default_data_dir("mnist"), f)) for f in mnist_files):
    config.available_features.add("mnist")
if all(os.path.isfile(os.path.join(default_data_dir("fashion-mnist"), f)) for f in mnist_files):
    config.available_features.add("fashion-mnist")
# lit passes only some variables to the tests; the tools must see the same
# data directory as the feature check above.
for var in ["CCRNN_DATA_DIR", "HOME"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]

# A sanitizer build: its options, trainer cache and features
# (test/sanitizer_env.py).
sys.path.insert(0, os.path.dirname(__file__))
import sanitizer_env
sanitizer_env.apply(config, config.ccrnn_obj_root)
