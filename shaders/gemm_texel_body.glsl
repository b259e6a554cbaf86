// The product half of the texel GEMM kernels (gemm_texel: general epilogue;
// gemm_texel_maxpool: a convolution's fused 2x2 max pool).
// GEMM for CPU Vulkan drivers (lavapipe): register tiling, no shared memory. Each invocation
// owns a TM x TN block of C in registers;
// A and B are read through uniform texel buffers, all fetches of a 4-deep k-step issued before
// the arithmetic. Why: on llvmpipe texelFetch is branch-free while storage/shared loads become
// per-lane bounds-checked loops, each barrier() is a coroutine switch, and texelFetch is an
// out-of-line call that clobbers vector registers (shared/LAVAPIPE.md).
// Operands are RGBA32F views (4 floats per fetch): every row starts on a vec4 (ld % 4 == 0), and
// K % 4 == 0 for a K-contiguous operand (A, or B when TRANS_B). An M- or N-contiguous operand
// may have any M/N: its last vec4 reaches into the row padding or the buffer's 16-byte tail.
// An operand that is not so aligned (a 10-class layer's dy: rows of 10 floats) is read through
// an R32F view instead (A_R32 / B_R32): 4 scalar fetches per vec4, columns clamped to the row.
// nn/ops/gemm.cpp checks the shapes and otherwise uses gemm_tiled.glsl.
//
// GEMM_A_SHUFFLE (the *_sg.comp twins; subgroups of 8 along x, subgroup shuffle): the 8 lanes
// of a subgroup share A's rows, so instead of each lane fetching every row of its block (TM
// fetches per 4-deep step, each returning the same floats to all 8 lanes), lane l fetches row
// m0 + l (+ 8r) and a subgroupShuffle with a constant lane, one vector permute on llvmpipe,
// hands each row to every lane: TM / 8 fetches per step. That leaves B's fetches as the cost,
// so these blocks are 16 rows high (nn/ops/gemm.cpp). All lanes take part (a lane past N fetches
// clamped columns and stores nothing) and share one k range (no splits along x).
#include "common.glsl"

// Every constant of gemm_texel_constants.glsl, declared here for both kernels; what each means:
#define GEMM_TEXEL_CONSTANT(NAME, ID, TYPE, VALUE) layout(constant_id = ID) const TYPE NAME = VALUE;
#include "gemm_texel_constants.glsl"
#undef GEMM_TEXEL_CONSTANT
#define GEMM_TEXEL_CONSTANTS_DECLARED

// TM, TN: the block of C per invocation, rows and columns, multiples of 4.
// A_R32, B_R32: the operand is an R32F view: one float per fetch (above).
// K_TAIL: whether a k range can end in a partial 4-deep step (K % 4 != 0). A constant, not a
// test of p.K: llvmpipe runs both sides of a branch with lanes masked, so a tail step that
// "never runs" still costs a whole k-step per invocation unless it is compiled out.
// FETCH_8: fetch 8 deep before multiplying (nn/ops/gemm.cpp sets it for k ranges of 128 or
// more). texelFetch is an out-of-line call that clobbers the vector registers, so the
// accumulators are spilled and reloaded around each group of fetches: twice the depth halves
// that traffic (docs/perf/lavapipe-kernels.md; 16 deep was no better than 8).
// C_BLOCKED: c_block != 0 (gemm_common.glsl).
// EPI_BIAS (p.bias_mode), EPI_RELU (p.relu != 0), EPI_BETA (p.beta != 0: C is read): the
// epilogue's choices, fixed per pipeline rather than read from the push constants: llvmpipe
// executes both sides of every branch with lanes masked, so each path left in the shader costs
// every invocation its loads and stores whether taken or not.
// A_POOLED, A_PHW: A is a pooled convolution's gradient read straight from the pool's output
// gradient dy (N, M, A_PHW) through binding 0 and its winners (argmax) through binding 2, both
// R32F: A's row m, columns k..k+3 are window k/4 of channel m, dy at the winning cell and 0
// elsewhere (what maxpool2x2_windows_backward would have stored; nn/ops/gemm.hpp,
// Gemm::pooled_cells).
// POOL_NHWC: the pooled tensors are channels-last, (N, PH, PW, M) instead of (N, M, PH, PW): a
// fused max pool's y and winners (gemm_texel_maxpool.glsl), or a pooled A's dy and winners,
// which are then read through RGBA32F views, 4 rows per fetch. M % 4 == 0. Rows of one window
// lie side by side, where NCHW's odd planes (13 x 13) forbid any vec4 (nn/ops/conv2d.hpp).
// PHW (gemm_texel_maxpool.glsl): pooled cells per image and channel. VEC4_STORE
// (gemm_texel.glsl): C is stored as whole vec4s.
// SPLIT_IN_X, TRANS_A, TRANS_B: gemm_common.glsl.
#ifdef GEMM_A_SHUFFLE
const bool A_SHUFFLE = true;  // TM % 8 == 0, subgroups of 8; not with A_POOLED
#else
const bool A_SHUFFLE = false;
#endif
#define GEMM_C_BLOCKED_SPEC
#define GEMM_EPILOGUE_SPEC
#include "gemm_common.glsl"

layout(binding = 0) uniform samplerBuffer A;  // RGBA32F, or R32F when A_R32
layout(binding = 1) uniform samplerBuffer B;
layout(binding = 2) uniform samplerBuffer Bias;  // read only when bias_mode != 0

uint m0, n0;
uint a_off, b_off;  // this product's A and B, in floats (batched GEMMs; else 0)

// Floats t[row * ld + col .. + 3]. RGBA32F: one fetch (col % 4 == 0 and ld % 4 == 0). R32F:
// four fetches. With `clamp` (a constant at each call), columns past `last` read the vec4 /
// float holding column `last` instead: valid memory, which the store discards or the caller
// zeroes. Without, no integer ops beyond the address (the unguarded k-steps).
vec4 fetch4(samplerBuffer t, bool r32, uint row, uint ld, uint col, uint last, bool clamp, uint batch_offset) {
  const uint base = row * ld + batch_offset;
  if (!r32) return texelFetch(t, int((base + (clamp ? min(col, last & ~3u) : col)) >> 2));
  vec4 r;
  for (uint q = 0; q < 4; ++q) r[q] = texelFetch(t, int(base + (clamp ? min(col + q, last) : col + q))).x;
  return r;
}

// Fetch phase of one 4-deep k-step. Rows past M/N are clamped to the last row. `guard` (a
// constant at each call, so it compiles away) marks the one step that may reach past K: its
// k rows / columns past K are clamped and zeroed. Every other step is fetched unguarded: no
// clamp, compare and 4 multiplies per fetch.
void fetch_step(uint k, bool guard, out vec4 a[TM], out vec4 b[TN]) {
  const vec4 k_live = guard ? vec4(lessThan(uvec4(k) + uvec4(0, 1, 2, 3), uvec4(p.K))) : vec4(1.0);
  if (A_POOLED && POOL_NHWC) {
    const uint q = k >> 2u;  // the window; k % 4 == 0
    for (uint v = 0; v < TM / 4; ++v) {
      // Rows past M (a block reaching beyond the last) read the last 4 rows: discarded.
      const int src = int((q * p.M + min(m0 + 4u * v, p.M - 4u)) >> 2u);
      const vec4 g = texelFetch(A, src), cell = texelFetch(Bias, src);
      for (uint t = 0; t < 4; ++t) a[4 * v + t] = mix(vec4(0.0), vec4(g[t]), equal(vec4(cell[t]), vec4(0.0, 1.0, 2.0, 3.0)));
    }
  } else if (A_POOLED) {
    const uint q = k >> 2u, n = q / A_PHW, pos = q % A_PHW;  // the window; k % 4 == 0
    for (uint i = 0; i < TM; ++i) {
      const int src = int((n * p.M + min(m0 + i, p.M - 1)) * A_PHW + pos);
      const float g = texelFetch(A, src).x, cell = texelFetch(Bias, src).x;
      // A select, not a multiply by the mask: 0 * inf would be NaN.
      a[i] = mix(vec4(0.0), vec4(g), equal(vec4(cell), vec4(0.0, 1.0, 2.0, 3.0)));
    }
#ifdef GEMM_A_SHUFFLE
  } else if (!TRANS_A) {  // a[r] = A[m0 + 8r + lane][k..k+3]
    for (uint r = 0; r < TM / 8; ++r) {
      a[r] = fetch4(A, A_R32, min(m0 + 8 * r + gl_SubgroupInvocationID, p.M - 1), p.lda, k, p.K - 1, guard, a_off);
      if (guard) a[r] *= k_live;
    }
  } else {  // a[r] = A[k + lane % 4][m0 + 8r + 4 (lane / 4) ..+3]
    const uint kk = gl_SubgroupInvocationID & 3u, col4 = gl_SubgroupInvocationID >> 2u;
    const uint row = guard ? min(k + kk, p.K - 1) : k + kk;
    for (uint r = 0; r < TM / 8; ++r) {
      a[r] = fetch4(A, A_R32, row, p.lda, m0 + 8 * r + 4 * col4, p.M - 1, true, a_off);
      if (guard) a[r] *= k_live[kk];
    }
#else
  } else if (!TRANS_A) {
    for (uint i = 0; i < TM; ++i) {
      a[i] = fetch4(A, A_R32, min(m0 + i, p.M - 1), p.lda, k, p.K - 1, guard, a_off);
      if (guard) a[i] *= k_live;
    }
  } else {
    for (uint kk = 0; kk < 4; ++kk)
      for (uint v = 0; v < TM / 4; ++v) {
        const uint row = guard ? min(k + kk, p.K - 1) : k + kk;
        vec4 t = fetch4(A, A_R32, row, p.lda, m0 + 4 * v, p.M - 1, true, a_off);
        if (guard) t *= k_live[kk];
        a[(kk * TM / 4 + v) % TM] = t;
      }
#endif
  }
  if (TRANS_B) {
    for (uint j = 0; j < TN; ++j) {
      b[j] = fetch4(B, B_R32, min(n0 + j, p.N - 1), p.ldb, k, p.K - 1, guard, b_off);
      if (guard) b[j] *= k_live;
    }
  } else {
    for (uint kk = 0; kk < 4; ++kk)
      for (uint v = 0; v < TN / 4; ++v) {
        const uint row = guard ? min(k + kk, p.K - 1) : k + kk;
        vec4 t = fetch4(B, B_R32, row, p.ldb, n0 + 4 * v, p.N - 1, true, b_off);
        if (guard) t *= k_live[kk];
        b[(kk * TN / 4 + v) % TN] = t;
      }
  }
}

// op(A)[m0 + i][k + kk] out of one fetch step's registers.
float a_value(vec4 a[TM], uint kk, uint i) {
#ifdef GEMM_A_SHUFFLE
  return TRANS_A ? subgroupShuffle(a[i / 8][i % 4], kk + 4 * ((i / 4) % 2)) : subgroupShuffle(a[i / 8][kk], i % 8);
#else
  return TRANS_A ? a[(kk * TM / 4 + i / 4) % TM][i % 4] : a[i][kk];
#endif
}

// Arithmetic phase: 4 k-steps of TM x TN multiply-adds from registers. Each accumulator takes
// its 4 steps in a row (the same order of additions as k-outer): with k outermost, LLVM
// computed every product first and spilled them (the accumulators cannot stay in registers
// across the fetch calls anyway); this way each one is loaded and stored once per step.
// JIT instructions, long-k 6400x64x512 (callgrind): 413 M -> 376 M.
void multiply_step(vec4 a[TM], vec4 b[TN], inout float acc[TM][TN]) {
  for (uint i = 0; i < TM; ++i) {
    float av[4];
    for (uint kk = 0; kk < 4; ++kk) av[kk] = a_value(a, kk, i);
    for (uint j = 0; j < TN; ++j) {
      float sum = acc[i][j];
      for (uint kk = 0; kk < 4; ++kk) sum += av[kk] * (TRANS_B ? b[j][kk] : b[(kk * TN / 4 + j / 4) % TN][j % 4]);
      acc[i][j] = sum;
    }
  }
}

// Sets the invocation's block (m0, n0). False: it has nothing to do. With A_SHUFFLE a lane past N
// still fetches its row of A for the others (and stores nothing).
bool place_block() {
  n0 = block_x() * TN;
  m0 = gl_GlobalInvocationID.y * TM;
  return m0 < p.M && (A_SHUFFLE || n0 < p.N);
}

// The epilogue's per-row bias (bias_mode 2), 0 otherwise.
float bias_of_row(uint m) { return EPI_BIAS == 2u ? texelFetch(Bias, int(m >> 2))[m & 3u] : 0.0; }

// The invocation's TM x TN block of op(A) op(B), summed over its k range (all of K, or its split).
void accumulate(out float acc[TM][TN]) {
  for (uint i = 0; i < TM; ++i)
    for (uint j = 0; j < TN; ++j) acc[i][j] = 0.0;
  vec4 a[TM];  // !TRANS_A: a[i] = A[m0+i][k..k+3];  TRANS_A: a[4*kk + v] = A[k+kk][m0+4v..]
  vec4 b[TN];  // TRANS_B:  b[j] = B[n0+j][k..k+3];   !TRANS_B: b[4*kk + v] = B[k+kk][n0+4v..]

  // Whole k-steps unguarded; only a K (or split chunk) that is not a multiple of 4 ends in one
  // guarded step.
  a_off = BATCH_Z * p.batch_a;
  b_off = BATCH_Z * p.batch_b;
  const uint k_first = k_begin(), k_stop = k_end();
  uint k = k_first;
  if (FETCH_8) {  // two 4-deep steps fetched, then multiplied: one spill of the accumulators
    vec4 a2[TM], b2[TN];  // around the fetch calls per 8 deep instead of per 4
    for (; k + 8 <= k_stop; k += 8) {
      fetch_step(k, false, a, b);
      fetch_step(k + 4, false, a2, b2);
      multiply_step(a, b, acc);
      multiply_step(a2, b2, acc);
    }
  }
  for (; k + 4 <= k_stop; k += 4) {
    fetch_step(k, false, a, b);
    multiply_step(a, b, acc);
  }
  if (K_TAIL && k < k_stop) {
    fetch_step(k, true, a, b);
    multiply_step(a, b, acc);
  }
}
