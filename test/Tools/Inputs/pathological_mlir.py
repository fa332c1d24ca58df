"""Writes model text beyond the parser's limits into the directory argv[1]
(test/Tools/parser-limits.test): generated, not committed, since each is
megabytes."""
import os
import sys

out = sys.argv[1]


def write(name, text):
    with open(os.path.join(out, name), "w") as f:
        f.write(text)


n = 200000
# 200k nested brackets (line 1, the first past 256 at column 27 + 257).
write("brackets.mlir",
      "func.func private @f() -> " + "(" * n + "i32" + ")" * n + "\n")
# 50k nested regions (line 2 + 256 opens the 257th).
m = 50000
write("regions.mlir",
      "func.func @f() {\n" + "\"scf.execute_region\"() ({\n" * m +
      "}) : () -> ()\n" * m + "return\n}\n")
# A 100k-digit integer.
write("integer.mlir",
      "func.func @f() -> i32 {\n  %c = arith.constant " + "7" * 100000 +
      " : i32\n  return %c : i32\n}\n")
# 200k unary minuses in an affine map.
write("minus.mlir",
      "#m = affine_map<(d0) -> (" + "-" * n + "d0)>\n"
      "func.func private @f() attributes {m = #m}\n")
# A model whose hidden size has 100k digits, and one nested 200k deep.
write("model-integer.mlir",
      "ccrnn.model @big(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {\n"
      "  %h = ccrnn.lstm %x hidden = " + "5" * 100000 +
      " : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 50>\n}\n")
write("model-deep.mlir",
      "ccrnn.model @deep(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {\n" + "[" * n +
      "]" * n + "\n}\n")
