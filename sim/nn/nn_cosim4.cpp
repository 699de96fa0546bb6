// Co-simulation of the engine's 4-bit layers (fp4 E2M1 and posit(4,1))
// against the golden model: random conv1d, depthwise, dense and max-pool
// layers with printed, replayable seeds, directed corners (every code as an
// input and a weight, saturation at maxpos, -0, stale NaR codes in the unused
// lanes of a word), a 4-bit chain and the PulseDL network with 4-bit first
// layers. A config without the format checks that the compiler refuses it.
#include "nn/nn_fixture.h"
#include "runtime/example_models.h"

namespace strata::nn_test {
namespace {

using strata::golden::Format;

const char* fname(Format f) { return f == Format::fp4 ? "fp4" : "posit4_1"; }

// A config without the format refuses its layers at compile time, naming
// the format and the config key.
void expect_refused(const gn::Model& m, Format f) {
  try {
    compile(config(), m);
    ADD_FAILURE() << "config " << config().name << " has no " << fname(f) << " but compiled a " << fname(f) << " model";
  } catch (const strata::runtime::CompileError& e) {
    EXPECT_NE(std::string(e.what()).find(fname(f)), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("au.formats"), std::string::npos) << e.what();
  }
}

// The signed 4-bit code nearest x (both formats saturate, so never NaR).
gn::Code code4(Format f, double x) {
  static const auto fp4 = strata::golden::NumberFormat::parse("fp4");
  static const auto p4 = strata::golden::NumberFormat::parse("posit4_1");
  const auto u = static_cast<int>((f == Format::fp4 ? fp4 : p4).encode(mpq_class(x)));
  return static_cast<gn::Code>(u >= 8 ? u - 16 : u);
}

// The lowest code a tensor may hold: fp4 -8 (-0), posit4 -7 (-8 is NaR).
int lowest(Format f) { return f == Format::fp4 ? -8 : -7; }

// A code: mostly a real of magnitude about `a`, sometimes (p_any) any code.
gn::Code random_code(Rng& r, Format f, double a, double p_any = 0.3) {
  if (r.chance(p_any)) return static_cast<gn::Code>(r.in(lowest(f), 7));
  return code4(f, r.real(-1.0f, 1.0f) * a);
}

gn::Tensor random_tensor4(Rng& r, Format f, int length, int channels) {
  gn::Tensor t;
  t.length = length;
  t.channels = channels;
  const double a = r.chance(0.3) ? 8.0 : 1.5;
  for (int i = 0; i < length * channels; ++i) t.data.push_back(random_code(r, f, a));
  return t;
}

// One layer on a 4-bit input: conv1d, depthwise, dense to the format or
// (half of them) int8, or a max pool.
gn::Model layer4_model(Rng& r, Format f, gn::LayerKind kind, int in_len, int in_ch, int out_ch, int kernel, int stride, int dilation, gn::Padding pad) {
  gn::Model m;
  m.name = fmt::format("{}_layer", fname(f));
  m.input = "x";
  m.input_length = in_len;
  m.input_channels = in_ch;
  m.input_format = f;
  gn::Layer l;
  l.name = "l0";
  l.kind = kind;
  l.inputs = {"x"};
  l.output = "y";
  l.activation = static_cast<gn::Activation>(r.in(0, 2));
  l.padding = pad;
  if (kind == gn::LayerKind::max_pool) {
    l.kernel = kernel;
    l.stride = stride;
    l.output_format = f;
  } else {
    const bool dense = kind == gn::LayerKind::dense, dw = kind == gn::LayerKind::depthwise_conv1d;
    l.kernel = dense ? 1 : kernel;
    l.stride = dense ? 1 : stride;
    l.dilation = dense ? 1 : dilation;
    l.out_channels = dw ? in_ch : out_ch;
    const int fan_in = dense ? in_len * in_ch : dw ? l.kernel : l.kernel * in_ch;
    const int count = dw ? in_ch * l.kernel : l.out_channels * fan_in;
    const double a = std::ldexp(1.0, r.in(-1, 2)) / std::sqrt(static_cast<double>(fan_in));
    for (int i = 0; i < count; ++i) l.weights.push_back(random_code(r, f, a, 0.1));
    for (int c = 0; c < l.out_channels; ++c) l.bias.push_back(random_code(r, f, 1.0));
    if (r.chance(0.5)) {
      l.output_format = Format::int8;
      l.output_quant = {std::ldexp(r.real(1.0f, 2.0f), r.in(-7, -1)), r.in(-100, 100)};
    } else {
      l.output_format = f;
    }
  }
  m.layers.push_back(l);
  m.outputs = {"y"};
  return m;
}

// Fills the whole activation memory with 0x8888: NaR (posit4) or -0 (fp4)
// in every lane, so lanes a layer must not read hold the worst stale code.
void stale_nar_memory() {
  for (int a = 0; a < config().nn->act_words; ++a)
    device().write_mem(strata::nn::region_base(strata::nn::Region::act) + static_cast<std::uint32_t>(a), 0x8888);
}

void random_layers(Format f, std::uint64_t salt) {
  const int g = config().nn->channels();
  for (int i = 0; i < g_layers / 2; ++i) {
    const std::uint64_t seed = g_seed * salt + static_cast<std::uint64_t>(i);
    Rng r(seed);
    const int pick = r.in(0, 3);
    const auto kind = pick == 3 ? gn::LayerKind::max_pool : static_cast<gn::LayerKind>(pick);
    const int in_ch = r.in(1, 13), out_ch = r.in(1, 3 * g + 2);
    const int kernel = r.in(1, 7), stride = r.in(1, 4), dilation = kind == gn::LayerKind::max_pool ? 1 : r.in(1, 3);
    const auto pad = r.chance(0.5) ? gn::Padding::same : gn::Padding::valid;
    int in_len = kind == gn::LayerKind::dense ? r.in(1, 12) : r.in(1, 40);
    in_len = std::min(in_len, config().nn->act_words / (6 + (3 * g + 2) / 2));
    if (pad == gn::Padding::valid && kind != gn::LayerKind::dense) in_len = std::max(in_len, (kernel - 1) * dilation + 1);
    const gn::Model m = layer4_model(r, f, kind, in_len, in_ch, out_ch, kernel, stride, dilation, pad);
    if (!has_format(f)) {
      expect_refused(m, f);
      return;
    }
    if (i % 4 == 0) stale_nar_memory();
    const gn::Tensor x = random_tensor4(r, f, in_len, in_ch);
    expect_bit_exact(m, x, fmt::format("random {} layer {} (replay: --seed={} --layers={}; layer seed {}): {}", fname(f), i, g_seed, 2 * (i + 1), seed, describe(m)));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(NnLayers, RandomFp4LayersBitExact) { random_layers(Format::fp4, 4400021u); }
TEST(NnLayers, RandomPosit4LayersBitExact) { random_layers(Format::posit4_1, 4400043u); }

// Every pair of input and weight code: a dense layer over an input that
// holds each of the 16 codes (posit4: the 15 that are not NaR) at every
// position, one output channel per weight code (the bias 0 and each code),
// to the format and to int8, every activation.
void all_codes(Format f) {
  const int n = 8 - lowest(f);  // 16 or 15 codes
  for (int out_int8 = 0; out_int8 < 2; ++out_int8)
    for (int act = 0; act < 3; ++act) {
      Rng r(g_seed * 31 + static_cast<std::uint64_t>(out_int8 * 3 + act));
      gn::Model m = layer4_model(r, f, gn::LayerKind::conv1d, n, 1, n, 1, 1, 1, gn::Padding::valid);
      gn::Layer& l = m.layers[0];
      l.activation = static_cast<gn::Activation>(act);
      l.output_format = out_int8 ? Format::int8 : f;
      l.output_quant = {f == Format::fp4 ? 0.125f : 1.0f / 256.0f, out_int8 ? -5 : 0};
      for (int c = 0; c < n; ++c) {
        l.weights[static_cast<std::size_t>(c)] = static_cast<gn::Code>(lowest(f) + c);
        l.bias[static_cast<std::size_t>(c)] = c % 3 == 0 ? 0 : static_cast<gn::Code>(lowest(f) + (c * 7) % n);
      }
      gn::Tensor x{n, 1, {}};
      for (int p = 0; p < n; ++p) x.data.push_back(static_cast<gn::Code>(lowest(f) + p));
      if (!has_format(f)) {
        expect_refused(m, f);
        return;
      }
      expect_bit_exact(m, x, fmt::format("{} every input x weight code, {} output, activation {}", fname(f), out_int8 ? "int8" : fname(f), act));
      if (::testing::Test::HasFatalFailure()) return;
    }
}

TEST(NnLayers, Fp4EveryCodePairBitExact) { all_codes(Format::fp4); }
TEST(NnLayers, Posit4EveryCodePairBitExact) { all_codes(Format::posit4_1); }

// Corners: long dot products of maxpos (both signs) that saturate the
// read-out at maxpos and the int8 path at its clamp; -0 everywhere (fp4);
// sums that cancel to exactly 0 and to a tiny negative (fp4 -0 read-out);
// the tail lanes of a 3-channel output written over stale NaR codes and read
// by a second layer (the mask must hide them); a max pool over -0, 0 and
// negative codes in every lane (0 is written as 0).
void corners(Format f) {
  const gn::Code maxpos = 7, minpos = 1;
  for (int out_int8 = 0; out_int8 < 2; ++out_int8)
    for (int act = 0; act < 3; ++act)
      for (int mode = 0; mode < 3; ++mode) {
        Rng r(g_seed * 57 + static_cast<std::uint64_t>((out_int8 * 3 + act) * 3 + mode));
        const int in_len = 3, in_ch = 41;  // 123 features in 33 words + the bias beat
        gn::Model m = layer4_model(r, f, gn::LayerKind::dense, in_len, in_ch, 5, 1, 1, 1, gn::Padding::valid);
        gn::Layer& l = m.layers[0];
        l.activation = static_cast<gn::Activation>(act);
        l.output_format = out_int8 ? Format::int8 : f;
        l.output_quant = {out_int8 && mode == 0 ? 0.0625f : 0.5f, out_int8 ? 7 : 0};
        const gn::Code neg_zero = f == Format::fp4 ? -8 : 0;
        gn::Tensor x = random_tensor4(r, f, in_len, in_ch);
        for (std::size_t i = 0; i < l.weights.size(); ++i) {
          const int c = static_cast<int>(i / static_cast<std::size_t>(in_len * in_ch));
          if (mode == 0) l.weights[i] = c == 0 ? maxpos : c == 1 ? static_cast<gn::Code>(f == Format::fp4 ? -1 : -7) : random_code(r, f, 8.0);  // fp4 -1 is -6
          if (mode == 1) l.weights[i] = c == 0 ? neg_zero : c == 1 ? minpos : static_cast<gn::Code>(i % 2 ? minpos : (f == Format::fp4 ? -7 : -1));
          if (mode == 2) l.weights[i] = c < 2 ? minpos : random_code(r, f, 1.0);
        }
        for (std::size_t i = 0; i < x.data.size(); ++i) {
          if (mode == 0) x.data[i] = r.chance(0.9) ? maxpos : random_code(r, f, 8.0);
          if (mode == 1) x.data[i] = r.chance(0.5) ? neg_zero : minpos;
        }
        for (int c = 0; c < 5; ++c) l.bias[static_cast<std::size_t>(c)] = mode == 1 ? neg_zero : l.bias[static_cast<std::size_t>(c)];
        if (!has_format(f)) {
          expect_refused(m, f);
          return;
        }
        stale_nar_memory();
        expect_bit_exact(m, x, fmt::format("{} corners, {} output, activation {}, mode {}", fname(f), out_int8 ? "int8" : fname(f), act, mode));
        if (::testing::Test::HasFatalFailure()) return;
      }
  // A 3-channel 4-bit output written nibble by nibble over stale NaR codes,
  // read by a second layer (its last lane must read 0), and a max pool of
  // -0, 0 and negative codes in every lane.
  for (int act = 0; act < 3; ++act) {
    Rng r(g_seed * 59 + static_cast<std::uint64_t>(act));
    gn::Model m = layer4_model(r, f, gn::LayerKind::conv1d, 16, 1, 3, 3, 1, 1, gn::Padding::same);
    m.name = fmt::format("{}_tail", fname(f));
    m.layers[0].output = "h";
    m.layers[0].output_format = f;
    m.layers[0].activation = static_cast<gn::Activation>(act);
    gn::Layer second = layer4_model(r, f, gn::LayerKind::conv1d, 16, 3, 2, 3, 1, 1, gn::Padding::same).layers[0];
    second.name = "l1";
    second.inputs = {"h"};
    second.output = "y";
    m.layers.push_back(second);
    gn::Model pm = layer4_model(r, f, gn::LayerKind::max_pool, 16, 4, 0, 2, 2, 1, gn::Padding::valid);
    pm.layers[0].activation = static_cast<gn::Activation>(act);
    // Window w of channel c: both -0, one 0 and one -0, or two negatives.
    gn::Tensor z = random_tensor4(r, f, 16, 4);
    const gn::Code nz = f == Format::fp4 ? -8 : 0;
    for (int p = 0; p < 16; ++p)
      for (int c = 0; c < 4; ++c) {
        const int t = (p / 2 + c) % 3;
        z.data[static_cast<std::size_t>(p * 4 + c)] = t == 0 ? nz : t == 1 ? (p % 2 ? gn::Code{0} : nz) : static_cast<gn::Code>(p % 2 ? -1 : f == Format::fp4 ? -7 : -6);
      }
    if (!has_format(f)) {
      expect_refused(m, f);
      return;
    }
    stale_nar_memory();
    expect_bit_exact(m, random_tensor4(r, f, 16, 1), fmt::format("{} 3-channel output over stale NaR lanes read by a second layer, activation {}", fname(f), act));
    if (::testing::Test::HasFatalFailure()) return;
    stale_nar_memory();
    expect_bit_exact(pm, z, fmt::format("{} max pool of -0, 0 and negative codes, activation {}", fname(f), act));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(NnLayers, Fp4CornersBitExact) { corners(Format::fp4); }
TEST(NnLayers, Posit4CornersBitExact) { corners(Format::posit4_1); }

// 4-bit layers in a row: a conv1d to the format (nibble writes), a max pool
// on those words, a depthwise conv1d to the format and a dense layer to
// int8, then an int8 layer; channel counts that leave unused lanes.
void chain(Format f) {
  for (std::uint64_t k = 0; k < 4; ++k) {
    Rng r(g_seed * 983 + k + (f == Format::fp4 ? 0 : 100));
    const int len = 24, ch = r.in(1, 5), mid = r.in(2, 7);
    gn::Model m = layer4_model(r, f, gn::LayerKind::conv1d, len, ch, mid, 3, 1, 1, gn::Padding::same);
    m.name = fmt::format("{}_chain", fname(f));
    m.layers[0].output = "h";
    m.layers[0].output_format = f;
    gn::Layer p;
    p.name = "pool";
    p.kind = gn::LayerKind::max_pool;
    p.inputs = {"h"};
    p.output = "hp";
    p.kernel = 2;
    p.stride = 2;
    p.activation = static_cast<gn::Activation>(r.in(0, 2));
    p.output_format = f;
    m.layers.push_back(p);
    gn::Model dw = layer4_model(r, f, gn::LayerKind::depthwise_conv1d, len / 2, mid, mid, 3, 1, 1, gn::Padding::same);
    gn::Layer d = dw.layers[0];
    d.name = "dw";
    d.inputs = {"hp"};
    d.output = "hd";
    d.output_format = f;
    m.layers.push_back(d);
    gn::Model de = layer4_model(r, f, gn::LayerKind::dense, len / 2, mid, 4, 1, 1, 1, gn::Padding::valid);
    gn::Layer e = de.layers[0];
    e.name = "fc";
    e.inputs = {"hd"};
    e.output = "q";
    e.output_format = Format::int8;
    e.output_quant = {std::ldexp(1.0f, r.in(-4, 1)), r.in(-20, 20)};
    m.layers.push_back(e);
    gn::Model head = one_layer_model(r, gn::LayerKind::dense, 1, 4, 2, 1, 1, 1, gn::Padding::valid);
    gn::Layer hd = head.layers[0];
    hd.name = "head";
    hd.inputs = {"q"};
    hd.output = "y";
    for (std::size_t c = 0; c < hd.weight_scales.size(); ++c) hd.weight_scales[c] = 0.01f;
    hd.output_quant = {e.output_quant.scale * 0.01f * 64.0f, 0};
    m.layers.push_back(hd);
    m.outputs = {"y"};
    if (!has_format(f)) {
      expect_refused(m, f);
      return;
    }
    stale_nar_memory();
    expect_bit_exact(m, random_tensor4(r, f, len, ch), fmt::format("{} chain {} (seed {})", fname(f), k, g_seed * 983 + k));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(NnNetwork, Fp4ChainBitExact) { chain(Format::fp4); }
TEST(NnNetwork, Posit4ChainBitExact) { chain(Format::posit4_1); }

// The PulseDL network with 4-bit first layers: input, conv1 and pool1 in the
// format, conv2 from it to int8, the rest int8.
void pulse(Format f) {
  for (std::uint64_t k = 0; k < 2; ++k) {
    const std::uint64_t seed = g_seed + k;
    const gn::Model m = f == Format::fp4 ? strata::runtime::pulse_cnn_fp4(seed) : strata::runtime::pulse_cnn_posit4(seed);
    if (!has_format(f)) {
      expect_refused(m, f);
      return;
    }
    expect_bit_exact(m, strata::runtime::random_input(m, seed), fmt::format("{}, weights and input from seed {}", m.name, seed));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(NnNetwork, PulseCnnFp4BitExact) { pulse(Format::fp4); }
TEST(NnNetwork, PulseCnnPosit4BitExact) { pulse(Format::posit4_1); }

}  // namespace
}  // namespace strata::nn_test
