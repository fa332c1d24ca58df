// RUN: ccrnn-opt %s | ccrnn-opt | FileCheck %s
// The entry-point ops print and parse back (the round trip is the
// identity), on a GPU program that stages its caller arrays.

module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cuda, arena = 64, staging = 128>} {
  func.func @m_train(%w: memref<4x3xf32>, %x: memref<2x4xf32>, %y: memref<2xi64>, %h: memref<2x3xf32>, %m: memref<3x3xf32>)
      -> (memref<f32>, memref<4x3xf32>, memref<2x3xf32>) {
    %l = ccrnnrt.slice 0 : memref<f32>
    %g = ccrnnrt.slice 16 : memref<4x3xf32>
    return %l, %g, %h : memref<f32>, memref<4x3xf32>, memref<2x3xf32>
  }
  // CHECK-LABEL: ccrnnrt.entry_point train {
  ccrnnrt.entry_point train {
    // CHECK-NEXT: %[[W:.*]] = ccrnnrt.caller_array params[0] staged 0 : memref<4x3xf32>
    %w = ccrnnrt.caller_array params[0] staged 0 : memref<4x3xf32>
    // CHECK-NEXT: %[[X:.*]] = ccrnnrt.caller_array inputs staged 16 : memref<2x4xf32>
    %x = ccrnnrt.caller_array inputs staged 16 : memref<2x4xf32>
    // CHECK-NEXT: %[[Y:.*]] = ccrnnrt.caller_array targets staged 32 : memref<2xi64>
    %y = ccrnnrt.caller_array targets staged 32 : memref<2xi64>
    // CHECK-NEXT: %[[H:.*]] = ccrnnrt.caller_array initial_state offset 0 staged 48 or 0.000000e+00 : memref<2x3xf32>
    %h = ccrnnrt.caller_array initial_state offset 0 staged 48 or 0.0 : memref<2x3xf32>
    // CHECK-NEXT: %[[M:.*]] = ccrnnrt.caller_array fibre_mask staged 64 or 1.000000e+00 : memref<3x3xf32>
    %m = ccrnnrt.caller_array fibre_mask staged 64 or 1.0 : memref<3x3xf32>
    // CHECK-NEXT: %[[R:.*]]:3 = ccrnnrt.step_graph : memref<f32>, memref<4x3xf32>, memref<2x3xf32> {
    // CHECK-NEXT:   %[[C:.*]]:3 = func.call @m_train(%[[W]], %[[X]], %[[Y]], %[[H]], %[[M]])
    // CHECK-NEXT:   ccrnnrt.step_graph_yield %[[C]]#0, %[[C]]#1, %[[C]]#2 : memref<f32>, memref<4x3xf32>, memref<2x3xf32>
    // CHECK-NEXT: }
    %r:3 = ccrnnrt.step_graph : memref<f32>, memref<4x3xf32>, memref<2x3xf32> {
      %c:3 = func.call @m_train(%w, %x, %y, %h, %m) : (memref<4x3xf32>, memref<2x4xf32>, memref<2xi64>, memref<2x3xf32>, memref<3x3xf32>) -> (memref<f32>, memref<4x3xf32>, memref<2x3xf32>)
      ccrnnrt.step_graph_yield %c#0, %c#1, %c#2 : memref<f32>, memref<4x3xf32>, memref<2x3xf32>
    }
    // CHECK-NEXT: ccrnnrt.to_caller %[[R]]#0 into losses : memref<f32>
    ccrnnrt.to_caller %r#0 into losses : memref<f32>
    // CHECK-NEXT: ccrnnrt.to_caller %[[R]]#1 into grads[0] : memref<4x3xf32>
    ccrnnrt.to_caller %r#1 into grads[0] : memref<4x3xf32>
    // CHECK-NEXT: ccrnnrt.to_caller %[[R]]#2 into final_state offset 0 : memref<2x3xf32>
    ccrnnrt.to_caller %r#2 into final_state offset 0 : memref<2x3xf32>
    // CHECK-NEXT: ccrnnrt.entry_return %[[R]]#0 : memref<f32>
    ccrnnrt.entry_return %r#0 : memref<f32>
  }
  // CHECK-LABEL: ccrnnrt.entry_point record {
  // CHECK-NEXT:    ccrnnrt.entry_return{{$}}
  ccrnnrt.entry_point record {
    ccrnnrt.entry_return
  }
}
