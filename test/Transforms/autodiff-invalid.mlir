// RUN: ccrnn-opt %s --split-input-file --verify-diagnostics --ccrnn-autodiff
// What ccrnn-autodiff rejects.

func.func private @f(%x: tensor<2x3x1xf32>, %i: index) -> tensor<f32> {
  // expected-error @below {{'ccrnn.time_slice' op is not differentiable, but a gradient flows through it}}
  %w = ccrnn.time_slice %x at %i : tensor<2x3x1xf32> -> tensor<2x1x1xf32>
  %l = ccrnn.mse_loss %w, %w : tensor<2x1x1xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @caller(%x: tensor<2x3x1xf32>, %i: index) -> tensor<2x3x1xf32> {
  %l, %g = ccrnn.value_and_grad @f(%x, %i) {num_params = 1}
      : (tensor<2x3x1xf32>, index) -> (tensor<f32>, tensor<2x3x1xf32>)
  return %g : tensor<2x3x1xf32>
}

// -----

// The running averages take the batch statistics; the loss must not.
func.func private @f(%x: tensor<4x3xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<f32> {
  // expected-error @below {{'ccrnn.batch_norm_train' op batch statistics carry no gradient, but the loss depends on them}}
  %y, %m, %v = ccrnn.batch_norm_train %x, %g, %b {epsilon = 1.0e-5} : tensor<4x3xf32>, tensor<3xf32>
  %l = ccrnn.reduce_sum %m : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @caller(%x: tensor<4x3xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  %l, %dx = ccrnn.value_and_grad @f(%x, %g, %b) {num_params = 1}
      : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<4x3xf32>)
  return %dx : tensor<4x3xf32>
}
