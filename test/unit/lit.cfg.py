# -*- Python -*-
# Runs the GoogleTest binaries of test/unit as part of check-ccrnn.

import os

import lit.formats

config.name = "CCRNN-Unit"
config.suffixes = []
config.test_source_root = config.ccrnn_unit_test_dir
config.test_exec_root = config.ccrnn_unit_test_dir
config.test_format = lit.formats.GoogleTest(".", "Tests")
