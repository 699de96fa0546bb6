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

// Residual blocks: a conv1d and the add of its input and output (TFLite's
// ADD, both inputs rescaled), every shape and quantization.
TEST(NnLayers, RandomResidualAddsBitExact) {
  for (int i = 0; i < g_layers / 4; ++i) {
    const std::uint64_t seed = g_seed * 4000037u + static_cast<std::uint64_t>(i);
    Rng r(seed);
    const int ch = r.in(1, 9), len = r.in(1, 30);
    const gn::Model m = residual_model(r, len, ch, r.in(1, 5));
    if (!config().nn->residual_add) {
      // Without the add unit the compiler refuses the layer, naming the key.
      try {
        compile(config(), m);
        ADD_FAILURE() << "config " << config().name << " has no add unit but compiled an add layer";
      } catch (const strata::runtime::CompileError& e) {
        EXPECT_NE(std::string(e.what()).find("nn.residual_add"), std::string::npos) << e.what();
      }
      return;
    }
    const gn::Tensor x = random_tensor(r, len, ch);
    expect_bit_exact(m, x, fmt::format("residual add {} (replay: --seed={} --layers={}; seed {}): [{}, {}], out zp {} act {}", i, g_seed, 4 * (i + 1), seed, len, ch,
                                       m.layers[1].output_quant.zero_point, static_cast<int>(m.layers[1].activation)));
    if (HasFatalFailure()) return;
  }
}

// ------------------------------------------------------------ unit layers

// gelu layers through the engine's GELU unit: all 256 codes in both forms,
// then every shape and quantization, alone and after a conv1d; a config
// without the unit refuses them.
TEST(NnUnits, GeluLayersBitExact) {
  Rng r0(3);
  gn::Model every = gelu_model(r0, 128, 2, false);
  if (!config().gelu) {
    try {
      compile(config(), every);
      ADD_FAILURE() << "config " << config().name << " has no GELU unit but compiled a gelu layer";
    } catch (const strata::runtime::CompileError& e) {
      EXPECT_NE(std::string(e.what()).find("no gelu section"), std::string::npos) << e.what();
    }
    return;
  }
  gn::Tensor codes{128, 2, {}};
  for (int q = -128; q < 128; ++q) codes.data.push_back(static_cast<std::int8_t>(q));
  for (const auto form : {golden::gelu::Form::erf, golden::gelu::Form::tanh}) {
    every.layers[0].gelu_form = form;
    expect_bit_exact(every, codes, fmt::format("every int8 code, form {}", form == golden::gelu::Form::erf ? "erf" : "tanh"));
    if (HasFatalFailure()) return;
  }
  for (int i = 0; i < g_layers / 4; ++i) {
    const std::uint64_t seed = g_seed * 5000011u + static_cast<std::uint64_t>(i);
    Rng r(seed);
    const int len = r.in(1, 40), ch = r.in(1, 9);
    const gn::Model m = gelu_model(r, len, ch, r.chance(0.5));
    const gn::Tensor x = random_tensor(r, len, ch);
    expect_bit_exact(m, x, fmt::format("gelu layer {} (replay: --seed={} --layers={}; seed {}): {}", i, g_seed, 4 * (i + 1), seed, describe(m)));
    if (HasFatalFailure()) return;
  }
}

// softmax layers through the engine's softmax unit: every algorithm of the
// config, vectors from 1 to max_length channels, alone and after a conv1d,
// plus the adversarial vectors (all equal, one dominant, both extremes).
TEST(NnUnits, SoftmaxLayersBitExact) {
  using golden::softmax::Algorithm;
  if (!config().softmax) {
    Rng r(5);
    try {
      compile(config(), softmax_model(r, 4, 3, false, Algorithm::two_pass));
      ADD_FAILURE() << "config " << config().name << " has no softmax unit but compiled a softmax layer";
    } catch (const strata::runtime::CompileError& e) {
      EXPECT_NE(std::string(e.what()).find("no softmax section"), std::string::npos) << e.what();
    }
    return;
  }
  const auto& algs = config().softmax->algorithms;
  const int lmax = config().softmax->max_length;
  for (const Algorithm alg : algs) {
    Rng r0(9);
    gn::Model m = softmax_model(r0, 6, lmax, false, alg);
    gn::Tensor x{6, lmax, {}};
    for (int c = 0; c < lmax; ++c) x.data.push_back(17);                                          // all equal
    for (int c = 0; c < lmax; ++c) x.data.push_back(static_cast<std::int8_t>(c == lmax / 2 ? 127 : -128));  // one dominant
    for (int c = 0; c < lmax; ++c) x.data.push_back(static_cast<std::int8_t>(c % 2 ? 127 : -128));  // extremes
    for (int c = 0; c < lmax; ++c) x.data.push_back(static_cast<std::int8_t>(-128 + c % 3));        // all at the bottom
    for (int c = 0; c < lmax; ++c) x.data.push_back(static_cast<std::int8_t>(127 - c % 2));         // all at the top
    for (int c = 0; c < lmax; ++c) x.data.push_back(static_cast<std::int8_t>(c * 7 - 100));
    expect_bit_exact(m, x, fmt::format("adversarial softmax vectors of {} logits, {}", lmax, golden::softmax::name(alg)));
    if (HasFatalFailure()) return;
    gn::Model one = softmax_model(r0, 3, 1, false, alg);  // length 1: probability 1
    expect_bit_exact(one, random_tensor(r0, 3, 1), fmt::format("softmax of one logit, {}", golden::softmax::name(alg)));
    if (HasFatalFailure()) return;
  }
  for (int i = 0; i < g_layers / 4; ++i) {
    const std::uint64_t seed = g_seed * 6000011u + static_cast<std::uint64_t>(i);
    Rng r(seed);
    const int len = r.in(1, 24), ch = r.in(1, lmax);
    const Algorithm alg = algs[static_cast<std::size_t>(r.in(0, static_cast<int>(algs.size()) - 1))];
    const gn::Model m = softmax_model(r, len, ch, r.chance(0.3) && ch <= 12, alg);
    const gn::Tensor x = random_tensor(r, len, m.input_channels);
    expect_bit_exact(m, x, fmt::format("softmax layer {} (replay: --seed={} --layers={}; seed {}): [{}, {}] {}", i, g_seed, 4 * (i + 1), seed, len, ch,
                                       golden::softmax::name(alg)));
    if (HasFatalFailure()) return;
  }
}

// matmul -> softmax -> matmul, bit-exact end to end (the runner also runs
// the three layers as one descriptor list).
TEST(NnUnits, AttentionBlockBitExact) {
  if (!config().softmax) return;  // SoftmaxLayersBitExact checks the refusal
  const auto& algs = config().softmax->algorithms;
  for (int i = 0; i < 12; ++i) {
    const std::uint64_t seed = g_seed * 7000003u + static_cast<std::uint64_t>(i);
    Rng r(seed);
    const int len = r.in(1, 16), d = r.in(1, 8), keys = r.in(2, std::min(16, config().softmax->max_length));
    const auto alg = algs[static_cast<std::size_t>(i) % algs.size()];
    const gn::Model m = attention_model(r, len, d, keys, alg);
    const gn::Tensor x = random_tensor(r, len, d);
    expect_bit_exact(m, x, fmt::format("attention block {} (seed {}): [{}, {}], {} keys, {}", i, seed, len, d, keys, golden::softmax::name(alg)));
    if (HasFatalFailure()) return;
  }
}

// ------------------------------------------------------------ posit8 layers

// A config without posit8_0 refuses posit8 layers at compile time, naming
// the format and the config key.
void expect_posit8_refused(const gn::Model& m) {
  try {
    compile(config(), m);
    ADD_FAILURE() << "config " << config().name << " has no posit8_0 but compiled a posit8 model";
  } catch (const strata::runtime::CompileError& e) {
    EXPECT_NE(std::string(e.what()).find("posit8_0"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("au.formats"), std::string::npos) << e.what();
  }
}

// The mixed-precision PulseDL network: posit8 input, conv1 and pool1 in
// posit8, conv2 posit8 to int8, the rest int8.
TEST(NnNetwork, PulseCnnMixedBitExact) {
  for (std::uint64_t k = 0; k < 3; ++k) {
    const std::uint64_t seed = g_seed + k;
    const gn::Model m = strata::runtime::pulse_cnn_mixed(seed);
    if (!has_posit8()) {
      expect_posit8_refused(m);
      return;
    }
    expect_bit_exact(m, strata::runtime::random_input(m, seed), fmt::format("pulse_cnn_mixed, weights and input from seed {}", seed));
    if (HasFatalFailure()) return;
  }
}

TEST(NnLayers, RandomPosit8LayersBitExact) {
  const int g = config().nn->channels();
  for (int i = 0; i < g_layers / 2; ++i) {
    const std::uint64_t seed = g_seed * 3000017u + static_cast<std::uint64_t>(i);
    Rng r(seed);
    const int pick = r.in(0, 3);
    const auto kind = pick == 3 ? gn::LayerKind::max_pool : static_cast<gn::LayerKind>(pick);
    const int in_ch = r.in(1, 12), out_ch = r.in(1, 3 * g + 1);
    const int kernel = r.in(1, 7), stride = r.in(1, 4), dilation = kind == gn::LayerKind::max_pool ? 1 : r.in(1, 3);
    const auto pad = r.chance(0.5) ? gn::Padding::same : gn::Padding::valid;
    int in_len = kind == gn::LayerKind::dense ? r.in(1, 12) : r.in(1, 40);
    in_len = std::min(in_len, config().nn->act_words / (6 + (3 * g + 2) / 2));
    if (pad == gn::Padding::valid && kind != gn::LayerKind::dense) in_len = std::max(in_len, (kernel - 1) * dilation + 1);
    const gn::Model m = posit8_layer_model(r, kind, in_len, in_ch, out_ch, kernel, stride, dilation, pad);
    if (!has_posit8()) {
      expect_posit8_refused(m);
      return;
    }
    const gn::Tensor x = random_posit8_tensor(r, in_len, in_ch);
    expect_bit_exact(m, x, fmt::format("random posit8 layer {} (replay: --seed={} --layers={}; layer seed {}): {}", i, g_seed, 2 * (i + 1), seed, describe(m)));
    if (HasFatalFailure()) return;
  }
}

// Corners: maxpos and minpos operands of both signs, long dot products that
// saturate the posit8 read-out at maxpos and the int8 path's int32, relu6.
TEST(NnLayers, Posit8CornersBitExact) {
  const auto maxpos = posit8_code(64.0), minpos = posit8_code(1.0 / 64.0);
  Rng r(g_seed);
  for (int out_int8 = 0; out_int8 < 2; ++out_int8)
    for (int act = 0; act < 3; ++act) {
      // 252 features of maxpos x maxpos = 4096 sum past 2^19, where Q (units of
      // 2^-12) saturates int32; 129 beats fit every engine (max_accumulations >= 256).
      const int in_len = 4, in_ch = 63;
      gn::Model m = posit8_layer_model(r, gn::LayerKind::dense, in_len, in_ch, 5, 1, 1, 1, gn::Padding::valid);
      gn::Layer& l = m.layers[0];
      l.activation = static_cast<gn::Activation>(act);
      l.output_format = out_int8 ? strata::golden::Format::int8 : strata::golden::Format::posit8_0;
      l.output_quant = {0.5f, out_int8 ? -3 : 0};
      const std::int8_t corner[] = {maxpos, static_cast<std::int8_t>(-maxpos), minpos, static_cast<std::int8_t>(-minpos), 0};
      for (std::size_t i = 0; i < l.weights.size(); ++i) {
        const int c = static_cast<int>(i / static_cast<std::size_t>(in_len * in_ch));
        l.weights[i] = c == 0 ? maxpos : c == 1 ? static_cast<std::int8_t>(-maxpos) : corner[r.in(0, 4)];
      }
      gn::Tensor x = random_posit8_tensor(r, in_len, in_ch);
      for (auto& v : x.data) v = r.chance(0.8) ? maxpos : corner[r.in(0, 4)];
      if (!has_posit8()) {
        expect_posit8_refused(m);
        return;
      }
      expect_bit_exact(m, x, fmt::format("posit8 corners, {} output, activation {}", out_int8 ? "int8" : "posit8", act));
      if (HasFatalFailure()) return;
    }
}

// A posit8 layer reading a tensor of 5 channels that an earlier layer
// wrote: the unused high lane of its last channel pair was never written
// and holds a NaR code, which must read as 0.
TEST(NnLayers, Posit8OddChannelsIgnoreTheUnusedLane) {
  Rng r(g_seed + 77);
  gn::Model m = posit8_layer_model(r, gn::LayerKind::conv1d, 16, 3, 5, 3, 1, 1, gn::Padding::same);
  m.layers[0].output_format = strata::golden::Format::posit8_0;
  gn::Model second = posit8_layer_model(r, gn::LayerKind::conv1d, 16, 5, 4, 3, 1, 1, gn::Padding::same);
  gn::Layer l1 = second.layers[0];
  l1.name = "l1";
  l1.inputs = {"y"};
  l1.output = "z";
  l1.output_format = strata::golden::Format::posit8_0;
  m.layers.push_back(l1);
  m.outputs = {"z"};
  if (!has_posit8()) {
    expect_posit8_refused(m);
    return;
  }
  for (int a = 0; a < config().nn->act_words; ++a)
    device().write_mem(strata::nn::region_base(strata::nn::Region::act) + static_cast<std::uint32_t>(a), 0x8080);
  expect_bit_exact(m, random_posit8_tensor(r, 16, 3), "posit8 layer on an odd channel count over stale NaR codes");
}


// ------------------------------------------------------------ posit16 layers

// A config without posit16_1 refuses posit16 layers at compile time, naming
// the format and the config key.
void expect_posit16_refused(const gn::Model& m) {
  try {
    compile(config(), m);
    ADD_FAILURE() << "config " << config().name << " has no posit16_1 but compiled a posit16 model";
  } catch (const strata::runtime::CompileError& e) {
    EXPECT_NE(std::string(e.what()).find("posit16_1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("au.formats"), std::string::npos) << e.what();
  }
}

bool has_posit16() { return has_format(strata::golden::Format::posit16_1); }

TEST(NnLayers, RandomPosit16LayersBitExact) {
  const int g = config().nn->channels();
  for (int i = 0; i < g_layers / 2; ++i) {
    const std::uint64_t seed = g_seed * 3500017u + static_cast<std::uint64_t>(i);
    Rng r(seed);
    const int pick = r.in(0, 3);
    const auto kind = pick == 3 ? gn::LayerKind::max_pool : static_cast<gn::LayerKind>(pick);
    const int in_ch = r.in(1, 12), out_ch = r.in(1, 3 * g + 1);
    const int kernel = r.in(1, 7), stride = r.in(1, 4), dilation = kind == gn::LayerKind::max_pool ? 1 : r.in(1, 3);
    const auto pad = r.chance(0.5) ? gn::Padding::same : gn::Padding::valid;
    int in_len = kind == gn::LayerKind::dense ? r.in(1, 12) : r.in(1, 40);
    in_len = std::min(in_len, config().nn->act_words / (12 + 3 * g + 2));  // one word per channel
    if (pad == gn::Padding::valid && kind != gn::LayerKind::dense) in_len = std::max(in_len, (kernel - 1) * dilation + 1);
    const gn::Model m = posit16_layer_model(r, kind, in_len, in_ch, out_ch, kernel, stride, dilation, pad);
    if (!has_posit16()) {
      expect_posit16_refused(m);
      return;
    }
    const gn::Tensor x = random_posit16_tensor(r, in_len, in_ch);
    expect_bit_exact(m, x, fmt::format("random posit16 layer {} (replay: --seed={} --layers={}; layer seed {}): {}", i, g_seed, 2 * (i + 1), seed, describe(m)));
    if (HasFatalFailure()) return;
  }
}

// Corners: maxpos and minpos operands of both signs, long dot products that
// saturate the posit16 read-out at maxpos and the int8 path's int32, sums of
// products below 2^-16 (which the int8 path floors), relu6.
TEST(NnLayers, Posit16CornersBitExact) {
  const gn::Code maxpos = 0x7fff, minpos = 1;
  Rng r(g_seed + 16);
  for (int out_int8 = 0; out_int8 < 2; ++out_int8)
    for (int act = 0; act < 3; ++act)
      for (int tiny = 0; tiny < 2; ++tiny) {
        const int in_len = 3, in_ch = 43;  // 129 features + the bias beat: fits every engine
        gn::Model m = posit16_layer_model(r, gn::LayerKind::dense, in_len, in_ch, 5, 1, 1, 1, gn::Padding::valid);
        gn::Layer& l = m.layers[0];
        l.activation = static_cast<gn::Activation>(act);
        l.output_format = out_int8 ? strata::golden::Format::int8 : strata::golden::Format::posit16_1;
        l.output_quant = {tiny ? std::ldexp(1.0f, -14) : 0.5f, out_int8 ? -3 : 0};
        const gn::Code small = posit16_code(std::ldexp(1.0, -9)), big = posit16_code(4096.0);
        const gn::Code corner[] = {maxpos, static_cast<gn::Code>(-maxpos), minpos, static_cast<gn::Code>(-minpos), 0, small, static_cast<gn::Code>(-small), big};
        for (std::size_t i = 0; i < l.weights.size(); ++i) {
          const int c = static_cast<int>(i / static_cast<std::size_t>(in_len * in_ch));
          l.weights[i] = tiny ? (c % 2 ? small : static_cast<gn::Code>(-small)) : c == 0 ? maxpos : c == 1 ? static_cast<gn::Code>(-maxpos) : corner[r.in(0, 7)];
        }
        gn::Tensor x = random_posit16_tensor(r, in_len, in_ch);
        for (auto& v : x.data) v = tiny ? (r.chance(0.7) ? small : corner[r.in(0, 7)]) : r.chance(0.8) ? maxpos : corner[r.in(0, 7)];
        if (!has_posit16()) {
          expect_posit16_refused(m);
          return;
        }
        expect_bit_exact(m, x, fmt::format("posit16 corners, {} output, activation {}, {}", out_int8 ? "int8" : "posit16", act, tiny ? "tiny" : "large"));
        if (HasFatalFailure()) return;
      }
}

// The PulseDL network with posit16 first layers: posit16 input, conv1 and
// pool1 in posit16, conv2 posit16 to int8, the rest int8.
TEST(NnNetwork, PulseCnnPosit16BitExact) {
  for (std::uint64_t k = 0; k < 2; ++k) {
    const std::uint64_t seed = g_seed + k;
    const gn::Model m = strata::runtime::pulse_cnn_posit16(seed);
    if (!has_posit16()) {
      expect_posit16_refused(m);
      return;
    }
    expect_bit_exact(m, strata::runtime::random_input(m, seed), fmt::format("pulse_cnn_posit16, weights and input from seed {}", seed));
    if (HasFatalFailure()) return;
  }
}

// Posit16 layers in a row, as a network uses them: a conv1d to posit16
// (its output written as whole words), a max pool on those words, a
// depthwise conv1d and a dense layer to int8, then an int8 layer.
TEST(NnNetwork, Posit16ChainBitExact) {
  using strata::golden::Format;
  for (std::uint64_t k = 0; k < 4; ++k) {
    Rng r(g_seed * 977 + k);
    const int len = 24, ch = r.in(1, 5), mid = r.in(2, 7);
    gn::Model m = posit16_layer_model(r, gn::LayerKind::conv1d, len, ch, mid, 3, 1, 1, gn::Padding::same);
    m.name = "posit16_chain";
    m.layers[0].output = "h";
    m.layers[0].output_format = Format::posit16_1;
    gn::Layer p;
    p.name = "pool";
    p.kind = gn::LayerKind::max_pool;
    p.inputs = {"h"};
    p.output = "hp";
    p.kernel = 2;
    p.stride = 2;
    p.activation = static_cast<gn::Activation>(r.in(0, 2));
    p.output_format = Format::posit16_1;
    m.layers.push_back(p);
    gn::Model dw = posit16_layer_model(r, gn::LayerKind::depthwise_conv1d, len / 2, mid, mid, 3, 1, 1, gn::Padding::same);
    gn::Layer d = dw.layers[0];
    d.name = "dw";
    d.inputs = {"hp"};
    d.output = "hd";
    d.output_format = Format::posit16_1;
    m.layers.push_back(d);
    gn::Model de = posit16_layer_model(r, gn::LayerKind::dense, len / 2, mid, 4, 1, 1, 1, gn::Padding::valid);
    gn::Layer e = de.layers[0];
    e.name = "fc";
    e.inputs = {"hd"};
    e.output = "q";
    e.output_format = Format::int8;
    e.output_quant = {std::ldexp(1.0f, r.in(-6, 2)), r.in(-20, 20)};
    m.layers.push_back(e);
    gn::Model head = one_layer_model(r, gn::LayerKind::dense, 1, 4, 2, 1, 1, 1, gn::Padding::valid);
    gn::Layer hd = head.layers[0];
    hd.name = "head";
    hd.inputs = {"q"};
    hd.output = "y";
    // The int8 head's input scale is q's output scale.
    const float in_s = e.output_quant.scale;
    for (std::size_t c = 0; c < hd.weight_scales.size(); ++c) hd.weight_scales[c] = 0.01f;
    hd.output_quant = {in_s * 0.01f * 128.0f * 2.0f / 4.0f, 0};
    m.layers.push_back(hd);
    m.outputs = {"y"};
    if (!has_posit16()) {
      expect_posit16_refused(m);
      return;
    }
    expect_bit_exact(m, random_posit16_tensor(r, len, ch), fmt::format("posit16 chain {} (seed {})", k, g_seed * 977 + k));
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
