// Directed layers on the Verilated engine, each bit-exact against the golden
// model: kernel 1, strides longer than the input, channel counts that are
// not multiples of the lanes or of the AUs, the largest shapes this config
// allows, saturation at both ends of the clamp and zero points at their
// extremes.
#include "nn/nn_fixture.h"

namespace strata::nn_test {
namespace {

constexpr gn::LayerKind kMacKinds[] = {gn::LayerKind::conv1d, gn::LayerKind::depthwise_conv1d, gn::LayerKind::dense};

int G() { return config().nn->channels(); }

TEST(NnDirected, KernelOneAndStridesLongerThanTheInput) {
  Rng r(g_seed + 101);
  for (const auto kind : {gn::LayerKind::conv1d, gn::LayerKind::depthwise_conv1d}) {
    // kernel 1, every stride from 1 to beyond the input, both paddings
    for (int stride : {1, 2, 3, 7, 9})
      for (const auto pad : {gn::Padding::valid, gn::Padding::same}) {
        const gn::Model m = one_layer_model(r, kind, 6, 3, 5, 1, stride, 1, pad);
        expect_bit_exact(m, random_tensor(r, 6, 3), fmt::format("kernel 1, stride {}: {}", stride, describe(m)));
        if (HasFatalFailure()) return;
      }
    // a window wider than the input with same padding, stride past the end
    const gn::Model m = one_layer_model(r, kind, 3, 4, 3, 5, 6, 2, gn::Padding::same);
    expect_bit_exact(m, random_tensor(r, 3, 4), "kernel 5 dilation 2 on 3 positions, stride 6: " + describe(m));
    if (HasFatalFailure()) return;
  }
  for (const auto kind : {gn::LayerKind::max_pool, gn::LayerKind::avg_pool}) {
    const gn::Model m = one_layer_model(r, kind, 4, 3, 0, 3, 8, 1, gn::Padding::same);
    expect_bit_exact(m, random_tensor(r, 4, 3), "pool stride 8 on 4 positions: " + describe(m));
    if (HasFatalFailure()) return;
  }
}

TEST(NnDirected, ChannelCountsThatAreNoMultipleOfTheLanesOrTheAus) {
  Rng r(g_seed + 202);
  for (const auto kind : kMacKinds)
    for (int in_ch : {1, 2, 3, 5, 2 * G() + 1})
      for (int out_ch : {1, G() - 1, G() + 1, 2 * G() + 1}) {
        if (out_ch < 1) continue;
        const gn::Model m = one_layer_model(r, kind, 5, in_ch, out_ch, 3, 1, 1, gn::Padding::same);
        expect_bit_exact(m, random_tensor(r, 5, in_ch), describe(m));
        if (HasFatalFailure()) return;
      }
}

// Every output saturates: huge rescales push the requantized values past
// both ends, with the zero points at -128 and 127 and every activation.
TEST(NnDirected, SaturationAtBothEndsAndExtremeZeroPoints) {
  Rng r(g_seed + 303);
  for (const auto kind : kMacKinds)
    for (int in_zp : {-128, 127})
      for (int out_zp : {-128, 127})
        for (int act = 0; act < 3; ++act)
          for (float out_scale : {1e-6f, 1e3f}) {
            gn::Model m = one_layer_model(r, kind, 4, 3, 3, 2, 1, 1, gn::Padding::same);
            m.input_quant.zero_point = in_zp;
            gn::Layer& l = m.layers[0];
            l.output_quant = {out_scale, out_zp};
            l.activation = static_cast<gn::Activation>(act);
            for (auto& b : l.bias) b = r.chance(0.5) ? 2'000'000 : -2'000'000;
            // Inputs at the far ends too: (x - zp) spans -255..255.
            gn::Tensor x = random_tensor(r, 4, 3);
            for (auto& v : x.data) v = r.chance(0.5) ? std::int8_t{-128} : std::int8_t{127};
            const std::string what = fmt::format("saturation, output scale {}: {}", out_scale, describe(m));
            if (out_scale < 1.0f) {
              // The stimulus does what it is for: every golden output sits at a clamp end.
              const gn::ActRange range = gn::activation_range(l.activation, l.output_quant);
              const auto golden = gn::run(m, x);
              for (const std::int8_t y : golden.at("y").data) ASSERT_TRUE(y == range.min || y == range.max) << what << ": golden " << int{y};
            }
            expect_bit_exact(m, x, what);
            if (HasFatalFailure()) return;
          }
}

// The largest layers the config's memories and dot-product limit allow.
TEST(NnDirected, LargestShapesTheConfigAllows) {
  Rng r(g_seed + 404);
  const NnConfig& n = *config().nn;
  const int max_beats = static_cast<int>(std::min<std::uint64_t>(config().au.max_accumulations, static_cast<std::uint64_t>(n.weight_words)));
  // A dense layer whose dot product is as long as the activation memory,
  // the weight memory and max_accumulations allow: 16 channels (8 pairs).
  {
    const int len = std::min((n.act_words - 8) / 8, max_beats / 8);
    const gn::Model m = one_layer_model(r, gn::LayerKind::dense, len, 16, 1, 1, 1, 1, gn::Padding::valid);
    expect_bit_exact(m, random_tensor(r, len, 16), fmt::format("dense of {} beats: {}", len * 8, describe(m)));
    if (HasFatalFailure()) return;
  }
  // A conv1d with as many output channels as fit half the activation
  // memory beside its input.
  {
    const int len = 8, out_ch = std::min(2 * ((n.act_words / 2) / len), 4 * G() + 1);
    const gn::Model m = one_layer_model(r, gn::LayerKind::conv1d, len, 4, out_ch, 3, 1, 1, gn::Padding::same);
    expect_bit_exact(m, random_tensor(r, len, 4), "conv1d with many output channels: " + describe(m));
    if (HasFatalFailure()) return;
  }
  // A depthwise conv1d and a pool on the longest input that fits twice.
  {
    const int ch = 4, len = (n.act_words / 2 - 2) / (ch / 2);
    const gn::Model m = one_layer_model(r, gn::LayerKind::depthwise_conv1d, len, ch, ch, 5, 1, 1, gn::Padding::same);
    expect_bit_exact(m, random_tensor(r, len, ch), fmt::format("depthwise on {} positions: {}", len, describe(m)));
    if (HasFatalFailure()) return;
    const gn::Model p = one_layer_model(r, gn::LayerKind::global_avg_pool, len, ch, 0, 1, 1, 1, gn::Padding::valid);
    expect_bit_exact(p, random_tensor(r, len, ch), fmt::format("global average pool of {} positions: {}", len, describe(p)));
  }
}

}  // namespace
}  // namespace strata::nn_test
