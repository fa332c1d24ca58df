# -*- Python -*-
# Runs the GoogleTest binaries of test/unit as part of check-ccrnn.

import os

import lit.formats

config.name = "CCRNN-Unit"
config.suffixes = []
config.test_source_root = config.ccrnn_unit_test_dir
config.test_exec_root = config.ccrnn_unit_test_dir
config.test_format = lit.formats.GoogleTest(".", "Tests")

# A sanitizer build: the sanitizers' options and the trainer cache of the
# build's own, as in test/lit.cfg.py.
obj_root = os.path.dirname(os.path.dirname(config.ccrnn_unit_test_dir))
sanitizer_env = os.path.join(obj_root, "sanitizer.env")
if os.path.isfile(sanitizer_env):
    with open(sanitizer_env) as f:
        for line in f:
            name, _, value = line.strip().partition("=")
            if name:
                config.environment[name] = value
    config.environment["CCRNN_CACHE_DIR"] = os.path.join(obj_root, "trainer-cache")
