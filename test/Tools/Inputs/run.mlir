// A window-like function for the ccrnn-run tests: arguments and results are
// matched to .npz arrays by their ccrnn.name.
func.func @f(%x: tensor<2x2xf32> {ccrnn.name = "input"},
             %w: tensor<2x2xf32> {ccrnn.name = "rnn.weight"},
             %s: index {ccrnn.name = "start"},
             %y: tensor<2xi64> {ccrnn.name = "labels"})
    -> (tensor<f32> {ccrnn.name = "loss"},
        tensor<2x2xf32> {ccrnn.name = "grad.rnn.weight"}, index) {
  %z = ccrnn.matmul %x, %w : tensor<2x2xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
  %l = ccrnn.xent_loss %z, %y : tensor<2x2xf32>, tensor<2xi64> -> tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %dz = ccrnn.xent_loss_grad %z, %y, %one : tensor<2x2xf32>, tensor<2xi64>, tensor<f32>
  %dw = ccrnn.matmul %x, %dz {transpose_lhs} : tensor<2x2xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
  %next = arith.addi %s, %s : index
  return %l, %dw, %next : tensor<f32>, tensor<2x2xf32>, index
}

func.func @unnamed(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
