# -*- Python -*-
# lit configuration of the ccrnn test suite.

import os
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
tools = ["ccrnn-opt", "ccrnn-run", "ccrnn-translate", "ccrnn-train"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

if shutil.which("nvcc") or os.path.exists("/usr/local/cuda/bin/nvcc"):
    config.available_features.add("nvcc")
