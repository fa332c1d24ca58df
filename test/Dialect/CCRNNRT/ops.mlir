// RUN: ccrnn-opt %s | ccrnn-opt | FileCheck %s
// Every ccrnnrt op prints and parses back (the round trip is the identity).

// CHECK: module attributes {ccrnn.kernels = {{.*}}, ccrnnrt.networks = 2 : i64}
module attributes {
    ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 256>,
    ccrnn.kernels = [
      #ccrnn.matmul_kernel<m = 2, n = 3, k = 4, transposeLhs = false, transposeRhs = false, bias = true, relu = true, accumulate = false>,
      #ccrnn.window_kernel<cell = lstm, batch = 2, steps = 2, input = 1, hidden = 3>],
    ccrnnrt.networks = 2} {
  // CHECK-LABEL: func.func @all
  // CHECK-SAME:  %arg5: memref<2x3xf32> {ccrnnrt.caller_result = 0 : i64}
  func.func @all(%x: memref<2x4xf32>, %w: memref<4x3xf32>, %b: memref<3xf32>,
                 %labels: memref<2xi64>, %t: index,
                 %out: memref<2x3xf32> {ccrnnrt.caller_result = 0 : i64})
      -> memref<2x3xf32> {
    // CHECK: ccrnnrt.slice 0 fill 5.000000e-01 : memref<f32>
    %half = ccrnnrt.slice 0 fill 0.5 : memref<f32>
    // CHECK: ccrnnrt.slice 16 : memref<2x3xf32>
    %y = ccrnnrt.slice 16 : memref<2x3xf32>
    // CHECK: ccrnnrt.matmul %arg0, %arg1 bias %arg2 into %{{.*}} kernel 0 : memref<2x4xf32>, memref<4x3xf32>, memref<3xf32> into memref<2x3xf32>
    ccrnnrt.matmul %x, %w bias %b into %y kernel 0 : memref<2x4xf32>, memref<4x3xf32>, memref<3xf32> into memref<2x3xf32>
    // CHECK: ccrnnrt.view %{{.*}} : memref<2x3xf32> to memref<6xf32>
    %flat = ccrnnrt.view %y : memref<2x3xf32> to memref<6xf32>
    // CHECK: ccrnnrt.fill 0.000000e+00 into
    ccrnnrt.fill 0.0 into %out : memref<2x3xf32>
    // CHECK: ccrnnrt.copy
    ccrnnrt.copy %y into %out : memref<2x3xf32>, memref<2x3xf32>
    // CHECK: ccrnnrt.sigmoid
    ccrnnrt.sigmoid %y into %y : memref<2x3xf32>
    // CHECK: ccrnnrt.tanh
    ccrnnrt.tanh %y into %y : memref<2x3xf32>
    // CHECK: ccrnnrt.relu
    ccrnnrt.relu %y into %y : memref<2x3xf32>
    // CHECK: ccrnnrt.step
    ccrnnrt.step %y into %y : memref<2x3xf32>
    // CHECK: ccrnnrt.add
    ccrnnrt.add %y, %out into %out : memref<2x3xf32>
    // CHECK: ccrnnrt.sub
    ccrnnrt.sub %y, %out into %out : memref<2x3xf32>
    // CHECK: ccrnnrt.mul
    ccrnnrt.mul %y, %out into %out : memref<2x3xf32>
    // CHECK: ccrnnrt.relu_grad
    ccrnnrt.relu_grad %y, %out into %out : memref<2x3xf32>
    // CHECK: ccrnnrt.scale %{{.*}} by 2.500000e-01 into
    ccrnnrt.scale %y by 0.25 into %y : memref<2x3xf32>
    // CHECK: ccrnnrt.broadcast_rows
    %rows = ccrnnrt.slice 32 : memref<2x3xf32>
    ccrnnrt.broadcast_rows %b into %rows : memref<3xf32>, memref<2x3xf32>
    // CHECK: ccrnnrt.reduce_rows
    ccrnnrt.reduce_rows %rows into %b : memref<2x3xf32>, memref<3xf32>
    // CHECK: ccrnnrt.concat(%{{.*}}, %{{.*}}) axis 1 into
    %both = ccrnnrt.slice 48 : memref<2x6xf32>
    ccrnnrt.concat(%y, %rows) axis 1 into %both : memref<2x3xf32>, memref<2x3xf32> into memref<2x6xf32>
    // CHECK: ccrnnrt.split %{{.*}} axis 1 into(%{{.*}}, %{{.*}})
    ccrnnrt.split %both axis 1 into (%y, %rows) : memref<2x6xf32> into memref<2x3xf32>, memref<2x3xf32>
    // CHECK: ccrnnrt.time_slice %{{.*}} at %arg4 into
    %seq = ccrnnrt.slice 64 : memref<2x4x1xf32>
    %win = ccrnnrt.slice 80 : memref<2x2x1xf32>
    ccrnnrt.time_slice %seq at %t into %win : memref<2x4x1xf32>, memref<2x2x1xf32>
    // CHECK: ccrnnrt.one_hot
    ccrnnrt.one_hot %labels into %y : memref<2xi64>, memref<2x3xf32>
    // CHECK: ccrnnrt.gather_rows %{{.*}}[%{{.*}}] into
    ccrnnrt.gather_rows %rows[%labels] into %y : memref<2x3xf32>, memref<2xi64>, memref<2x3xf32>
    // CHECK: ccrnnrt.scatter_add_rows %{{.*}}[%{{.*}}] into
    ccrnnrt.scatter_add_rows %y[%labels] into %rows : memref<2x3xf32>, memref<2xi64>, memref<2x3xf32>
    // CHECK: ccrnnrt.batch_norm_train %{{.*}}, %{{.*}}, %{{.*}} into %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64}
    ccrnnrt.batch_norm_train %y, %b, %b into %rows, %b, %b {epsilon = 1.0e-5} : memref<2x3xf32>, memref<3xf32>
    // CHECK: ccrnnrt.batch_norm_grad %{{.*}} cotangent %{{.*}} into
    ccrnnrt.batch_norm_grad %y, %b, %b, %b cotangent %rows into %y, %b, %b {epsilon = 1.0e-5} : memref<2x3xf32>, memref<3xf32>
    // CHECK: ccrnnrt.batch_norm_inference %{{.*}} into
    ccrnnrt.batch_norm_inference %y, %b, %b, %b, %b into %rows {epsilon = 1.0e-5} : memref<2x3xf32>, memref<3xf32>
    // CHECK: ccrnnrt.supervised_steps %arg4 into %{{.*}} {interval = 2 : i64, steps = 2 : i64}
    %n = ccrnnrt.slice 96 : memref<f32>
    ccrnnrt.supervised_steps %t into %n {steps = 2, interval = 2} : memref<f32>
    // CHECK: ccrnnrt.mse_loss %{{.*}}, %{{.*}} at %arg4 into
    %pred = ccrnnrt.slice 112 : memref<2x2x1xf32>
    ccrnnrt.mse_loss %pred, %win at %t into %n {interval = 2} : memref<2x2x1xf32>, memref<2x2x1xf32>, memref<f32>
    // CHECK: ccrnnrt.mse_loss_grad %{{.*}}, %{{.*}}, %{{.*}} into
    ccrnnrt.mse_loss_grad %pred, %win, %half into %pred {interval = 1} : memref<2x2x1xf32>, memref<2x2x1xf32>, memref<f32>, memref<2x2x1xf32>
    // CHECK: ccrnnrt.xent_loss
    ccrnnrt.xent_loss %y, %labels into %n : memref<2x3xf32>, memref<2xi64>, memref<f32>
    // CHECK: ccrnnrt.xent_loss_grad
    ccrnnrt.xent_loss_grad %y, %labels, %half into %y : memref<2x3xf32>, memref<2xi64>, memref<f32>, memref<2x3xf32>
    // CHECK: ccrnnrt.window_forward(%{{.*}}, %{{.*}}, %{{.*}}) into(%{{.*}}, %{{.*}}, %{{.*}}) kernel 1
    %h0 = ccrnnrt.slice 128 : memref<2x3xf32>
    %hs = ccrnnrt.slice 144 : memref<2x2x3xf32>
    ccrnnrt.window_forward(%win, %h0, %h0) into (%hs, %h0, %h0) kernel 1 : memref<2x2x1xf32>, memref<2x3xf32>, memref<2x3xf32> into memref<2x2x3xf32>, memref<2x3xf32>, memref<2x3xf32>
    // CHECK: ccrnnrt.window_backward(%{{.*}}) into(%{{.*}}) kernel 1 stored
    ccrnnrt.window_backward(%hs) into (%hs) kernel 1 stored : memref<2x2x3xf32> into memref<2x2x3xf32>
    return %y : memref<2x3xf32>
  }
}
