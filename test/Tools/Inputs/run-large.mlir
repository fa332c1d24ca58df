// A program whose tensors ccrnn-run cannot hold (test/Tools/ccrnn-run-limits.test):
// 10^11 elements, 800 GB of doubles.
func.func @g() -> (tensor<100000000000xf32> {ccrnn.name = "y"}) {
  %c = arith.constant dense<1.0> : tensor<100000000000xf32>
  %y = ccrnn.tanh %c : tensor<100000000000xf32>
  return %y : tensor<100000000000xf32>
}
