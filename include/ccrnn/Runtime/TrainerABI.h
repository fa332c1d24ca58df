/*===- TrainerABI.h - the C ABI of generated trainers ------------*- C -*-===*\
|*                                                                            *|
|* A generated trainer (ccrnn-translate --emit-trainer=cpp) trains one model   *|
|* with one set of build-training options: a fixed batch size and sequence    *|
|* length. Each trainer exports one function returning this table; bundled    *|
|* trainers are named ccrnn_trainer_<id>, trainers compiled on the fly as     *|
|* shared libraries also export ccrnn_trainer_entry.                          *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef CCRNN_RUNTIME_TRAINERABI_H
#define CCRNN_RUNTIME_TRAINERABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CCRNN_TRAINER_ABI_VERSION 5

enum ccrnn_init_kind {
  CCRNN_INIT_UNIFORM = 0,
  CCRNN_INIT_ZEROS = 1,
  CCRNN_INIT_NORMAL = 2, /* N(0, bound^2) */
  CCRNN_INIT_ONES = 3
};
enum ccrnn_param_group {
  CCRNN_GROUP_RECURRENT = 0,
  CCRNN_GROUP_READOUT = 1,
  CCRNN_GROUP_SYNTHESIZER = 2,
  CCRNN_GROUP_INPUT = 3
};

/* One parameter, in state_dict order, with its PyTorch name (SPEC §7). */
typedef struct {
  const char *name;
  int32_t rank;
  int64_t shape[4];
  int32_t init;  /* ccrnn_init_kind */
  double bound;  /* uniform: U(-bound, bound); normal: the deviation */
  int32_t group; /* ccrnn_param_group */
} ccrnn_param_info;

typedef struct {
  int32_t abi_version;
  const char *model;   /* the model's symbol name */
  const char *options; /* the ccrnn-build-training options it was built with */
  int64_t batch, steps, input_size, output_size;
  int32_t has_cerebellum;
  int32_t classify;     /* targets are int64 class indices [batch] */
  int32_t predict_last; /* targets are [batch, output] (or labels) and
                           predictions [batch, output] */
  int32_t num_params;
  const ccrnn_param_info *params;
  /* Floats of the recurrent state of a batch: per layer h (and c for LSTM),
     each [batch, hidden], in that order. */
  int64_t state_size;
  /* Shape of the fibre mask (the synthesizer's first weight); 0 x 0 when
     the trainer was built without sparse fibres. */
  int64_t fibre_mask_rows, fibre_mask_cols;
  /* With a record function: its boundaries, layers, |s| and the width of
     the recorded synthesizer activity (0: none); all 0 without one. */
  int64_t record_boundaries, record_layers, record_state, record_width;
  /* Floating-point operations of one train() call, counted by the compiler:
     2 * M * N * K for every matrix product (the linear layers, and in the
     recurrent windows the input projection and the recurrent product,
     their backward products counted twice); element-wise work is not
     counted. For GFLOP/s figures (of all the networks of an ensemble). */
  double flops_per_batch;
  /* Networks trained by one call (ccrnn-opt --ccrnn-ensemble): 1, or K for
     an ensemble trainer, whose every array (parameters, gradients, inputs,
     targets, states, masks, predictions, recordings) holds K arrays of the
     shapes described here, network after network. */
  int64_t ensemble;
  /* A token model's trainer (captioning; 0 otherwise): the vocabulary
     (output_size too), the width of the vector input the first window
     prepends (0: none, or not a first window), the tokens of a window
     (steps, less the prepended step), the features of the dropout mask
     (0: no dropout) and the floats of the running statistics (the batch
     norm's mean then variance; 0: none). Such a trainer trains and
     evaluates one window: its eval is NULL, eval_window evaluates. */
  int64_t vocab, vector_size, token_steps, dropout_features, statistics_size;
  /* Steps of the greedy decoder (decode); 0: none. */
  int64_t decode_steps;
} ccrnn_trainer_desc;

/* One batch of a training or recording call. */
typedef struct {
  const float *const *params;
  /* float32 [batch, steps, input_size], or a token model's int64 tokens
     [batch, token_steps] */
  const void *inputs;
  /* float32 [batch, steps, output_size] ([batch, output_size] with
     predict_last) or int64 [batch] (classify) */
  const void *targets;
  /* [state_size] floats, the state the batch starts from; NULL: zeros */
  const float *initial_state;
  /* [fibre_mask_rows, fibre_mask_cols] of 0/1; NULL: all ones */
  const float *fibre_mask;
  /* Output, unless NULL: the loss of each network ([ensemble]); train()
     returns the first network's. */
  float *losses;
  /* A token model's arrays (unused otherwise): the vector input [batch,
     vector_size]; the dropout mask [batch, steps, dropout_features] (each
     0 or 1/(1-p); NULL: no dropout); the running statistics
     [statistics_size] and, unless NULL, where train() writes their update
     (the same place may be given). */
  const float *vector_input;
  const float *dropout_mask;
  const float *statistics;
  float *new_statistics;
} ccrnn_batch;

/* What a record call writes: [boundaries, layers, batch, state] each, and
   the activity [boundaries, layers, batch, width] (unused when width 0). */
typedef struct {
  float *state, *synthetic, *target_grad, *true_grad, *activity;
} ccrnn_record;

typedef struct {
  const ccrnn_trainer_desc *desc;
  /* Allocates every buffer and kernel; NULL on failure. */
  void *(*create)(void);
  void (*destroy)(void *trainer);
  /* One training batch (SPEC §3): returns the reported loss, writes the
     pre-clip gradient of every parameter and, unless NULL, the final state
     [state_size]. */
  float (*train)(void *trainer, const ccrnn_batch *batch, float *const *grads,
                 float *final_state);
  /* Evaluation of one batch (full sequence from zero state, no
     synthesizer): returns the loss (mean squared distance per point, or
     cross-entropy) and writes the predictions [batch, steps, output_size]
     ([batch, output_size] with predict_last). */
  float (*eval)(void *trainer, const float *const *params,
                const float *inputs, const void *targets,
                float *predictions);
  /* Feedback at the window boundaries of one batch (build-training's
     `record`); NULL when the trainer was built without it. */
  void (*record)(void *trainer, const ccrnn_batch *batch, ccrnn_record *out);
  /* A token model's evaluation of one window (teacher-forced, no
     synthesizer, no dropout, the batch norm on the running statistics),
     from batch->initial_state: returns the mean cross-entropy and writes
     the scores [batch, steps, vocab] and, unless NULL, the final state. */
  float (*eval_window)(void *trainer, const ccrnn_batch *batch,
                       float *predictions, float *final_state);
  /* A token model's greedy decoding from the vector input (decode_steps
     steps, each the argmax of the last fed back): writes the tokens
     [decode_steps, batch], step after step. NULL when not built. */
  void (*decode)(void *trainer, const ccrnn_batch *batch, int64_t *tokens);
} ccrnn_trainer_api;

typedef const ccrnn_trainer_api *(*ccrnn_trainer_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* CCRNN_RUNTIME_TRAINERABI_H */
