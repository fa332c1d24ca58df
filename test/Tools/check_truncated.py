"""Runs ccrnn-opt on every prefix of a model file.

Each truncated file must either be rejected with exit code 1 and a
`file:line:col: error:` diagnostic, or (when the cut falls where the text is
still a complete module, e.g. after the leading comments) be accepted.
A crash, a hang or an error without a location fails the test.
"""

import re
import subprocess
import sys


def main():
    tool, model, scratch = sys.argv[1:4]
    text = open(model, encoding="utf-8").read()
    location = re.compile(re.escape(scratch) + r":\d+:\d+: error: ")
    failures = []
    accepted = 0
    for cut in range(len(text)):
        with open(scratch, "w", encoding="utf-8") as f:
            f.write(text[:cut])
        result = subprocess.run([tool, scratch], capture_output=True,
                                text=True, timeout=30)
        if result.returncode == 0:
            accepted += 1
            continue
        if result.returncode != 1 or not location.search(result.stderr):
            failures.append(f"prefix of {cut} bytes: exit {result.returncode}"
                            f"\n{result.stderr}")
    print(f"{len(text)} prefixes, {accepted} accepted as complete modules")
    # Only a prefix ending before the model op can be complete.
    if accepted > text.index("ccrnn.model") + 1:
        failures.append(f"{accepted} prefixes were accepted")
    if failures:
        sys.exit("\n".join(failures[:5]))


if __name__ == "__main__":
    main()
