// RUN: ccrnn-opt %s --ccrnn-plan-memory --verify-diagnostics
// RUN: not ccrnn-opt %s --ccrnn-plan-memory=target=tpu 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: error: ccrnn-plan-memory: unknown target 'tpu' (expected cpu or cuda)

// A program is planned once: a second plan would leave the first's slices.
// expected-error @below {{ccrnn-plan-memory: the program already has a memory plan}}
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 0>} {
}
