// RUN: ccrnn-opt %s | ccrnn-opt | FileCheck %s
// RUN: ccrnn-opt %s --mlir-print-op-generic | ccrnn-opt | FileCheck %s
// Round-trips every ccrnn op and type, in the custom and the generic form.

// CHECK-LABEL: ccrnn.model @dni_lstm(%{{.*}}: !ccrnn.seq<1>) -> !ccrnn.seq<2>
// CHECK:         %[[H:.*]] = ccrnn.lstm %{{.*}} hidden = 50 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 50>
// CHECK:         %[[Y:.*]] = ccrnn.linear %[[H]] features = 2 : !ccrnn.rnn<lstm, 50> -> !ccrnn.seq<2>
// CHECK:         ccrnn.cerebellum %[[H]] layers = 2, width = 400, scale = 0.1 : !ccrnn.rnn<lstm, 50>
// CHECK:         ccrnn.return %[[Y]] loss = mse : !ccrnn.seq<2>
ccrnn.model @dni_lstm(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 50 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 50>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 50> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 2, width = 400, scale = 0.1 : !ccrnn.rnn<lstm, 50>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}

// Stacked tanh layers, a linear synthesizer with context (options in any
// order, default scale), and no loss on the return.
// CHECK-LABEL: ccrnn.model @stacked_tanh
// CHECK:         ccrnn.rnn_tanh %{{.*}} hidden = 30, layers = 3 : !ccrnn.seq<28> -> !ccrnn.rnn<tanh, 30, layers = 3>
// CHECK:         ccrnn.linear %{{.*}} features = 10 : !ccrnn.rnn<tanh, 30, layers = 3> -> !ccrnn.seq<10>
// CHECK:         ccrnn.cerebellum %{{.*}} layers = 0, scale = 0.1, target_context : !ccrnn.rnn<tanh, 30, layers = 3>
// CHECK:         ccrnn.return %{{.*}} : !ccrnn.seq<10>
ccrnn.model @stacked_tanh(%x: !ccrnn.seq<28>) -> !ccrnn.seq<10> {
  %h = ccrnn.rnn_tanh %x hidden = 30, layers = 3 : !ccrnn.seq<28> -> !ccrnn.rnn<tanh, 30, layers = 3>
  %y = ccrnn.linear %h features = 10 : !ccrnn.rnn<tanh, 30, layers = 3> -> !ccrnn.seq<10>
  ccrnn.cerebellum %h target_context, layers = 0 : !ccrnn.rnn<tanh, 30, layers = 3>
  ccrnn.return %y : !ccrnn.seq<10>
}

// `layers = 1` is the default and is not printed; a cerebellum without
// `width` uses twice the hidden size; the scale keeps its exact value.
// CHECK-LABEL: ccrnn.model @classifier
// CHECK:         ccrnn.lstm %{{.*}} hidden = 30 : !ccrnn.seq<28> -> !ccrnn.rnn<lstm, 30>
// CHECK:         ccrnn.cerebellum %{{.*}} layers = 1, scale = 0.25 : !ccrnn.rnn<lstm, 30>
// CHECK:         ccrnn.return %{{.*}} loss = xent : !ccrnn.seq<10>
ccrnn.model @classifier(%x: !ccrnn.seq<28>) -> !ccrnn.seq<10> {
  %h = ccrnn.lstm %x hidden = 30, layers = 1 : !ccrnn.seq<28> -> !ccrnn.rnn<lstm, 30>
  %y = ccrnn.linear %h features = 10 : !ccrnn.rnn<lstm, 30> -> !ccrnn.seq<10>
  ccrnn.cerebellum %h layers = 1, scale = 0.25 : !ccrnn.rnn<lstm, 30>
  ccrnn.return %y loss = xent : !ccrnn.seq<10>
}

// A caption model: image vector and tokens in, next-token scores out.
// CHECK-LABEL: ccrnn.model @caption(%{{.*}}: !ccrnn.vec<20>, %{{.*}}: !ccrnn.tokens<50>) -> !ccrnn.seq<50>
// CHECK:         %[[E:.*]] = ccrnn.linear %{{.*}} features = 16 : !ccrnn.vec<20> -> !ccrnn.vec<16>
// CHECK:         %[[N:.*]] = ccrnn.batch_norm %[[E]] momentum = 1.000000e-02 : !ccrnn.vec<16>
// CHECK:         %[[W:.*]] = ccrnn.embedding %{{.*}} features = 16 : !ccrnn.tokens<50> -> !ccrnn.seq<16>
// CHECK:         %[[X:.*]] = ccrnn.prepend %[[N]], %[[W]] : !ccrnn.vec<16>, !ccrnn.seq<16>
// CHECK:         %[[D:.*]] = ccrnn.dropout %[[X]] rate = 5.000000e-01 : !ccrnn.seq<16>
// CHECK:         ccrnn.lstm %[[D]] hidden = 8
// CHECK:         ccrnn.return %{{.*}} loss = xent_steps : !ccrnn.seq<50>
ccrnn.model @caption(%image: !ccrnn.vec<20>, %words: !ccrnn.tokens<50>) -> !ccrnn.seq<50> {
  %e = ccrnn.linear %image features = 16 : !ccrnn.vec<20> -> !ccrnn.vec<16>
  %n = ccrnn.batch_norm %e momentum = 0.01 : !ccrnn.vec<16>
  %w = ccrnn.embedding %words features = 16 : !ccrnn.tokens<50> -> !ccrnn.seq<16>
  %x = ccrnn.prepend %n, %w : !ccrnn.vec<16>, !ccrnn.seq<16>
  %d = ccrnn.dropout %x rate = 0.5 : !ccrnn.seq<16>
  %h = ccrnn.lstm %d hidden = 8 : !ccrnn.seq<16> -> !ccrnn.rnn<lstm, 8>
  %y = ccrnn.linear %h features = 50 : !ccrnn.rnn<lstm, 8> -> !ccrnn.seq<50>
  ccrnn.cerebellum %h layers = 2, width = 32, scale = 0.1 : !ccrnn.rnn<lstm, 8>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<50>
}

// Training-level ops on tensors.
// CHECK-LABEL: func.func @window
// CHECK:         %[[S0:.*]] = ccrnn.truncate %{{.*}} : tensor<2x50x100xf32>
// CHECK:         ccrnn.synthesizer_target %[[S0]], %{{.*}} : tensor<2x50x100xf32>
// CHECK:         ccrnn.synthetic_gradient %{{.*}}, %{{.*}} {scale = 1.000000e-01 : f64} : tensor<2x50x100xf32>
// CHECK:         ccrnn.mse_loss %{{.*}}, %{{.*}} start %{{.*}} {interval = 2 : i64} : tensor<50x1x2xf32> -> tensor<f32>
// CHECK:         ccrnn.mse_loss %{{.*}}, %{{.*}} : tensor<50x1x2xf32> -> tensor<f32>
// CHECK:         ccrnn.xent_loss %{{.*}}, %{{.*}} : tensor<50x10xf32>, tensor<50xi64> -> tensor<f32>
func.func @window(%state: tensor<2x50x100xf32>, %s1: tensor<2x50x100xf32>,
                  %pred0: tensor<2x50x100xf32>, %pred1: tensor<2x50x100xf32>,
                  %y: tensor<50x1x2xf32>, %target: tensor<50x1x2xf32>,
                  %t0: index, %logits: tensor<50x10xf32>,
                  %labels: tensor<50xi64>) -> (tensor<f32>, tensor<f32>, tensor<f32>) {
  %s0 = ccrnn.truncate %state : tensor<2x50x100xf32>
  ccrnn.synthesizer_target %s0, %pred0 : tensor<2x50x100xf32>
  ccrnn.synthetic_gradient %s1, %pred1 {scale = 0.1} : tensor<2x50x100xf32>
  %l = ccrnn.mse_loss %y, %target start %t0 {interval = 2} : tensor<50x1x2xf32> -> tensor<f32>
  %all = ccrnn.mse_loss %y, %target : tensor<50x1x2xf32> -> tensor<f32>
  %x = ccrnn.xent_loss %logits, %labels : tensor<50x10xf32>, tensor<50xi64> -> tensor<f32>
  return %l, %all, %x : tensor<f32>, tensor<f32>, tensor<f32>
}

// Dynamic batch sizes and f64 (used by gradient checks) are accepted.
// CHECK-LABEL: func.func @dynamic
// CHECK:         ccrnn.xent_loss %{{.*}}, %{{.*}} : tensor<?x10xf64>, tensor<?xi32> -> tensor<f64>
func.func @dynamic(%logits: tensor<?x10xf64>, %labels: tensor<?xi32>) -> tensor<f64> {
  %x = ccrnn.xent_loss %logits, %labels : tensor<?x10xf64>, tensor<?xi32> -> tensor<f64>
  return %x : tensor<f64>
}

// Tensor-level primitives and the composite recurrent ops.
// CHECK-LABEL: func.func @tensor_ops
// CHECK:         ccrnn.add %{{.*}}, %{{.*}} : tensor<2x3xf32>
// CHECK:         ccrnn.sub %{{.*}}, %{{.*}} : tensor<2x3xf32>
// CHECK:         ccrnn.mul %{{.*}}, %{{.*}} : tensor<2x3xf32>
// CHECK:         ccrnn.scale %{{.*}} by 5.000000e-01 : tensor<2x3xf32>
// CHECK:         ccrnn.sigmoid %{{.*}} : tensor<2x3xf32>
// CHECK:         ccrnn.tanh %{{.*}} : tensor<2x3xf32>
// CHECK:         ccrnn.relu %{{.*}} : tensor<2x3xf32>
// CHECK:         ccrnn.step %{{.*}} : tensor<2x3xf32>
// CHECK:         ccrnn.matmul %{{.*}}, %{{.*}} {transpose_lhs} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<3x3xf32>
// CHECK:         ccrnn.broadcast %{{.*}} : tensor<3xf32> -> tensor<2x3xf32>
// CHECK:         ccrnn.reduce_sum %{{.*}} : tensor<2x3xf32> -> tensor<3xf32>
// CHECK:         ccrnn.reshape %{{.*}} : tensor<2x3xf32> -> tensor<6xf32>
// CHECK:         ccrnn.concat %{{.*}}, %{{.*}} {axis = 0 : i64} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<4x3xf32>
// CHECK:         ccrnn.split %{{.*}} {axis = 0 : i64} : tensor<4x3xf32> -> tensor<1x3xf32>, tensor<3x3xf32>
// CHECK:         ccrnn.time_slice %{{.*}} at %{{.*}} : tensor<2x5x1xf32> -> tensor<2x2x1xf32>
// CHECK:         ccrnn.supervised_steps %{{.*}} {interval = 2 : i64, steps = 2 : i64} : tensor<f32>
// CHECK:         ccrnn.lstm_seq {{.*}} : tensor<2x2x1xf32>, tensor<2x3xf32>, tensor<12x1xf32>, tensor<12x3xf32>, tensor<12xf32> -> tensor<2x2x3xf32>
// CHECK:         ccrnn.lstm_seq_grad {{.*}} cotangents {{.*}} : tensor<2x2x1xf32>, tensor<2x3xf32>, tensor<12x1xf32>, tensor<12x3xf32>, tensor<12xf32>, tensor<2x2x3xf32>
// CHECK:         ccrnn.rnn_tanh_seq {{.*}} -> tensor<2x2x3xf32>
// CHECK:         ccrnn.rnn_tanh_seq_grad {{.*}} cotangents
// CHECK:         ccrnn.mse_loss_grad %{{.*}}, %{{.*}}, %{{.*}} start %{{.*}} {interval = 2 : i64} : tensor<2x2x1xf32>, tensor<f32>
// CHECK:         ccrnn.xent_loss_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2xi64>, tensor<f32>
// CHECK:         ccrnn.one_hot %{{.*}} : tensor<2xi64> -> tensor<2x4xf32>
// CHECK:         ccrnn.matmul_accumulate %{{.*}}, %{{.*}}, %{{.*}} {transpose_lhs} : tensor<3x3xf32>, tensor<2x3xf32>, tensor<2x3xf32> -> tensor<3x3xf32>
// CHECK:         ccrnn.gather_rows %{{.*}}[%{{.*}}] : tensor<2x3xf32>, tensor<2xi64> -> tensor<2x3xf32>
// CHECK:         ccrnn.scatter_add_rows %{{.*}}[%{{.*}}] : tensor<2x3xf32>, tensor<2xi64> -> tensor<5x3xf32>
// CHECK:         ccrnn.batch_norm_train %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64} : tensor<2x3xf32>, tensor<3xf32>
// CHECK:         ccrnn.batch_norm_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} cotangent %{{.*}} {epsilon = 1.000000e-05 : f64} : tensor<2x3xf32>, tensor<3xf32>
// CHECK:         ccrnn.batch_norm_inference %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64} : tensor<2x3xf32>, tensor<3xf32>
// CHECK:         ccrnn.synthesizer_target %{{.*}}, %{{.*}} {scale = 5.000000e-01 : f64} : tensor<2x3xf32>
func.func @tensor_ops(%a: tensor<2x3xf32>, %v: tensor<3xf32>, %x: tensor<2x5x1xf32>, %t: index,
                      %h: tensor<2x3xf32>, %wih: tensor<12x1xf32>, %whh: tensor<12x3xf32>, %b: tensor<12xf32>,
                      %tih: tensor<3x1xf32>, %thh: tensor<3x3xf32>, %tb: tensor<3xf32>,
                      %cot: tensor<f32>, %labels: tensor<2xi64>) {
  %0 = ccrnn.add %a, %a : tensor<2x3xf32>
  %1 = ccrnn.sub %a, %a : tensor<2x3xf32>
  %2 = ccrnn.mul %a, %a : tensor<2x3xf32>
  %3 = ccrnn.scale %a by 0.5 : tensor<2x3xf32>
  %4 = ccrnn.sigmoid %a : tensor<2x3xf32>
  %5 = ccrnn.tanh %a : tensor<2x3xf32>
  %6 = ccrnn.relu %a : tensor<2x3xf32>
  %7 = ccrnn.step %a : tensor<2x3xf32>
  %8 = ccrnn.matmul %a, %a {transpose_lhs} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<3x3xf32>
  %9 = ccrnn.broadcast %v : tensor<3xf32> -> tensor<2x3xf32>
  %10 = ccrnn.reduce_sum %a : tensor<2x3xf32> -> tensor<3xf32>
  %11 = ccrnn.reshape %a : tensor<2x3xf32> -> tensor<6xf32>
  %12 = ccrnn.concat %a, %a {axis = 0} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<4x3xf32>
  %13:2 = ccrnn.split %12 {axis = 0} : tensor<4x3xf32> -> tensor<1x3xf32>, tensor<3x3xf32>
  %14 = ccrnn.time_slice %x at %t : tensor<2x5x1xf32> -> tensor<2x2x1xf32>
  %15 = ccrnn.supervised_steps %t {steps = 2, interval = 2} : tensor<f32>
  %hs, %hT, %cT = ccrnn.lstm_seq %14, %h, %h, %wih, %whh, %b, %b
      : tensor<2x2x1xf32>, tensor<2x3xf32>, tensor<12x1xf32>, tensor<12x3xf32>, tensor<12xf32> -> tensor<2x2x3xf32>
  %g:7 = ccrnn.lstm_seq_grad %14, %h, %h, %wih, %whh, %b, %b cotangents %hs, %hT, %cT
      : tensor<2x2x1xf32>, tensor<2x3xf32>, tensor<12x1xf32>, tensor<12x3xf32>, tensor<12xf32>, tensor<2x2x3xf32>
  %ts, %tT = ccrnn.rnn_tanh_seq %14, %h, %tih, %thh, %tb, %tb
      : tensor<2x2x1xf32>, tensor<2x3xf32>, tensor<3x1xf32>, tensor<3x3xf32>, tensor<3xf32> -> tensor<2x2x3xf32>
  %tg:6 = ccrnn.rnn_tanh_seq_grad %14, %h, %tih, %thh, %tb, %tb cotangents %ts, %tT
      : tensor<2x2x1xf32>, tensor<2x3xf32>, tensor<3x1xf32>, tensor<3x3xf32>, tensor<3xf32>, tensor<2x2x3xf32>
  %16 = ccrnn.mse_loss_grad %14, %14, %cot start %t {interval = 2} : tensor<2x2x1xf32>, tensor<f32>
  %17 = ccrnn.xent_loss_grad %a, %labels, %cot : tensor<2x3xf32>, tensor<2xi64>, tensor<f32>
  %18 = ccrnn.one_hot %labels : tensor<2xi64> -> tensor<2x4xf32>
  %19 = ccrnn.matmul_accumulate %8, %a, %a {transpose_lhs} : tensor<3x3xf32>, tensor<2x3xf32>, tensor<2x3xf32> -> tensor<3x3xf32>
  %20 = ccrnn.gather_rows %a[%labels] : tensor<2x3xf32>, tensor<2xi64> -> tensor<2x3xf32>
  %21 = ccrnn.scatter_add_rows %a[%labels] : tensor<2x3xf32>, tensor<2xi64> -> tensor<5x3xf32>
  %bn:3 = ccrnn.batch_norm_train %a, %v, %v {epsilon = 1.0e-5} : tensor<2x3xf32>, tensor<3xf32>
  %bg:3 = ccrnn.batch_norm_grad %a, %v, %bn#1, %bn#2 cotangent %a {epsilon = 1.0e-5} : tensor<2x3xf32>, tensor<3xf32>
  %bi = ccrnn.batch_norm_inference %a, %v, %v, %bn#1, %bn#2 {epsilon = 1.0e-5} : tensor<2x3xf32>, tensor<3xf32>
  ccrnn.synthesizer_target %a, %a {scale = 0.5} : tensor<2x3xf32>
  return
}

// CHECK-LABEL: func.func @relu_grad(
// CHECK:         ccrnn.relu_grad %{{.*}}, %{{.*}} : tensor<2x3xf32>
func.func @relu_grad(%c: tensor<2x3xf32>, %a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %g = ccrnn.relu_grad %c, %a : tensor<2x3xf32>
  return %g : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @ensemble(
// CHECK:         %[[R:.*]]:2 = ccrnn.ensemble 3 networks(%{{.*}}, %{{.*}} : tensor<3x2xf32>, index) -> (tensor<3x2xf32>, tensor<3xf32>) {
// CHECK-NEXT:    ^bb0(%[[X:.*]]: tensor<2xf32>, %{{.*}}: index):
// CHECK:           ccrnn.ensemble_yield %{{.*}}, %{{.*}} : tensor<2xf32>, tensor<f32>
// CHECK-NEXT:    }
func.func @ensemble(%x: tensor<3x2xf32>, %i: index) -> (tensor<3x2xf32>, tensor<3xf32>) {
  %r:2 = ccrnn.ensemble 3 networks(%x, %i : tensor<3x2xf32>, index) -> (tensor<3x2xf32>, tensor<3xf32>) {
  ^bb0(%x1: tensor<2xf32>, %i1: index):
    %t = ccrnn.tanh %x1 : tensor<2xf32>
    %s = ccrnn.reduce_sum %t : tensor<2xf32> -> tensor<f32>
    ccrnn.ensemble_yield %t, %s : tensor<2xf32>, tensor<f32>
  }
  return %r#0, %r#1 : tensor<3x2xf32>, tensor<3xf32>
}
