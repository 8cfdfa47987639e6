/*
 * course-blas: matrix products and convolutions for the course's TensorFlow.js
 * wasm kernels, on the system's BLAS (OpenBLAS's cblas_sgemm), through Node-API.
 *
 * Every function takes Float32Arrays, typically zero-copy views of the wasm
 * backend's heap, and writes its result into an output Float32Array the
 * caller allocated. Nothing here calls back into JavaScript or allocates JS
 * values while it holds those pointers, so a view stays valid for the whole
 * call. Every size is checked against the arrays' lengths before anything is
 * read or written: a wrong size is a RangeError, never a heap overwrite.
 *
 * Layouts are TensorFlow's: row-major matrices, NHWC images, filters
 * [kh, kw, inChannels, outChannels]. Convolutions use im2col: the patches of
 * a chunk of output pixels are copied into a scratch matrix [pixels, kh*kw*Cin]
 * and multiplied by the filter seen as a [kh*kw*Cin, Cout] matrix; chunking
 * keeps the scratch matrix small enough to stay in cache.
 */
#define _POSIX_C_SOURCE 200809L
#include <node_api.h>
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "course_blas.h"

/* ------------------------------------------------------------ arguments */

#define CHECK_NAPI(call)                                                           \
  do {                                                                            \
    if ((call) != napi_ok) {                                                      \
      napi_throw_error(env, NULL, "course-blas: Node-API call failed: " #call); \
      return NULL;                                                                \
    }                                                                             \
  } while (0)

typedef struct {
  float *data; /* NULL for a null/undefined optional argument */
  size_t length;
} F32;

static int read_f32(napi_env env, napi_value value, F32 *out, const char *name, int optional) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok) return 0;
  if (optional && (type == napi_null || type == napi_undefined)) {
    out->data = NULL;
    out->length = 0;
    return 1;
  }
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  napi_typedarray_type ta_type;
  void *data = NULL;
  size_t length = 0;
  if (!is_typed || napi_get_typedarray_info(env, value, &ta_type, &length, &data, NULL, NULL) != napi_ok ||
      ta_type != napi_float32_array) {
    char message[160];
    snprintf(message, sizeof message, "course-blas: %s must be a Float32Array", name);
    napi_throw_type_error(env, NULL, message);
    return 0;
  }
  out->data = (float *)data;
  out->length = length;
  return 1;
}

static int read_int(napi_env env, napi_value value, int64_t *out, const char *name) {
  double number;
  if (napi_get_value_double(env, value, &number) != napi_ok || number != floor(number) || number < 0 || number > 1e15) {
    char message[160];
    snprintf(message, sizeof message, "course-blas: %s must be a whole number >= 0", name);
    napi_throw_type_error(env, NULL, message);
    return 0;
  }
  *out = (int64_t)number;
  return 1;
}

static int read_double(napi_env env, napi_value value, double *out, const char *name) {
  if (napi_get_value_double(env, value, out) != napi_ok) {
    char message[160];
    snprintf(message, sizeof message, "course-blas: %s must be a number", name);
    napi_throw_type_error(env, NULL, message);
    return 0;
  }
  return 1;
}

static int read_bool(napi_env env, napi_value value, int *out) {
  bool flag = false;
  napi_valuetype type;
  napi_typeof(env, value, &type);
  if (type == napi_boolean) napi_get_value_bool(env, value, &flag);
  else {
    double number = 0;
    napi_get_value_double(env, value, &number);
    flag = number != 0;
  }
  *out = flag ? 1 : 0;
  return 1;
}

/* Fetches a call's first `want` arguments into argv; throws, naming the function, when there are fewer. */
static int read_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv, const char *function) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    napi_throw_error(env, NULL, "course-blas: could not read the arguments");
    return 0;
  }
  if (argc >= want) return 1;
  char message[120];
  snprintf(message, sizeof message, "course-blas: %s takes %zu arguments", function, want);
  napi_throw_type_error(env, NULL, message);
  return 0;
}

static int too_short(napi_env env, const F32 *array, int64_t needed, const char *name) {
  if ((int64_t)array->length >= needed) return 0;
  char message[200];
  snprintf(message, sizeof message, "course-blas: %s holds %zu values but %lld are needed", name, array->length,
           (long long)needed);
  napi_throw_range_error(env, NULL, message);
  return 1;
}

/* Geometry of one 2-D convolution, passed as an Int32Array of 15 values. */
typedef struct {
  int64_t batch, in_h, in_w, in_c, out_h, out_w, out_c, k_h, k_w, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
} Conv;

static int read_conv(napi_env env, napi_value value, Conv *g) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  napi_typedarray_type ta_type;
  void *data = NULL;
  size_t length = 0;
  if (!is_typed || napi_get_typedarray_info(env, value, &ta_type, &length, &data, NULL, NULL) != napi_ok ||
      ta_type != napi_int32_array || length < 15) {
    napi_throw_type_error(env, NULL, "course-blas: geometry must be an Int32Array of 15 values");
    return 0;
  }
  const int32_t *v = (const int32_t *)data;
  for (int i = 0; i < 13; i++) {
    if (v[i] < 0 || (i >= 9 && v[i] < 1)) {
      napi_throw_range_error(env, NULL, "course-blas: bad convolution geometry");
      return 0;
    }
  }
  *g = (Conv){v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14]};
  return 1;
}

/* ------------------------------------------------------------ activation */

/*
 * c[rows, cols] += bias (bias of `cols` values broadcast over rows, one value,
 * or rows*cols values), then the activation in place.
 */
static void epilogue(float *c, int64_t rows, int64_t cols, const float *bias, int64_t bias_length, int act,
                     float alpha) {
  const int64_t total = rows * cols;
  if (bias) {
    if (bias_length == cols) {
      for (int64_t r = 0; r < rows; r++) {
        float *row = c + r * cols;
        for (int64_t j = 0; j < cols; j++) row[j] += bias[j];
      }
    } else if (bias_length == 1) {
      for (int64_t i = 0; i < total; i++) c[i] += bias[0];
    } else {
      for (int64_t i = 0; i < total; i++) c[i] += bias[i];
    }
  }
  switch (act) {
  case ACT_RELU:
    for (int64_t i = 0; i < total; i++) c[i] = c[i] > 0 ? c[i] : 0;
    break;
  case ACT_RELU6:
    for (int64_t i = 0; i < total; i++) c[i] = c[i] < 0 ? 0 : (c[i] > 6 ? 6 : c[i]);
    break;
  case ACT_SIGMOID:
    for (int64_t i = 0; i < total; i++) c[i] = 1.0f / (1.0f + expf(-c[i]));
    break;
  case ACT_ELU:
    for (int64_t i = 0; i < total; i++) c[i] = c[i] >= 0 ? c[i] : expm1f(c[i]);
    break;
  case ACT_LEAKYRELU:
    for (int64_t i = 0; i < total; i++) c[i] = c[i] >= 0 ? c[i] : alpha * c[i];
    break;
  default:
    break;
  }
}

static int read_epilogue(napi_env env, napi_value *argv, F32 *bias, int64_t *act, double *alpha) {
  if (!read_f32(env, argv[0], bias, "bias", 1)) return 0;
  if (!read_int(env, argv[1], act, "activation")) return 0;
  if (*act < 0 || *act >= ACT_COUNT) {
    napi_throw_range_error(env, NULL, "course-blas: unknown activation code");
    return 0;
  }
  return read_double(env, argv[2], alpha, "alpha");
}

static int bias_fits(napi_env env, const F32 *bias, int64_t rows, int64_t cols) {
  if (!bias->data) return 1;
  int64_t n = (int64_t)bias->length;
  if (n == 1 || n == cols || n == rows * cols) return 1;
  napi_throw_range_error(env, NULL, "course-blas: bias must hold 1, cols or rows*cols values");
  return 0;
}

/* ------------------------------------------------------------ products */

/* c[m, n] = a[m] b[n]ᵀ: each element one rounded product, as sgemm with k = 1 computes it. */
static void outer_product(int64_t m, int64_t n, const float *restrict a, const float *restrict b, float *restrict c) {
  for (int64_t i = 0; i < m; i++) {
    float *restrict row = c + i * n;
    const float ai = a[i];
    for (int64_t j = 0; j < n; j++) row[j] = ai * b[j];
  }
}

/* C = op(A) op(B) + beta C for one row-major product; sgemv when a side is a vector. */
static void sgemm_rm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float *a, const float *b,
                     float beta, float *c) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (beta == 0) memset(c, 0, sizeof(float) * (size_t)(m * n));
    else if (beta != 1) cblas_sscal((int)(m * n), beta, c, 1);
    return;
  }
  if (k == 1 && beta == 0) {
    /* One sample's weight gradient, xᵀ·dy, where OpenBLAS's sgemm is slower (docs/performance.md);
       op(A) and op(B) are contiguous vectors whichever way they are stored. */
    outer_product(m, n, a, b, c);
    return;
  }
  if (m == 1) {
    /* c[1, n] = a[1, k] op(B): a is contiguous either way. */
    if (trans_b) cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)k, 1.0f, b, (int)k, a, 1, beta, c, 1);
    else cblas_sgemv(CblasRowMajor, CblasTrans, (int)k, (int)n, 1.0f, b, (int)n, a, 1, beta, c, 1);
    return;
  }
  if (n == 1) {
    /* c[m, 1] = op(A) b[k, 1]: b is contiguous either way. */
    if (trans_a) cblas_sgemv(CblasRowMajor, CblasTrans, (int)k, (int)m, 1.0f, a, (int)m, b, 1, beta, c, 1);
    else cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)m, (int)k, 1.0f, a, (int)k, b, 1, beta, c, 1);
    return;
  }
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n,
              (int)k, 1.0f, a, (int)(trans_a ? m : k), b, (int)(trans_b ? k : n), beta, c, (int)n);
}

/*
 * gemm(a, b, c, batch, m, n, k, transA, transB, aBatchStride, bBatchStride,
 *      bias, activation, alpha)
 * For each i < batch: c[i] = act(op(a[i]) op(b[i]) + bias), where a[i] starts
 * at i * aBatchStride (0 broadcasts one matrix over the batch), likewise b.
 */
static napi_value gemm(napi_env env, napi_callback_info info) {
  napi_value argv[14];
  if (!read_args(env, info, 14, argv, "gemm")) return NULL;
  F32 a, b, c, bias;
  int64_t batch, m, n, k, a_stride, b_stride, act;
  int trans_a, trans_b;
  double alpha;
  if (!read_f32(env, argv[0], &a, "a", 0) || !read_f32(env, argv[1], &b, "b", 0) || !read_f32(env, argv[2], &c, "c", 0) ||
      !read_int(env, argv[3], &batch, "batch") || !read_int(env, argv[4], &m, "m") || !read_int(env, argv[5], &n, "n") ||
      !read_int(env, argv[6], &k, "k") || !read_bool(env, argv[7], &trans_a) || !read_bool(env, argv[8], &trans_b) ||
      !read_int(env, argv[9], &a_stride, "aBatchStride") || !read_int(env, argv[10], &b_stride, "bBatchStride") ||
      !read_epilogue(env, argv + 11, &bias, &act, &alpha))
    return NULL;
  if (m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) {
    napi_throw_range_error(env, NULL, "course-blas: matrix too large");
    return NULL;
  }
  if (batch == 0 || m == 0 || n == 0) return NULL;
  if (too_short(env, &a, (batch - 1) * a_stride + m * k, "a") || too_short(env, &b, (batch - 1) * b_stride + k * n, "b") ||
      too_short(env, &c, batch * m * n, "c") || !bias_fits(env, &bias, m, n))
    return NULL;
  for (int64_t i = 0; i < batch; i++) {
    float *ci = c.data + i * m * n;
    sgemm_rm(trans_a, trans_b, m, n, k, a.data + i * a_stride, b.data + i * b_stride, 0.0f, ci);
    if (bias.data || act != ACT_LINEAR) epilogue(ci, m, n, bias.data, (int64_t)bias.length, (int)act, (float)alpha);
  }
  return NULL;
}

/* ------------------------------------------------------------ convolutions */

/* Scratch for im2col, reused across calls (the addon runs on the JS thread only). */
static float *scratch = NULL;
static size_t scratch_floats = 0;

static float *scratch_for(size_t floats) {
  if (floats > scratch_floats) {
    free(scratch);
    scratch = (float *)malloc(sizeof(float) * floats);
    scratch_floats = scratch ? floats : 0;
  }
  return scratch;
}

/* Output pixels per chunk: a scratch matrix of about 1 MiB, at least one row. */
static int64_t chunk_rows(int64_t k, int64_t pixels) {
  int64_t rows = (1 << 18) / (k > 0 ? k : 1);
  if (rows < 1) rows = 1;
  return rows < pixels ? rows : pixels;
}

static int is_pointwise(const Conv *g) {
  return g->k_h == 1 && g->k_w == 1 && g->stride_h == 1 && g->stride_w == 1 && g->pad_top == 0 && g->pad_left == 0 &&
         g->out_h == g->in_h && g->out_w == g->in_w;
}

/*
 * The taps fx in [*first, *end) of one window row whose input column
 * ox * stride - pad + fx * dilation lies inside the image.
 */
static void valid_taps(const Conv *g, int64_t ox, int64_t *first, int64_t *end) {
  const int64_t x0 = ox * g->stride_w - g->pad_left;
  int64_t lo = 0, hi = g->k_w;
  if (x0 < 0) lo = (-x0 + g->dil_w - 1) / g->dil_w;
  const int64_t last = g->in_w - 1 - x0; /* fx * dil <= last */
  if (last < 0) hi = 0;
  else if (last / g->dil_w + 1 < hi) hi = last / g->dil_w + 1;
  if (lo > hi) lo = hi;
  *first = lo;
  *end = hi;
}

/*
 * Rows [p0, p0 + rows) of the patch matrix: row p holds output pixel p's
 * window, [kh][kw][Cin], zeros outside the image. Without dilation the taps
 * of one window row are contiguous in the image, so each is one memcpy.
 */
static void im2col(const Conv *g, const float *x, int64_t p0, int64_t rows, float *cols) {
  const int64_t k = g->k_h * g->k_w * g->in_c;
  const int64_t per_image = g->out_h * g->out_w;
  const int64_t cin = g->in_c, row_len = g->k_w * cin;
  for (int64_t r = 0; r < rows; r++) {
    const int64_t p = p0 + r;
    const int64_t b = p / per_image, oy = (p % per_image) / g->out_w, ox = p % g->out_w;
    float *row = cols + r * k;
    const float *image = x + b * g->in_h * g->in_w * cin;
    int64_t first, end;
    valid_taps(g, ox, &first, &end);
    const int64_t x0 = ox * g->stride_w - g->pad_left;
    for (int64_t fy = 0; fy < g->k_h; fy++) {
      const int64_t iy = oy * g->stride_h - g->pad_top + fy * g->dil_h;
      float *dst = row + fy * row_len;
      if (iy < 0 || iy >= g->in_h || first >= end) {
        memset(dst, 0, sizeof(float) * (size_t)row_len);
        continue;
      }
      if (first > 0) memset(dst, 0, sizeof(float) * (size_t)(first * cin));
      const float *src = image + (iy * g->in_w + x0) * cin;
      if (g->dil_w == 1) {
        memcpy(dst + first * cin, src + first * cin, sizeof(float) * (size_t)((end - first) * cin));
      } else {
        for (int64_t fx = first; fx < end; fx++)
          memcpy(dst + fx * cin, src + fx * g->dil_w * cin, sizeof(float) * (size_t)cin);
      }
      if (end < g->k_w) memset(dst + end * cin, 0, sizeof(float) * (size_t)((g->k_w - end) * cin));
    }
  }
}

/* The reverse of im2col: adds each patch row back onto the image positions it came from. */
static void col2im_add(const Conv *g, const float *cols, int64_t p0, int64_t rows, float *dx) {
  const int64_t k = g->k_h * g->k_w * g->in_c;
  const int64_t per_image = g->out_h * g->out_w;
  const int64_t cin = g->in_c, row_len = g->k_w * cin;
  for (int64_t r = 0; r < rows; r++) {
    const int64_t p = p0 + r;
    const int64_t b = p / per_image, oy = (p % per_image) / g->out_w, ox = p % g->out_w;
    const float *row = cols + r * k;
    float *image = dx + b * g->in_h * g->in_w * cin;
    int64_t first, end;
    valid_taps(g, ox, &first, &end);
    const int64_t x0 = ox * g->stride_w - g->pad_left;
    for (int64_t fy = 0; fy < g->k_h; fy++) {
      const int64_t iy = oy * g->stride_h - g->pad_top + fy * g->dil_h;
      if (iy < 0 || iy >= g->in_h || first >= end) continue;
      const float *src = row + fy * row_len;
      float *dst = image + (iy * g->in_w + x0) * cin;
      if (g->dil_w == 1) {
        for (int64_t i = first * cin; i < end * cin; i++) dst[i] += src[i];
      } else {
        for (int64_t fx = first; fx < end; fx++)
          for (int64_t ci = 0; ci < cin; ci++) dst[fx * g->dil_w * cin + ci] += src[fx * cin + ci];
      }
    }
  }
}

static int read_conv_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv, Conv *g,
                          const char *function) {
  return read_args(env, info, want, argv, function) && read_conv(env, argv[3], g);
}

static int no_memory(napi_env env) {
  napi_throw_error(env, NULL, "course-blas: out of memory for the im2col scratch matrix");
  return 1;
}

/* conv2d(x, filter, out, geometry, bias, activation, alpha): out = act(conv(x, filter) + bias), NHWC. */
static napi_value conv2d(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  Conv g;
  F32 x, w, out, bias;
  int64_t act;
  double alpha;
  if (!read_conv_args(env, info, 7, argv, &g, "conv2d") || !read_f32(env, argv[0], &x, "x", 0) ||
      !read_f32(env, argv[1], &w, "filter", 0) || !read_f32(env, argv[2], &out, "out", 0) ||
      !read_epilogue(env, argv + 4, &bias, &act, &alpha))
    return NULL;
  const int64_t k = g.k_h * g.k_w * g.in_c, pixels = g.batch * g.out_h * g.out_w;
  if (too_short(env, &x, g.batch * g.in_h * g.in_w * g.in_c, "x") || too_short(env, &w, k * g.out_c, "filter") ||
      too_short(env, &out, pixels * g.out_c, "out") || !bias_fits(env, &bias, pixels, g.out_c))
    return NULL;
  if (pixels == 0 || g.out_c == 0) return NULL;
  const int full_bias = bias.data && (int64_t)bias.length == pixels * g.out_c && pixels * g.out_c != g.out_c;
  if (is_pointwise(&g)) {
    sgemm_rm(0, 0, pixels, g.out_c, k, x.data, w.data, 0.0f, out.data);
    epilogue(out.data, pixels, g.out_c, bias.data, (int64_t)bias.length, (int)act, (float)alpha);
    return NULL;
  }
  const int64_t chunk = chunk_rows(k, pixels);
  float *cols = scratch_for((size_t)(chunk * k));
  if (!cols && no_memory(env)) return NULL;
  for (int64_t p0 = 0; p0 < pixels; p0 += chunk) {
    const int64_t rows = pixels - p0 < chunk ? pixels - p0 : chunk;
    float *dst = out.data + p0 * g.out_c;
    im2col(&g, x.data, p0, rows, cols);
    sgemm_rm(0, 0, rows, g.out_c, k, cols, w.data, 0.0f, dst);
    const float *chunk_bias = full_bias ? bias.data + p0 * g.out_c : bias.data;
    epilogue(dst, rows, g.out_c, chunk_bias, full_bias ? rows * g.out_c : (int64_t)bias.length, (int)act, (float)alpha);
  }
  return NULL;
}

/* conv2dBackpropInput(dy, filter, dx, geometry): dx = the input gradient, NHWC. */
static napi_value conv2d_backprop_input(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  Conv g;
  F32 dy, w, dx;
  if (!read_conv_args(env, info, 4, argv, &g, "conv2dBackpropInput") || !read_f32(env, argv[0], &dy, "dy", 0) ||
      !read_f32(env, argv[1], &w, "filter", 0) || !read_f32(env, argv[2], &dx, "dx", 0))
    return NULL;
  const int64_t k = g.k_h * g.k_w * g.in_c, pixels = g.batch * g.out_h * g.out_w;
  const int64_t dx_size = g.batch * g.in_h * g.in_w * g.in_c;
  if (too_short(env, &dy, pixels * g.out_c, "dy") || too_short(env, &w, k * g.out_c, "filter") ||
      too_short(env, &dx, dx_size, "dx"))
    return NULL;
  if (is_pointwise(&g)) {
    sgemm_rm(0, 1, pixels, g.in_c, g.out_c, dy.data, w.data, 0.0f, dx.data);
    return NULL;
  }
  memset(dx.data, 0, sizeof(float) * (size_t)dx_size);
  if (pixels == 0 || k == 0) return NULL;
  const int64_t chunk = chunk_rows(k, pixels);
  float *cols = scratch_for((size_t)(chunk * k));
  if (!cols && no_memory(env)) return NULL;
  for (int64_t p0 = 0; p0 < pixels; p0 += chunk) {
    const int64_t rows = pixels - p0 < chunk ? pixels - p0 : chunk;
    /* cols[rows, k] = dy[rows, Cout] filter[k, Cout]^T */
    sgemm_rm(0, 1, rows, k, g.out_c, dy.data + p0 * g.out_c, w.data, 0.0f, cols);
    col2im_add(&g, cols, p0, rows, dx.data);
  }
  return NULL;
}

/* conv2dBackpropFilter(x, dy, dw, geometry): dw = the filter gradient, [kh, kw, Cin, Cout]. */
static napi_value conv2d_backprop_filter(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  Conv g;
  F32 x, dy, dw;
  if (!read_conv_args(env, info, 4, argv, &g, "conv2dBackpropFilter") || !read_f32(env, argv[0], &x, "x", 0) ||
      !read_f32(env, argv[1], &dy, "dy", 0) || !read_f32(env, argv[2], &dw, "dw", 0))
    return NULL;
  const int64_t k = g.k_h * g.k_w * g.in_c, pixels = g.batch * g.out_h * g.out_w;
  if (too_short(env, &x, g.batch * g.in_h * g.in_w * g.in_c, "x") || too_short(env, &dy, pixels * g.out_c, "dy") ||
      too_short(env, &dw, k * g.out_c, "dw"))
    return NULL;
  if (k == 0 || g.out_c == 0) return NULL;
  if (pixels == 0) {
    memset(dw.data, 0, sizeof(float) * (size_t)(k * g.out_c));
    return NULL;
  }
  if (is_pointwise(&g)) {
    sgemm_rm(1, 0, k, g.out_c, pixels, x.data, dy.data, 0.0f, dw.data);
    return NULL;
  }
  const int64_t chunk = chunk_rows(k, pixels);
  float *cols = scratch_for((size_t)(chunk * k));
  if (!cols && no_memory(env)) return NULL;
  for (int64_t p0 = 0; p0 < pixels; p0 += chunk) {
    const int64_t rows = pixels - p0 < chunk ? pixels - p0 : chunk;
    im2col(&g, x.data, p0, rows, cols);
    /* dw[k, Cout] (+)= cols[rows, k]^T dy[rows, Cout] */
    sgemm_rm(1, 0, k, g.out_c, rows, cols, dy.data + p0 * g.out_c, p0 == 0 ? 0.0f : 1.0f, dw.data);
  }
  return NULL;
}

/* ------------------------------------------------------------ Adam */

/*
 * adamUpdate(param, m, v, gradient, paramOut, mOut, vOut, beta1, beta2, stepSize, epsilon):
 * one Adam step for one parameter (the course's CourseAdamUpdate kernel, src/kernels/adam-update.ts),
 * in one pass over the seven arrays instead of a dozen element-wise kernels. Memory-bound: the
 * compiler vectorizes the loop (sqrt and division included, hence -fno-math-errno in binding.gyp).
 */
static void adam_loop(int64_t n, const float *restrict p, const float *restrict m, const float *restrict v,
                      const float *restrict g, float *restrict p_out, float *restrict m_out, float *restrict v_out,
                      float b1, float b2, float keep1, float keep2, float step, float eps) {
  for (int64_t i = 0; i < n; i++) {
    const float mi = b1 * m[i] + keep1 * g[i];
    const float vi = b2 * v[i] + keep2 * g[i] * g[i];
    m_out[i] = mi;
    v_out[i] = vi;
    p_out[i] = p[i] - step * mi / (sqrtf(vi) + eps);
  }
}

static napi_value adam_update(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  if (!read_args(env, info, 11, argv, "adamUpdate")) return NULL;
  static const char *names[7] = {"param", "m", "v", "gradient", "paramOut", "mOut", "vOut"};
  F32 a[7];
  for (int i = 0; i < 7; i++) {
    if (!read_f32(env, argv[i], &a[i], names[i], 0)) return NULL;
  }
  double beta1, beta2, step_size, epsilon;
  if (!read_double(env, argv[7], &beta1, "beta1") || !read_double(env, argv[8], &beta2, "beta2") ||
      !read_double(env, argv[9], &step_size, "stepSize") || !read_double(env, argv[10], &epsilon, "epsilon"))
    return NULL;
  const int64_t n = (int64_t)a[0].length;
  for (int i = 1; i < 7; i++) {
    if (too_short(env, &a[i], n, names[i])) return NULL;
  }
  /* Restrict-qualified parameters, not locals loaded from `a`: GCC 12 vectorizes only the former. */
  adam_loop(n, a[0].data, a[1].data, a[2].data, a[3].data, a[4].data, a[5].data, a[6].data, (float)beta1,
            (float)beta2, (float)(1 - beta1), (float)(1 - beta2), (float)step_size, (float)epsilon);
  return NULL;
}

/*
 * sgdUpdate(param, gradient, out, learningRate): out = param - learningRate * gradient, for the
 * course's CourseSgdUpdate kernel (src/kernels/sgd-update.ts). Rounded after the product and after the
 * difference (binding.gyp: -ffp-contract=off), as tfjs's mul and sub are, so the results are the same.
 */
static napi_value sgd_update(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!read_args(env, info, 4, argv, "sgdUpdate")) return NULL;
  F32 param, gradient, out;
  double learning_rate;
  if (!read_f32(env, argv[0], &param, "param", 0) || !read_f32(env, argv[1], &gradient, "gradient", 0) ||
      !read_f32(env, argv[2], &out, "out", 0) || !read_double(env, argv[3], &learning_rate, "learningRate"))
    return NULL;
  const int64_t n = (int64_t)param.length;
  if (too_short(env, &gradient, n, "gradient") || too_short(env, &out, n, "out")) return NULL;
  const float eta = (float)learning_rate;
  const float *restrict p = param.data, *restrict g = gradient.data;
  float *restrict o = out.data;
  for (int64_t i = 0; i < n; i++) {
    const float step = eta * g[i];
    o[i] = p[i] - step;
  }
  return NULL;
}

/* ------------------------------------------------------------ activations' gradients */

/* dy · (y · (1 − y)) from the sigmoid's output y: tfjs's Sub, Multiply, Multiply, rounded as they are. */
static void sigmoid_grad(int64_t n, const float *restrict dy, const float *restrict y, float *restrict out) {
  for (int64_t i = 0; i < n; i++) {
    const float slope = y[i] * (1.0f - y[i]);
    out[i] = dy[i] * slope;
  }
}

/* dy · step(x) from ReLU's input x; step is 1 above 0, 0 elsewhere, NaN for NaN (tfjs's Step). */
static void relu_grad(int64_t n, const float *restrict dy, const float *restrict x, float *restrict out) {
  for (int64_t i = 0; i < n; i++) {
    const float step = x[i] > 0 ? 1.0f : (x[i] != x[i] ? x[i] : 0.0f);
    out[i] = dy[i] * step;
  }
}

/*
 * activationGrad(kind, dy, saved, out): the gradient of an activation in one pass, for the course's
 * CourseSigmoidGrad (GRAD_SIGMOID, saved = the output y) and CourseReluGrad (GRAD_RELU, saved = the input x)
 * kernels (src/kernels/activation-grads.ts). tfjs composes each from three element-wise kernels.
 */
static napi_value activation_grad(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!read_args(env, info, 4, argv, "activationGrad")) return NULL;
  int64_t kind;
  F32 dy, saved, out;
  if (!read_int(env, argv[0], &kind, "kind") || !read_f32(env, argv[1], &dy, "dy", 0) ||
      !read_f32(env, argv[2], &saved, "saved", 0) || !read_f32(env, argv[3], &out, "out", 0))
    return NULL;
  const int64_t n = (int64_t)dy.length;
  if (too_short(env, &saved, n, "saved") || too_short(env, &out, n, "out")) return NULL;
  if (kind == GRAD_SIGMOID) sigmoid_grad(n, dy.data, saved.data, out.data);
  else if (kind == GRAD_RELU) relu_grad(n, dy.data, saved.data, out.data);
  else {
    napi_throw_range_error(env, NULL, "course-blas: activationGrad's kind is not one of codes.activationGrad");
    return NULL;
  }
  return NULL;
}

/* ------------------------------------------------------------ biases and pooling gradients */

/*
 * out = x + bias over the last axis (x holds rows of bias.length values). tfjs-backend-wasm's Add
 * broadcasts with a general index loop (docs/performance.md); one vectorizable pass instead.
 */
static napi_value bias_add(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!read_args(env, info, 3, argv, "biasAdd")) return NULL;
  F32 x, bias, out;
  if (!read_f32(env, argv[0], &x, "x", 0) || !read_f32(env, argv[1], &bias, "bias", 0) || !read_f32(env, argv[2], &out, "out", 0))
    return NULL;
  const int64_t channels = (int64_t)bias.length, n = (int64_t)x.length;
  if (channels == 0 || n % channels != 0) {
    napi_throw_range_error(env, NULL, "course-blas: biasAdd: x's length is not a multiple of the bias's");
    return NULL;
  }
  if (too_short(env, &out, n, "out")) return NULL;
  const float *restrict b = bias.data;
  for (int64_t row = 0; row < n; row += channels) {
    const float *restrict xr = x.data + row;
    float *restrict o = out.data + row;
    for (int64_t c = 0; c < channels; c++) o[c] = xr[c] + b[c];
  }
  return NULL;
}

/*
 * out[c] = the sum over the rows of x (rows of out.length values): the gradient of a bias. Rows are
 * added one after another in float32, the order of tfjs-backend-wasm's own Sum, so that the results
 * are bit-for-bit the same; that kernel first transposes the whole tensor.
 */
static napi_value column_sums(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!read_args(env, info, 2, argv, "columnSums")) return NULL;
  F32 x, out;
  if (!read_f32(env, argv[0], &x, "x", 0) || !read_f32(env, argv[1], &out, "out", 0)) return NULL;
  const int64_t channels = (int64_t)out.length, n = (int64_t)x.length;
  if (channels == 0 || n % channels != 0) {
    napi_throw_range_error(env, NULL, "course-blas: columnSums: x's length is not a multiple of out's");
    return NULL;
  }
  float *restrict o = out.data;
  for (int64_t c = 0; c < channels; c++) o[c] = 0.0f;
  for (int64_t row = 0; row < n; row += channels) {
    const float *restrict xr = x.data + row;
    for (int64_t c = 0; c < channels; c++) o[c] += xr[c];
  }
  return NULL;
}

/*
 * Gradient of 2-D pooling (NHWC) when the windows tile the input exactly: stride = window, no
 * padding, input = output x window. Every input element then belongs to one window, so each is
 * written once. POOL_MAX: dy goes whole to the window's first maximum (strict '>': NaN never
 * wins), the other elements get 0. POOL_AVERAGE: every element gets dy / window size.
 * geometry: batch, outHeight, outWidth, channels, windowHeight, windowWidth.
 */
static napi_value pool_grad_tiled(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!read_args(env, info, 5, argv, "poolGradTiled")) return NULL;
  int64_t kind, g[6];
  F32 x, dy, dx;
  if (!read_int(env, argv[0], &kind, "kind") || !read_f32(env, argv[1], &x, "x", 1) || !read_f32(env, argv[2], &dy, "dy", 0) ||
      !read_f32(env, argv[3], &dx, "dx", 0))
    return NULL;
  static const char *names[6] = {"batch", "outHeight", "outWidth", "channels", "windowHeight", "windowWidth"};
  for (uint32_t i = 0; i < 6; i++) {
    napi_value v;
    CHECK_NAPI(napi_get_element(env, argv[4], i, &v));
    if (!read_int(env, v, &g[i], names[i])) return NULL;
  }
  const int64_t batch = g[0], oh = g[1], ow = g[2], ch = g[3], fh = g[4], fw = g[5];
  const int64_t iw = ow * fw, in_size = batch * oh * fh * iw * ch;
  if (too_short(env, &dy, batch * oh * ow * ch, "dy") || too_short(env, &dx, in_size, "dx")) return NULL;
  if (kind != POOL_MAX && kind != POOL_AVERAGE) {
    napi_throw_range_error(env, NULL, "course-blas: poolGradTiled's kind is not one of codes.pool");
    return NULL;
  }
  if (kind == POOL_MAX && too_short(env, &x, in_size, "x")) return NULL;
  const float share = 1.0f / (float)(fh * fw);
  const float *dyp = dy.data;
  for (int64_t b = 0; b < batch; b++) {
    for (int64_t r = 0; r < oh; r++) {
      const int64_t row0 = (b * oh + r) * fh; /* first input row of this window row */
      for (int64_t c = 0; c < ow; c++, dyp += ch) {
        const int64_t corner = (row0 * iw + c * fw) * ch;
        for (int64_t k = 0; k < ch; k++) {
          if (kind == POOL_AVERAGE) {
            const float v = dyp[k] * share;
            for (int64_t i = 0; i < fh; i++)
              for (int64_t j = 0; j < fw; j++) dx.data[corner + (i * iw + j) * ch + k] = v;
            continue;
          }
          float best = -INFINITY;
          int64_t best_at = -1;
          for (int64_t i = 0; i < fh; i++) {
            for (int64_t j = 0; j < fw; j++) {
              const int64_t at = corner + (i * iw + j) * ch + k;
              dx.data[at] = 0;
              if (x.data[at] > best) {
                best = x.data[at];
                best_at = at;
              }
            }
          }
          if (best_at >= 0) dx.data[best_at] = dyp[k];
        }
      }
    }
  }
  return NULL;
}

/* ------------------------------------------------------------ threads and identity */

static napi_value set_threads(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int64_t threads;
  if (!read_args(env, info, 1, argv, "setThreads") || !read_int(env, argv[0], &threads, "threads")) return NULL;
#ifdef OPENBLAS_VERSION
  openblas_set_num_threads(threads < 1 ? 1 : (int)threads);
#endif
  return NULL;
}

static napi_value describe(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, value;
  CHECK_NAPI(napi_create_object(env, &result));
#ifdef OPENBLAS_VERSION
  CHECK_NAPI(napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &value));
  CHECK_NAPI(napi_set_named_property(env, result, "config", value));
  CHECK_NAPI(napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &value));
  CHECK_NAPI(napi_set_named_property(env, result, "core", value));
  CHECK_NAPI(napi_create_int32(env, openblas_get_num_threads(), &value));
  CHECK_NAPI(napi_set_named_property(env, result, "threads", value));
  CHECK_NAPI(napi_create_string_utf8(env, "OpenBLAS", NAPI_AUTO_LENGTH, &value));
#else
  CHECK_NAPI(napi_create_int32(env, 1, &value));
  CHECK_NAPI(napi_set_named_property(env, result, "threads", value));
  CHECK_NAPI(napi_create_string_utf8(env, "CBLAS", NAPI_AUTO_LENGTH, &value));
#endif
  CHECK_NAPI(napi_set_named_property(env, result, "library", value));
  return result;
}

/* { name: code } for one of course_blas.h's enums. */
static napi_value code_table(napi_env env, const char *const *names, int count) {
  napi_value table, value;
  if (napi_create_object(env, &table) != napi_ok) return NULL;
  for (int i = 0; i < count; i++) {
    if (napi_create_int32(env, i, &value) != napi_ok || napi_set_named_property(env, table, names[i], value) != napi_ok) return NULL;
  }
  return table;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value codes, build_id, table;
  CHECK_NAPI(napi_create_object(env, &codes));
  if (!(table = code_table(env, ACTIVATION_NAMES, ACT_COUNT))) return NULL;
  CHECK_NAPI(napi_set_named_property(env, codes, "activation", table));
  if (!(table = code_table(env, ACTIVATION_GRAD_NAMES, GRAD_COUNT))) return NULL;
  CHECK_NAPI(napi_set_named_property(env, codes, "activationGrad", table));
  if (!(table = code_table(env, POOL_NAMES, POOL_COUNT))) return NULL;
  CHECK_NAPI(napi_set_named_property(env, codes, "pool", table));
  CHECK_NAPI(napi_create_string_utf8(env, COURSE_BLAS_BUILD_ID, NAPI_AUTO_LENGTH, &build_id));
  napi_property_descriptor properties[] = {
      {"buildId", NULL, NULL, NULL, NULL, build_id, napi_enumerable, NULL},
      {"codes", NULL, NULL, NULL, NULL, codes, napi_enumerable, NULL},
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv2d", NULL, conv2d, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv2dBackpropInput", NULL, conv2d_backprop_input, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv2dBackpropFilter", NULL, conv2d_backprop_filter, NULL, NULL, NULL, napi_enumerable, NULL},
      {"adamUpdate", NULL, adam_update, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sgdUpdate", NULL, sgd_update, NULL, NULL, NULL, napi_enumerable, NULL},
      {"activationGrad", NULL, activation_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"biasAdd", NULL, bias_add, NULL, NULL, NULL, napi_enumerable, NULL},
      {"columnSums", NULL, column_sums, NULL, NULL, NULL, napi_enumerable, NULL},
      {"poolGradTiled", NULL, pool_grad_tiled, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"describe", NULL, describe, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
