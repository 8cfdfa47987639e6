/*
 * The codes JavaScript passes to course-blas. The addon exports them as `codes` (index.js), and the
 * course's kernels read them from there, so these enums are the only place they are written down.
 */
#ifndef COURSE_BLAS_H
#define COURSE_BLAS_H

/* gemm's and conv2d's fused activation (tfjs's names, as in _FusedMatMul's `activation`). */
enum course_activation { ACT_LINEAR, ACT_RELU, ACT_RELU6, ACT_SIGMOID, ACT_ELU, ACT_LEAKYRELU, ACT_COUNT };
static const char *const ACTIVATION_NAMES[ACT_COUNT] = {"linear", "relu", "relu6", "sigmoid", "elu", "leakyrelu"};

/* activationGrad's `kind`: which activation's gradient, and what `saved` holds (sigmoid: its output y; relu: its input x). */
enum course_activation_grad { GRAD_SIGMOID, GRAD_RELU, GRAD_COUNT };
static const char *const ACTIVATION_GRAD_NAMES[GRAD_COUNT] = {"sigmoid", "relu"};

/* poolGradTiled's `kind`. */
enum course_pool { POOL_MAX, POOL_AVERAGE, POOL_COUNT };
static const char *const POOL_NAMES[POOL_COUNT] = {"max", "average"};

/* COURSE_BLAS_BUILD_ID, the package's version and a digest of its sources (build-id.js), is defined by binding.gyp. */
#ifndef COURSE_BLAS_BUILD_ID
#error "COURSE_BLAS_BUILD_ID is defined by binding.gyp (node build-id.js); build with node-gyp"
#endif

#endif
