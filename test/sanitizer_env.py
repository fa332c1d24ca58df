"""The lit configurations' part for a sanitizer build (CCRNN_SANITIZE;
tools/sanitize-test.sh), shared by test/lit.cfg.py and test/unit/lit.cfg.py:
every program runs with the sanitizers' options CMake wrote into
sanitizer.env (why each: docs/Reliability.md), trainers compiled on the fly
go to the build's own cache (instrumented trainers never mix with normal
ones), and the features asan / ubsan mark it for the few tests that cannot
run instrumented (UNSUPPORTED: asan, with the reason in the test)."""
import os


def apply(config, obj_root):
    env_file = os.path.join(obj_root, "sanitizer.env")
    if not os.path.isfile(env_file):
        return
    with open(env_file) as f:
        for line in f:
            name, _, value = line.strip().partition("=")
            if name:
                config.environment[name] = value
    config.environment["CCRNN_CACHE_DIR"] = os.path.join(obj_root, "trainer-cache")
    if "ASAN_OPTIONS" in config.environment:
        config.available_features.add("asan")
    if "UBSAN_OPTIONS" in config.environment:
        config.available_features.add("ubsan")
