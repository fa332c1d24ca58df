"""Checks every model file in a directory with ccrnn-opt.

For each models/*.mlir: it must parse and verify; printing it, re-parsing
and printing again must give the same text (a fixed point); and the generic
form must read back to the same custom form. Fails listing every model that
does not, so a new model file is covered without editing a test.
"""

import pathlib
import subprocess
import sys


def run(tool, args, text=None):
    result = subprocess.run([tool, *args], input=text, capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join([tool, *args])} exited "
                           f"{result.returncode}:\n{result.stderr}")
    return result.stdout


def main():
    tool, model_dir = sys.argv[1], pathlib.Path(sys.argv[2])
    models = sorted(model_dir.glob("*.mlir"))
    if not models:
        sys.exit(f"no model files in {model_dir}")
    failures = []
    for model in models:
        try:
            printed = run(tool, [str(model)])
            if "ccrnn.model @" not in printed:
                raise RuntimeError("no ccrnn.model in the output")
            reprinted = run(tool, ["-"], printed)
            if reprinted != printed:
                raise RuntimeError("printing is not a fixed point")
            generic = run(tool, ["--mlir-print-op-generic", str(model)])
            if run(tool, ["-"], generic) != printed:
                raise RuntimeError("the generic form reads back differently")
        except RuntimeError as error:
            failures.append(f"{model.name}: {error}")
        else:
            print(f"ok {model.name}")
    if failures:
        sys.exit("\n".join(failures))


if __name__ == "__main__":
    main()
