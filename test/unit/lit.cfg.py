# -*- Python -*-
# Runs the GoogleTest binaries of test/unit as part of check-ccrnn.

import os
import sys

import lit.formats

config.name = "CCRNN-Unit"
config.suffixes = []
config.test_source_root = config.ccrnn_unit_test_dir
config.test_exec_root = config.ccrnn_unit_test_dir
config.test_format = lit.formats.GoogleTest(".", "Tests")

# A sanitizer build: as in test/lit.cfg.py (test/sanitizer_env.py).
sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))
import sanitizer_env
sanitizer_env.apply(config, os.path.dirname(os.path.dirname(config.ccrnn_unit_test_dir)))
