// Co-simulation of the network engine against the golden model: random
// layers (every shape, stride, padding, dilation, channel count and
// quantization the engine takes) and directed corners.
//
//   nn_cosim [--seed=N] [--layers=N] [gtest flags]
#include <cstring>

#include "nn/nn_fixture.h"
#include "runtime/example_models.h"

namespace strata::nn_test {
namespace {

// The PulseDL-style network end to end, layer by layer and as one list.
TEST(NnNetwork, PulseCnnBitExact) {
  for (std::uint64_t k = 0; k < 3; ++k) {
    const std::uint64_t seed = g_seed + k;
    const gn::Model m = strata::runtime::pulse_cnn(seed);
    Rng r(seed);
    const gn::Tensor x = random_tensor(r, m.input_length, m.input_channels);
    expect_bit_exact(m, x, fmt::format("pulse_cnn, weights and input from seed {}", seed));
    if (HasFatalFailure()) return;
  }
}

TEST(NnLayers, RandomPoolsBitExact) {
  for (int i = 0; i < g_layers / 2; ++i) {
    const std::uint64_t seed = g_seed * 2000003u + static_cast<std::uint64_t>(i);
    Rng r(seed);
    const auto kind = static_cast<gn::LayerKind>(r.in(3, 5));
    const int ch = r.in(1, 9), kernel = r.in(1, 6), stride = r.in(1, 3);
    const auto pad = r.chance(0.5) ? gn::Padding::same : gn::Padding::valid;
    int len = r.in(1, 40);
    if (pad == gn::Padding::valid) len = std::max(len, kernel);
    const gn::Model m = one_layer_model(r, kind, len, ch, 0, kernel, stride, 1, pad);
    const gn::Tensor x = random_tensor(r, len, ch);
    expect_bit_exact(m, x, fmt::format("random pool {} (replay: --seed={}; layer seed {}): {}", i, g_seed, seed, describe(m)));
    if (HasFatalFailure()) return;
  }
}

TEST(NnLayers, RandomLayersBitExact) {
  const int g = config().nn->channels();
  for (int i = 0; i < g_layers; ++i) {
    const std::uint64_t seed = g_seed * 1000003u + static_cast<std::uint64_t>(i);
    Rng r(seed);
    const auto kind = static_cast<gn::LayerKind>(r.in(0, 2));
    const int in_ch = r.in(1, 12), out_ch = r.in(1, 3 * g + 1);
    int kernel = r.in(1, 7), stride = r.in(1, 4), dilation = r.in(1, 3);
    const auto pad = r.chance(0.5) ? gn::Padding::same : gn::Padding::valid;
    int in_len = r.in(1, 40);
    if (kind == gn::LayerKind::dense) in_len = r.in(1, 12);
    // Input and output must fit the activation memory together.
    in_len = std::min(in_len, config().nn->act_words / (6 + (3 * g + 2) / 2));
    if (pad == gn::Padding::valid && kind != gn::LayerKind::dense) in_len = std::max(in_len, (kernel - 1) * dilation + 1);
    const gn::Model m = one_layer_model(r, kind, in_len, in_ch, out_ch, kernel, stride, dilation, pad);
    const gn::Tensor x = random_tensor(r, in_len, in_ch);
    expect_bit_exact(m, x, fmt::format("random layer {} (replay: --seed={} --layers={}; layer seed {}): {}", i, g_seed, i + 1, seed, describe(m)));
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace strata::nn_test

using strata::nn_test::config;
using strata::nn_test::g_layers;
using strata::nn_test::g_seed;

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--seed=", 7) == 0) g_seed = std::stoull(argv[i] + 7);
    else if (std::strncmp(argv[i], "--layers=", 9) == 0) g_layers = std::stoi(argv[i] + 9);
  }
  fmt::print("nn_cosim: config {}, seed {} (replay with --seed={})\n", config().name, g_seed, g_seed);
  return RUN_ALL_TESTS();
}
