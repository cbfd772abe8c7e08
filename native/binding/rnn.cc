// rnn_layer(y, ws, x, h0, c0?, w_ih, w_hh, b_ih?, b_hh?) with mode and reverse, and
// rnn_layer_backward(dx?, dh0?, dc0?, dw_ih?, dw_hh?, db_ih?, db_hh?, dy, y, ws, x, h0, c0?, w_ih,
// w_hh): one direction of one recurrent layer over a whole sequence (kernels/rnn.h, which gives
// the layouts). Every operand is contiguous and of x's floating-point dtype.
#include "../kernels/rnn.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

void expect_size(const View& v, int64_t count, const char* name) {
  if (v.numel() != count || !v.contiguous())
    raise(ErrorKind::Shape, std::string("rnn_layer: ") + name + " of shape " + shape_str(v) + " must be contiguous with " +
                                std::to_string(count) + " elements");
}

// The dims from x [T, B, I] and w_hh [G, H], the mode and the direction.
RnnDims dims_of(const Call& c, int x, int w_hh) {
  RnnDims d;
  d.mode = RnnMode(c.int_param("mode", 0, 3));
  d.reverse = c.flag("reverse");
  const View& xv = c[x];
  if (xv.ndim != 3 || c[w_hh].ndim != 2) raise(ErrorKind::Shape, "rnn_layer: x must be [T, B, I] and w_hh [G, H]");
  d.steps = xv.shape[0], d.batch = xv.shape[1], d.input = xv.shape[2], d.hidden = c[w_hh].shape[1];
  if (d.steps < 1 || d.hidden < 1) raise(ErrorKind::Range, "rnn_layer: needs at least one step and one hidden unit");
  return d;
}

// x is floating point; each present operand in `sizes` (index, element count) has its dtype and
// is contiguous with that many elements.
void check(const Call& c, int x, const std::vector<std::pair<int, int64_t>>& sizes, const char* const* names) {
  c.expect_float(x);
  for (const auto& [k, count] : sizes) {
    if (!c.present(k)) continue;
    c.expect_same_dtype(k, x);
    expect_size(c[k], count, names[k]);
  }
}

template <class T> T* ptr(const Call& c, int k) { return c.present(k) ? c[k].ptr<T>() : nullptr; }

const char* const kForwardNames[] = {"y", "ws", "x", "h0", "c0", "w_ih", "w_hh", "b_ih", "b_hh"};

void forward(Call& c) {
  const RnnDims d = dims_of(c, 2, 6);
  const bool lstm = d.mode == RnnMode::Lstm;
  const int64_t B = d.batch, H = d.hidden, G = d.gates();
  if (lstm != c.present(4) || c.present(7) != c.present(8)) raise(ErrorKind::Type, "rnn_layer: c0 is for LSTM only, and the biases go together");
  check(c, 2, {{0, (d.steps + lstm) * B * H}, {1, d.steps * B * d.width()}, {3, B * H}, {4, B * H}, {5, G * d.input}, {6, G * H},
               {7, G}, {8, G}}, kForwardNames);
  TG_DISPATCH_FLOAT(c[2].dtype, T, {
    rnn_forward<T>(d, RnnForwardArgs<T>{ptr<const T>(c, 2), ptr<const T>(c, 3), ptr<const T>(c, 4), ptr<const T>(c, 5),
                                        ptr<const T>(c, 6), ptr<const T>(c, 7), ptr<const T>(c, 8), ptr<T>(c, 0), ptr<T>(c, 1)});
  });
}

const char* const kBackwardNames[] = {"dx", "dh0", "dc0", "dw_ih", "dw_hh", "db_ih", "db_hh", "dy",
                                      "y",  "ws",  "x",   "h0",    "c0",    "w_ih",  "w_hh"};

void backward(Call& c) {
  const RnnDims d = dims_of(c, 10, 14);
  const bool lstm = d.mode == RnnMode::Lstm;
  const int64_t B = d.batch, H = d.hidden, G = d.gates(), I = d.input, Y = (d.steps + lstm) * B * H;
  if (lstm != c.present(12) || (!lstm && c.present(2))) raise(ErrorKind::Type, "rnn_layer_backward: c0 and dc0 are for LSTM only");
  check(c, 10, {{0, d.steps * B * I}, {1, B * H}, {2, B * H}, {3, G * I}, {4, G * H}, {5, G}, {6, G}, {7, Y}, {8, Y},
                {9, d.steps * B * d.width()}, {11, B * H}, {12, B * H}, {13, G * I}, {14, G * H}}, kBackwardNames);
  TG_DISPATCH_FLOAT(c[10].dtype, T, {
    rnn_backward<T>(d, RnnBackwardArgs<T>{ptr<const T>(c, 7), ptr<const T>(c, 8), ptr<const T>(c, 9), ptr<const T>(c, 10),
                                          ptr<const T>(c, 11), ptr<const T>(c, 12), ptr<const T>(c, 13), ptr<const T>(c, 14),
                                          ptr<T>(c, 0), ptr<T>(c, 1), ptr<T>(c, 2), ptr<T>(c, 3), ptr<T>(c, 4), ptr<T>(c, 5),
                                          ptr<T>(c, 6)});
  });
}

const Op kOps[] = {
    {"rnn_layer",
     {{"y", Arg::Tensor}, {"ws", Arg::Tensor}, {"x", Arg::Tensor}, {"h0", Arg::Tensor}, {"c0", Arg::Optional}, {"w_ih", Arg::Tensor},
      {"w_hh", Arg::Tensor}, {"b_ih", Arg::Optional}, {"b_hh", Arg::Optional}},
     {"mode", "reverse"}, forward},
    {"rnn_layer_backward",
     {{"dx", Arg::Optional}, {"dh0", Arg::Optional}, {"dc0", Arg::Optional}, {"dw_ih", Arg::Optional}, {"dw_hh", Arg::Optional},
      {"db_ih", Arg::Optional}, {"db_hh", Arg::Optional}, {"dy", Arg::Tensor}, {"y", Arg::Tensor}, {"ws", Arg::Tensor},
      {"x", Arg::Tensor}, {"h0", Arg::Tensor}, {"c0", Arg::Optional}, {"w_ih", Arg::Tensor}, {"w_hh", Arg::Tensor}},
     {"mode", "reverse"}, backward},
};

}  // namespace

void register_rnn(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
