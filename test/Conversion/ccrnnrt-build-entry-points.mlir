// The C ABI's functions as ccrnnrt.entry_point ops, built from the roles of
// the program's arguments and results.
// DEFINE: %{buffers} = --ccrnn-assign-kernels --convert-ccrnn-to-ccrnnrt --ccrnnrt-build-entry-points
// RUN: ccrnn-opt %models/dni_lstm.mlir --ccrnn-trainer-pipeline='bptt=2 interval=2 batch=2 steps=6' --ccrnn-plan-memory %{buffers} | ccrnn-opt | FileCheck %s --check-prefix=CPU
// RUN: ccrnn-opt %models/cdni_lstm.mlir --ccrnn-trainer-pipeline='bptt=2 interval=2 batch=2 steps=6 fibres=3 record ensemble=2' --ccrnn-plan-memory %{buffers} | FileCheck %s --check-prefix=RECORD
// RUN: ccrnn-opt %models/seqmnist_dni_lstm.mlir --ccrnn-trainer-pipeline='bptt=7 batch=5 steps=28' --ccrnn-plan-memory=target=cuda %{buffers} | ccrnn-opt | FileCheck %s --check-prefix=CUDA
// A module with entry points keeps them: one of each kind.
// RUN: ccrnn-opt %models/dni_lstm.mlir --ccrnn-trainer-pipeline='bptt=2 interval=2 batch=2 steps=6' --ccrnn-plan-memory %{buffers} --ccrnnrt-build-entry-points | FileCheck %s --check-prefix=ONCE
// ONCE-COUNT-1: ccrnnrt.entry_point train
// ONCE-COUNT-1: ccrnnrt.entry_point eval

// The parameters in order, the states as pieces of a network's state (the
// zero state where the caller gives none); gradients computed in the
// caller's arrays (ccrnnrt.caller_result) are passed in and not copied.
// CPU-LABEL: ccrnnrt.entry_point train {
// CPU-NEXT:    %[[W0:.*]] = ccrnnrt.caller_array params[0] : memref<200x1xf32>
// CPU:         %[[P11:.*]] = ccrnnrt.caller_array params[11] : memref<2xf32>
// CPU-NEXT:    %[[X:.*]] = ccrnnrt.caller_array inputs : memref<2x6x1xf32>
// CPU-NEXT:    %[[Y:.*]] = ccrnnrt.caller_array targets : memref<2x6x2xf32>
// CPU-NEXT:    %[[H:.*]] = ccrnnrt.caller_array initial_state offset 0 or 0.000000e+00 : memref<2x50xf32>
// CPU-NEXT:    %[[C:.*]] = ccrnnrt.caller_array initial_state offset 100 or 0.000000e+00 : memref<2x50xf32>
// CPU-NEXT:    %[[G0:.*]] = ccrnnrt.caller_array grads[0] : memref<200x1xf32>
// CPU:         %[[G11:.*]] = ccrnnrt.caller_array grads[11] : memref<2xf32>
// CPU-NEXT:    %[[R:.*]]:15 = func.call @dni_lstm_train(%[[W0]], {{.*}}, %[[P11]], %[[X]], %[[Y]], %[[H]], %[[C]], %[[G0]], {{.*}}, %[[G11]])
// CPU-NOT:     into grads
// CPU-NEXT:    ccrnnrt.to_caller %[[R]]#0 into losses : memref<f32>
// CPU-NEXT:    ccrnnrt.to_caller %[[R]]#13 into final_state offset 0 : memref<2x50xf32>
// CPU-NEXT:    ccrnnrt.to_caller %[[R]]#14 into final_state offset 100 : memref<2x50xf32>
// CPU-NEXT:    ccrnnrt.entry_return %[[R]]#0 : memref<f32>
// CPU-NEXT:  }
// CPU-LABEL: ccrnnrt.entry_point eval {
// CPU:         %[[E:.*]]:2 = func.call @dni_lstm_eval(
// CPU-NEXT:    ccrnnrt.to_caller %[[E]]#1 into predictions : memref<2x6x2xf32>
// CPU-NEXT:    ccrnnrt.entry_return %[[E]]#0 : memref<f32>
// CPU-NOT:   ccrnnrt.entry_point record

// The recording function: the dense mask where the caller gives none, and
// ccrnn_record's five arrays. An ensemble's buffers have one network's
// types (ccrnnrt.networks on the module).
// RECORD-LABEL: ccrnnrt.entry_point record {
// RECORD:         %[[M:.*]] = ccrnnrt.caller_array fibre_mask or 1.000000e+00 : memref<400x100xf32>
// RECORD-NEXT:    %[[R:.*]]:5 = func.call @cdni_lstm_record({{.*}}, %[[M]])
// RECORD-NEXT:    ccrnnrt.to_caller %[[R]]#0 into record_state : memref<2x1x2x100xf32>
// RECORD-NEXT:    ccrnnrt.to_caller %[[R]]#1 into record_synthetic
// RECORD-NEXT:    ccrnnrt.to_caller %[[R]]#2 into record_target_grad
// RECORD-NEXT:    ccrnnrt.to_caller %[[R]]#3 into record_true_grad
// RECORD-NEXT:    ccrnnrt.to_caller %[[R]]#4 into record_activity : memref<2x1x2x400xf32>
// RECORD-NEXT:    ccrnnrt.entry_return{{$}}

// A GPU stages every caller array at the training function's ccrnn.staged
// offset (labels take two floats each), records the training step as a
// graph and downloads every gradient; eval stages at the same places.
// CUDA-LABEL: ccrnnrt.entry_point train {
// CUDA-NEXT:    ccrnnrt.caller_array params[0] staged 0 : memref<120x28xf32>
// CUDA:         ccrnnrt.caller_array targets staged 18784 : memref<5xi64>
// CUDA-NEXT:    ccrnnrt.caller_array initial_state offset 0 staged 18800 or 0.000000e+00 : memref<5x30xf32>
// CUDA-NEXT:    ccrnnrt.caller_array initial_state offset 150 staged 18950 or 0.000000e+00 : memref<5x30xf32>
// CUDA-NEXT:    %[[S:.*]]:{{[0-9]+}} = ccrnnrt.step_graph : memref<f32>,
// CUDA-NEXT:      %[[R:.*]]:{{[0-9]+}} = func.call @seqmnist_dni_lstm_train(
// CUDA-NEXT:      ccrnnrt.step_graph_yield %[[R]]#0, %[[R]]#1,
// CUDA-NEXT:    }
// CUDA-NEXT:    ccrnnrt.to_caller %[[S]]#0 into losses
// CUDA-NEXT:    ccrnnrt.to_caller %[[S]]#1 into grads[0] : memref<120x28xf32>
// CUDA:         ccrnnrt.to_caller {{.*}} into final_state offset 150
// CUDA-NEXT:    ccrnnrt.entry_return %[[S]]#0
// CUDA-LABEL: ccrnnrt.entry_point eval {
// CUDA-NEXT:    ccrnnrt.caller_array params[0] staged 0 : memref<120x28xf32>
// CUDA:         ccrnnrt.caller_array targets staged 18784 : memref<5xi64>
// CUDA-NEXT:    func.call @seqmnist_dni_lstm_eval(
