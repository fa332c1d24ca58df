//===- CCRNN.td - umbrella for the ccrnn dialect -----------*- tablegen -*-===//
// Used for the generated dialect reference (docs/Dialect.md).
include "ccrnn/CCRNNOps.td"
