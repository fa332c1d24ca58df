# The user guide's "From Python" example, run as the guide shows it: the
# first python block of that section, in a fresh directory, with
# matplotlib drawing to files (Agg, as a notebook's inline backend would).
#
# REQUIRES: matplotlib
# RUN: rm -rf %t && mkdir -p %t && cd %t
# RUN: env MPLBACKEND=Agg %pyccrnn %s %ccrnn_src_root/docs/UserGuide.md | FileCheck %s
# CHECK: validation loss after 100 epochs: {{[0-9]+\.[0-9]+}}
# CHECK: the example wrote linedraw-python.png
import os
import re
import sys

guide = open(sys.argv[1]).read()
section = guide.split("\n## From Python\n", 1)[1].split("\n## ", 1)[0]
block = re.search(r"```python\n(.*?)```", section, re.S).group(1)
exec(compile(block, "UserGuide.md (From Python)", "exec"), {})
if os.path.getsize("linedraw-python.png") > 0:
    print("the example wrote linedraw-python.png")
