// A program whose tensors ccrnn-run cannot hold (test/Tools/ccrnn-run-limits.test):
// 2^33 x 2^31 elements, whose int64_t count wraps to 0.
func.func @f() -> (tensor<8589934592x2147483648xf32> {ccrnn.name = "y"}) {
  %c = arith.constant dense<1.0> : tensor<8589934592x2147483648xf32>
  %y = ccrnn.tanh %c : tensor<8589934592x2147483648xf32>
  return %y : tensor<8589934592x2147483648xf32>
}
