/*===- ccrnn-c/Driver.h - The training driver's C API ------------*- C -*-===*\
|*                                                                            *|
|* What a host in another language (the Python package, python/ccrnn, over    *|
|* ctypes) needs of the driver beside a trainer's own ABI (TrainerABI.h):     *|
|* trainers through a session (found, compiled into the cache and loaded as   *|
|* for ccrnn-train), initial parameters, the optimizer with clipping and      *|
|* weight decay, and the tasks' data and scoring. It calls the code           *|
|* ccrnn-train runs, so a loop written in the host gets ccrnn-train's bits.   *|
|*                                                                            *|
|* Errors: a function returns NULL or 0 when it fails, and                    *|
|* ccrnn_last_error() is then the one-line message (of the calling thread)    *|
|* that ccrnn-train would print. Arrays are the caller's: nothing is copied   *|
|* that the call does not need to keep.                                       *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef CCRNN_C_DRIVER_H
#define CCRNN_C_DRIVER_H

#include "ccrnn/Runtime/TrainerABI.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CCRNN_C_API_VERSION 1

int32_t ccrnn_c_api_version(void);
/* The message of the calling thread's last failure ("" when none). */
const char *ccrnn_last_error(void);

/* The threads of the kernels that the calling thread runs (OpenMP's count
   is per thread; ccrnn-train's --threads, 1 by default): set it in every
   thread that trains, before its first call. */
int32_t ccrnn_set_threads(int32_t threads);

/*--- Trainers ---------------------------------------------------------------*/

typedef struct ccrnn_session ccrnn_session;

/* A session caching compiled trainers in `cache_dir` (NULL or "": the
   default, as ccrnn-train's) with the compiler's tools in `tools_dir`
   (where ccrnn-opt and ccrnn-translate are). Trainers stay loaded as long
   as their session. A session is used by one thread at a time; the
   trainers it returns by any number. */
ccrnn_session *ccrnn_session_new(const char *cache_dir, const char *tools_dir);
void ccrnn_session_free(ccrnn_session *session);
/* The trainer of `model` (a bundled name, or a path to a .mlir file) built
   with the trainer pipeline's `options` ("bptt=1 interval=2 batch=50
   steps=10", TrainerOptions.h) for `device` ("cpu" or "cuda"): bundled,
   cached or compiled now. `*id`, unless `id` is NULL, is "bundled" or the
   shared library's path, valid as long as the session. */
const ccrnn_trainer_api *ccrnn_session_trainer(ccrnn_session *session,
                                               const char *model,
                                               const char *options,
                                               const char *device,
                                               const char **id);
/* The trainer in the shared library `path` (one built by CMake's
   ccrnn_add_trainer_library, or a cache entry's trainer.so). */
const ccrnn_trainer_api *ccrnn_session_load(ccrnn_session *session,
                                            const char *path);

/* The initial parameters of `seed` (each from its own stream, SPEC §7),
   written to out[i] (desc->params[i]'s shape, float32). A trainer built
   with sparse fibres (option fibres=N, SPEC §4) has the seed's mask drawn,
   the masked weights zeroed and, unless `mask` is NULL, the mask written
   to it ([fibre_mask_rows, fibre_mask_cols]). `out` NULL: the mask only.
   1 on success. */
int32_t ccrnn_init_params(const ccrnn_trainer_api *trainer, uint64_t seed,
                          float *const *out, float *mask);

/*--- The optimizer (SPEC §3) ------------------------------------------------*/

typedef struct ccrnn_optimizer ccrnn_optimizer;

/* An optimizer ("adam", "rmsprop", "sgd", "adamax", "adagrad", "adadelta")
   with learning rate `lr` for `n` parameters of sizes[i] floats each. */
ccrnn_optimizer *ccrnn_optimizer_new(const char *kind, double lr, int32_t n,
                                     const int64_t *sizes);
void ccrnn_optimizer_free(ccrnn_optimizer *optimizer);
/* One update as ccrnn-train makes it: clipping of the global norm to
   `clip` (0: none), weight decay `l2`, the optimizer's step, except for
   the parameters with frozen[i] != 0 (NULL: none). With l2 == 0 `grads`
   is left as it is; otherwise it is clipped and decayed in place.
   `*norm`, unless NULL, is the gradients' norm before clipping. */
int32_t ccrnn_optimizer_step(ccrnn_optimizer *optimizer, float *const *params,
                             float *const *grads, const uint8_t *frozen,
                             double clip, double l2, double *norm);
double ccrnn_optimizer_lr(const ccrnn_optimizer *optimizer);
void ccrnn_optimizer_set_lr(ccrnn_optimizer *optimizer, double lr);
int64_t ccrnn_optimizer_steps(const ccrnn_optimizer *optimizer);

/* torch.optim.lr_scheduler.ReduceLROnPlateau as ccrnn-train's --decay-lr
   (Optimizer.h, PlateauScheduler): after each epoch, the learning rate
   for the next from the one the epoch ran with and its validation loss. */
typedef struct ccrnn_plateau ccrnn_plateau;
ccrnn_plateau *ccrnn_plateau_new(double factor, int64_t patience);
void ccrnn_plateau_free(ccrnn_plateau *plateau);
double ccrnn_plateau_step(ccrnn_plateau *plateau, double loss, double lr);

/*--- Tasks (SPEC §5) --------------------------------------------------------*/

typedef struct ccrnn_task ccrnn_task;
typedef struct ccrnn_seed_data ccrnn_seed_data;
typedef struct ccrnn_epoch ccrnn_epoch;

/* The settings of task `name` with their defaults, as JSON (meta.json's
   "task" object), valid until the thread's next call of this function;
   NULL for an unknown task. */
const char *ccrnn_task_settings(const char *name);
/* A task from a JSON object of meta.json's "task" settings ({"name":
   "linedraw", "seq_len": 10, ...}); a setting not given has ccrnn-train's
   default for the task, `batch_size` is the training batches' size. */
ccrnn_task *ccrnn_task_new(const char *settings_json, int64_t batch_size);
void ccrnn_task_free(ccrnn_task *task);
/* JSON, valid as long as the task: {"settings": {every task setting},
   "classifies", "input_size", "output_size", "validation_metrics":
   [names], "test_metrics": [names]}. */
const char *ccrnn_task_describe(const ccrnn_task *task);

/* The fixed data sets of `seed`. */
ccrnn_seed_data *ccrnn_task_seed_data(const ccrnn_task *task, uint64_t seed);
void ccrnn_seed_data_free(ccrnn_seed_data *data);
/* Data set `which` (0 training, empty when the task draws fresh samples
   every epoch; 1 validation; 2 test): shape = {size, steps, input size,
   target floats per sample}; *labelled = whether it has class labels. */
int32_t ccrnn_dataset_shape(const ccrnn_seed_data *data, int32_t which,
                            int64_t *shape, int32_t *labelled);
/* Samples [first, first + count) of data set `which`: the inputs (float32,
   count * steps * input size), the targets (count * target floats) and,
   unless NULL, the labels (count int64). */
int32_t ccrnn_dataset_read(const ccrnn_seed_data *data, int32_t which,
                           int64_t first, int64_t count, float *inputs,
                           float *targets, int64_t *labels);

/* The training batches of `epoch` (from 1) for `seed`. */
ccrnn_epoch *ccrnn_task_epoch(const ccrnn_task *task,
                              const ccrnn_seed_data *data, uint64_t seed,
                              int64_t epoch);
void ccrnn_epoch_free(ccrnn_epoch *epoch);
int64_t ccrnn_epoch_batches(const ccrnn_epoch *epoch);
/* Batch b (from 0) of batch_size samples, as ccrnn_dataset_read writes
   them. */
int32_t ccrnn_epoch_gather(const ccrnn_epoch *epoch, int64_t b, float *inputs,
                           float *targets, int64_t *labels);

/* `params` on data set `which` of `data`, by the instance `handle` of
   `trainer` (made by trainer->create), scored by the task as ccrnn-train
   scores it: fields = {loss, accuracy, uncertainty, dysmetria} (NaN when
   not the task's), metrics (unless NULL) = the task's validation metrics
   in order, predictions (unless NULL) = every sample's. */
int32_t ccrnn_evaluate(const ccrnn_task *task,
                       const ccrnn_trainer_api *trainer, void *handle,
                       const float *const *params,
                       const ccrnn_seed_data *data, int32_t which,
                       double *fields, double *metrics, float *predictions);

#ifdef __cplusplus
}
#endif

#endif /* CCRNN_C_DRIVER_H */
