"""Prints tools/reproduce/stats.py's results on cases with known answers
(reproduce-stats.test checks them)."""
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "tools", "reproduce"))
import stats  # noqa: E402

print("mean_sem %.6f %.6f" % stats.mean_sem([1, 2, 3, 4]))
print("mean_sem1 %.6f %.6f" % stats.mean_sem([7]))
# b - a = 1, 1, 2, 2, 4: mean 2, SEM 0.5477, t = 3.6515, 4 dof.
print("paired_t %.4f %.5f" % stats.paired_t([0, 0, 0, 0, 0], [1, 1, 2, 2, 4]))
print("paired_t_equal %s %s" % stats.paired_t([1, 2], [1, 2]))
print("paired_t_shift %s %s" % stats.paired_t([1, 2], [2, 3]))
print("wilcoxon %g %.4f" % stats.wilcoxon([0] * 5, [1, 2, 3, 4, 5]))
print("wilcoxon_mixed %g %.4f" % stats.wilcoxon([0] * 5, [1, -2, 3, 4, 5]))
print("wilcoxon_ties %g %.4f" % stats.wilcoxon([0] * 4, [1, -1, 2, 0]))
print("wilcoxon_one %g %.4f" % stats.wilcoxon([1, 2], [1, 5]))
print("wilcoxon_none %g %.4f" % stats.wilcoxon([1, 2], [1, 2]))
print("sign %.6f %.6f %.6f" % (stats.sign_test(3, 3), stats.sign_test(9, 10),
                               stats.sign_test(0, 0)))
