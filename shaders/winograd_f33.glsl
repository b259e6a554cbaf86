// Winograd F(3x3, 3x3) (Lavin & Gray, 2016; Toom-Cook points 0, 1, -1, 2 and infinity): a 3x3
// output tile of a 3x3, stride-1 cross-correlation from a 5x5 input tile d,
//   y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
// 25 multiplies per channel pair instead of 81 (nn/ops/conv2d_winograd_f33.hpp). The matrices
// were solved for exactly (rational arithmetic) from G's and Aᵀ's Toom-Cook rows, and checked
// exactly against the conditions that define the algorithm (y_i = Σ_r g_r d_(i+r), 1-D):
//   Bᵀ = | 2 -1 -2  1  0 |   G = |  1/2   0    0   |   Aᵀ = | 1  1  1  1  0 |
//        | 0 -2 -1  1  0 |       | -1/2 -1/2 -1/2  |        | 0  1 -1  2  0 |
//        | 0  2 -3  1  0 |       | -1/6  1/6 -1/6  |        | 0  1  1  4  1 |
//        | 0 -1  0  1  0 |       |  1/6  1/3  2/3  |
//        | 0  2 -1 -2  1 |       |  0    0    1    |
// Every tile is 5x5, t[i * 5 + j], a 3x3 filter or output tile in its top-left corner and
// zeros elsewhere; every value a vec4 (4 channels or filters). Each transform, and each
// adjoint (for the backward passes), is one product L t Rᵀ of constant matrices padded to 5x5
// (winograd33_sandwich): the loops have constant bounds, so the compiler unrolls them and
// drops the terms with a zero factor.
#extension GL_EXT_control_flow_attributes : require

const float WINO33_BT[25] = float[25](2.0, -1.0, -2.0, 1.0, 0.0,  //
                                      0.0, -2.0, -1.0, 1.0, 0.0,  //
                                      0.0, 2.0, -3.0, 1.0, 0.0,   //
                                      0.0, -1.0, 0.0, 1.0, 0.0,   //
                                      0.0, 2.0, -1.0, -2.0, 1.0);
const float WINO33_B[25] = float[25](2.0, 0.0, 0.0, 0.0, 0.0,     //
                                     -1.0, -2.0, 2.0, -1.0, 2.0,  //
                                     -2.0, -1.0, -3.0, 0.0, -1.0, //
                                     1.0, 1.0, 1.0, 1.0, -2.0,    //
                                     0.0, 0.0, 0.0, 0.0, 1.0);
const float WINO33_G[25] = float[25](0.5, 0.0, 0.0, 0.0, 0.0,                          //
                                     -0.5, -0.5, -0.5, 0.0, 0.0,                       //
                                     -1.0 / 6.0, 1.0 / 6.0, -1.0 / 6.0, 0.0, 0.0,      //
                                     1.0 / 6.0, 1.0 / 3.0, 2.0 / 3.0, 0.0, 0.0,        //
                                     0.0, 0.0, 1.0, 0.0, 0.0);
const float WINO33_GT[25] = float[25](0.5, -0.5, -1.0 / 6.0, 1.0 / 6.0, 0.0,  //
                                      0.0, -0.5, 1.0 / 6.0, 1.0 / 3.0, 0.0,   //
                                      0.0, -0.5, -1.0 / 6.0, 2.0 / 3.0, 1.0,  //
                                      0.0, 0.0, 0.0, 0.0, 0.0,                //
                                      0.0, 0.0, 0.0, 0.0, 0.0);
const float WINO33_AT[25] = float[25](1.0, 1.0, 1.0, 1.0, 0.0,   //
                                      0.0, 1.0, -1.0, 2.0, 0.0,  //
                                      0.0, 1.0, 1.0, 4.0, 1.0,   //
                                      0.0, 0.0, 0.0, 0.0, 0.0,   //
                                      0.0, 0.0, 0.0, 0.0, 0.0);
const float WINO33_A[25] = float[25](1.0, 0.0, 0.0, 0.0, 0.0,   //
                                     1.0, 1.0, 1.0, 0.0, 0.0,   //
                                     1.0, -1.0, 1.0, 0.0, 0.0,  //
                                     1.0, 2.0, 4.0, 0.0, 0.0,   //
                                     0.0, 0.0, 1.0, 0.0, 0.0);

// t = L t Rᵀ, in place.
void winograd33_sandwich(const float L[25], inout vec4 t[25], const float R[25]) {
  vec4 h[25];  // L t
  [[unroll]] for (uint i = 0u; i < 5u; ++i)
    [[unroll]] for (uint j = 0u; j < 5u; ++j) {
      vec4 v = vec4(0.0);
      [[unroll]] for (uint l = 0u; l < 5u; ++l) v += L[i * 5u + l] * t[l * 5u + j];
      h[i * 5u + j] = v;
    }
  [[unroll]] for (uint i = 0u; i < 5u; ++i)
    [[unroll]] for (uint j = 0u; j < 5u; ++j) {
      vec4 v = vec4(0.0);
      [[unroll]] for (uint l = 0u; l < 5u; ++l) v += h[i * 5u + l] * R[j * 5u + l];
      t[i * 5u + j] = v;
    }
}

void winograd33_input(inout vec4 t[25]) { winograd33_sandwich(WINO33_BT, t, WINO33_BT); }          // V = Bᵀ d B
void winograd33_input_adjoint(inout vec4 t[25]) { winograd33_sandwich(WINO33_B, t, WINO33_B); }    // dd = B dV Bᵀ
void winograd33_filter(inout vec4 t[25]) { winograd33_sandwich(WINO33_G, t, WINO33_G); }           // U = G g Gᵀ
void winograd33_filter_adjoint(inout vec4 t[25]) { winograd33_sandwich(WINO33_GT, t, WINO33_GT); } // dg = Gᵀ dU G
void winograd33_output(inout vec4 t[25]) { winograd33_sandwich(WINO33_AT, t, WINO33_AT); }         // y = Aᵀ m A
void winograd33_output_adjoint(inout vec4 t[25]) { winograd33_sandwich(WINO33_A, t, WINO33_A); }   // dm = A dY Aᵀ
