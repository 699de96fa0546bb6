// The model and tensor file formats (host/runtime/model_file.h,
// docs/model-format.md): the good models tests/models/tiny.json (+ tiny.bin)
// and posit8.json (posit8 layers feeding int8 ones) load as written; save
// then load gives the same Model, inline and with a side binary; saving is
// atomic; shape inference agrees with
// golden::nn::window's formulas; and every malformed file under
// tests/models/bad/ fails with its own message, naming the file, the place
// in it, the problem and what is allowed (the tables kBadModels and
// kBadTensors below).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/model_file.h"

namespace strata::runtime {
namespace {

namespace fs = std::filesystem;
namespace nn = golden::nn;

const fs::path kModels = fs::path(STRATA_SOURCE) / "tests" / "models";
const fs::path kBad = kModels / "bad";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh, empty directory of this test's own.
fs::path scratch(const std::string& tag) {
  const fs::path d = fs::temp_directory_path() / fmt::format("strata-test-runtime-{}-{}", ::getpid(), tag);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::vector<std::string> dir_names(const fs::path& d) {
  std::vector<std::string> v;
  for (const auto& e : fs::directory_iterator(d)) v.push_back(e.path().filename().string());
  std::sort(v.begin(), v.end());
  return v;
}

// nn::Model and nn::Layer have no operator==: every field, one by one.
void expect_same(const nn::Model& a, const nn::Model& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.input, b.input);
  EXPECT_EQ(a.input_length, b.input_length);
  EXPECT_EQ(a.input_channels, b.input_channels);
  EXPECT_EQ(a.input_format, b.input_format);
  EXPECT_EQ(a.input_quant, b.input_quant);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    const nn::Layer& x = a.layers[i];
    const nn::Layer& y = b.layers[i];
    SCOPED_TRACE(fmt::format("layers[{}] ({})", i, x.name));
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(static_cast<int>(x.kind), static_cast<int>(y.kind));
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.output, y.output);
    EXPECT_EQ(x.kernel, y.kernel);
    EXPECT_EQ(x.stride, y.stride);
    EXPECT_EQ(x.dilation, y.dilation);
    EXPECT_EQ(static_cast<int>(x.padding), static_cast<int>(y.padding));
    EXPECT_EQ(x.out_channels, y.out_channels);
    EXPECT_EQ(static_cast<int>(x.activation), static_cast<int>(y.activation));
    EXPECT_EQ(x.output_format, y.output_format);
    EXPECT_EQ(x.output_quant, y.output_quant);
    EXPECT_EQ(x.weights, y.weights);
    EXPECT_EQ(x.weight_scales, y.weight_scales);
    EXPECT_EQ(x.gelu_form, y.gelu_form);
    EXPECT_EQ(x.softmax_algorithm, y.softmax_algorithm);
    EXPECT_EQ(x.bias, y.bias);
  }
  EXPECT_EQ(a.outputs, b.outputs);
}

// Runs `f`, which must throw a ModelError; returns it.
template <class F>
ModelError error_of(F&& f) {
  try {
    f();
  } catch (const ModelError& e) {
    return e;
  }
  ADD_FAILURE() << "no ModelError";
  return ModelError("", "", "", "");
}

// ---------------------------------------------------------------------------
// The good model.

TEST(TinyModel, LoadsAsWritten) {
  const nn::Model m = load_model(kModels / "tiny.json");
  EXPECT_EQ(m.name, "tiny");
  EXPECT_EQ(m.input, "x");
  EXPECT_EQ(m.input_length, 16);
  EXPECT_EQ(m.input_channels, 2);
  EXPECT_EQ(m.input_quant, (nn::QuantParams{0.0123f, -3}));
  ASSERT_EQ(m.layers.size(), 7u);
  EXPECT_EQ(m.outputs, (std::vector<std::string>{"y", "g"}));

  const nn::Layer& conv = m.layers[0];  // weights and bias from tiny.bin
  EXPECT_EQ(conv.kind, nn::LayerKind::conv1d);
  EXPECT_EQ(conv.kernel, 3);
  EXPECT_EQ(conv.stride, 1);  // default
  EXPECT_EQ(conv.dilation, 1);
  EXPECT_EQ(conv.padding, nn::Padding::same);
  EXPECT_EQ(conv.out_channels, 4);
  EXPECT_EQ(conv.activation, nn::Activation::relu);
  EXPECT_EQ(conv.output_quant, (nn::QuantParams{0.05f, -128}));
  ASSERT_EQ(conv.weights.size(), 24u);
  EXPECT_EQ(std::vector<strata::golden::nn::Code>(conv.weights.begin(), conv.weights.begin() + 4), (std::vector<strata::golden::nn::Code>{37, -51, 74, -104}));
  EXPECT_EQ(conv.weight_scales, (std::vector<float>{0.0021f, 0.0034f, 0.0017f, 0.0042f}));
  EXPECT_EQ(conv.bias, (std::vector<std::int32_t>{-2619, 1560, -1910, -628}));

  const nn::Layer& dw = m.layers[1];  // inline
  EXPECT_EQ(dw.kind, nn::LayerKind::depthwise_conv1d);
  EXPECT_EQ(dw.dilation, 2);
  EXPECT_EQ(dw.out_channels, 4);  // the input's channels
  EXPECT_EQ(dw.weights.size(), 12u);
  EXPECT_EQ(dw.weights[0], 86);
  EXPECT_EQ(dw.bias, (std::vector<std::int32_t>{8, 196, 44, -63}));

  const nn::Layer& res = m.layers[2];
  EXPECT_EQ(res.kind, nn::LayerKind::add);
  EXPECT_EQ(res.inputs, (std::vector<std::string>{"c1", "d1"}));
  EXPECT_EQ(res.activation, nn::Activation::relu6);

  const nn::Layer& pool = m.layers[3];  // no output_quant: the input's
  EXPECT_EQ(pool.kind, nn::LayerKind::max_pool);
  EXPECT_EQ(pool.padding, nn::Padding::valid);
  EXPECT_EQ(pool.activation, nn::Activation::none);
  EXPECT_EQ(pool.output_quant, res.output_quant);
  EXPECT_TRUE(pool.weights.empty() && pool.bias.empty());

  EXPECT_EQ(m.layers[4].output_quant, res.output_quant);  // avg_pool: given, equal

  const nn::Layer& fc = m.layers[5];  // weights from tiny.bin, bias inline
  EXPECT_EQ(fc.kind, nn::LayerKind::dense);
  EXPECT_EQ(fc.out_channels, 3);
  ASSERT_EQ(fc.weights.size(), 96u);  // units 3 × [8, 4] after the pool
  EXPECT_EQ(fc.weights[94], -94);
  EXPECT_EQ(fc.weights[95], -22);
  EXPECT_EQ(fc.bias, (std::vector<std::int32_t>{8876, -9364, -12796}));

  EXPECT_EQ(m.layers[6].kind, nn::LayerKind::global_avg_pool);
  EXPECT_EQ(m.layers[6].output_quant, res.output_quant);
}

TEST(TinyModel, ParseModelFindsTheBinaryInBaseDir) {
  const nn::Model a = load_model(kModels / "tiny.json");
  const nn::Model b = parse_model(slurp(kModels / "tiny.json"), "in-memory.json", kModels);
  expect_same(a, b);
  const ModelError e = error_of([] { (void)parse_model(slurp(kModels / "tiny.json"), "in-memory.json", kBad); });
  EXPECT_EQ(e.file(), "in-memory.json");
  EXPECT_EQ(e.where(), "binary");
  EXPECT_NE(e.problem().find((kBad / "tiny.bin").string()), std::string::npos) << e.what();
}

TEST(TinyModel, MissingFileIsAnError) {
  const fs::path p = kModels / "no_such_model.json";
  const ModelError e = error_of([&] { (void)load_model(p); });
  EXPECT_EQ(std::string(e.what()),
            fmt::format("{}: error: the file: cannot be read (No such file or directory); allowed: a readable strata-model JSON file", p.string()));
}

// tests/models/posit8.json: posit8 layers feeding int8 ones.
TEST(Posit8Model, LoadsAsWritten) {
  const nn::Model m = load_model(kModels / "posit8.json");
  EXPECT_EQ(m.input_format, golden::Format::posit8_0);
  EXPECT_EQ(m.input_quant, nn::QuantParams{});  // posit8: no quantization
  ASSERT_EQ(m.layers.size(), 5u);
  EXPECT_EQ(m.outputs, (std::vector<std::string>{"y", "m1"}));

  const nn::Layer& conv = m.layers[0];  // posit8 -> posit8
  EXPECT_EQ(conv.output_format, golden::Format::posit8_0);
  EXPECT_EQ(conv.activation, nn::Activation::relu);
  EXPECT_EQ(conv.output_quant, nn::QuantParams{});
  EXPECT_EQ(conv.weights, (std::vector<strata::golden::nn::Code>{64, -64, 32, -127, 127, 0, 1, -1, 80, -96, 48, 16}));
  EXPECT_TRUE(conv.weight_scales.empty());
  EXPECT_EQ(conv.bias, (std::vector<std::int32_t>{-127, 127}));

  const nn::Layer& pool = m.layers[1];  // output_format given, equal to the input's
  EXPECT_EQ(pool.output_format, golden::Format::posit8_0);
  EXPECT_EQ(pool.output_quant, nn::QuantParams{});

  const nn::Layer& dw = m.layers[2];  // posit8 -> int8 (the default)
  EXPECT_EQ(dw.output_format, golden::Format::int8);
  EXPECT_EQ(dw.output_quant, (nn::QuantParams{0.05f, -3}));
  EXPECT_EQ(dw.weights, (std::vector<strata::golden::nn::Code>{70, -70, 20, 100}));
  EXPECT_TRUE(dw.weight_scales.empty());
  EXPECT_EQ(dw.bias, (std::vector<std::int32_t>{5, -9}));

  const nn::Layer& fc = m.layers[3];  // int8 -> int8, as ever
  EXPECT_EQ(fc.output_format, golden::Format::int8);
  EXPECT_EQ(fc.output_quant, (nn::QuantParams{0.1f, 4}));
  EXPECT_EQ(fc.weight_scales, (std::vector<float>{0.0061f, 0.0058f}));
  EXPECT_EQ(fc.weights.size(), 12u);
  EXPECT_EQ(fc.bias, (std::vector<std::int32_t>{300, -300}));

  EXPECT_EQ(m.layers[4].output_format, golden::Format::posit8_0);  // a pool keeps its input's format
}

std::size_t occurrences(const std::string& text, const std::string& s) {
  std::size_t n = 0;
  for (std::size_t at = text.find(s); at != std::string::npos; at = text.find(s, at + 1)) ++n;
  return n;
}

TEST(Posit8Model, RoundTripInlineAndSideBinary) {
  const fs::path d = scratch("posit8");
  const nn::Model m = load_model(kModels / "posit8.json");
  for (bool side : {false, true}) {
    SCOPED_TRACE(side ? "side binary" : "inline");
    save_model(m, d / "m.json", side);
    const std::string text = slurp(d / "m.json");
    EXPECT_NE(text.find(R"("input": {"name": "x", "shape": [8, 2], "format": "posit8_0"},)"), std::string::npos) << text;
    EXPECT_EQ(occurrences(text, R"("output_format": "posit8_0")"), 3u) << text;  // conv1, pool1, gmax
    EXPECT_EQ(occurrences(text, R"("output_format")"), 3u) << text;             // int8 is not written
    EXPECT_EQ(occurrences(text, R"("output_quant")"), 2u) << text;              // dw1, fc
    EXPECT_EQ(occurrences(text, R"("scales")"), 1u) << text;                    // fc
    EXPECT_EQ(text.find(R"("data")") == std::string::npos, side) << text;
    expect_same(load_model(d / "m.json"), m);
    fs::remove_all(d);
    fs::create_directories(d);
  }
  fs::remove_all(d);
}

// A posit16 model: 16-bit weight codes inline and as two-byte values in the
// side binary; an int8 dense head after a posit16 layer to int8.
TEST(Posit16Model, RoundTripInlineAndSideBinary) {
  const fs::path d = scratch("posit16");
  nn::Model m;
  m.name = "p16";
  m.input = "x";
  m.input_length = 6;
  m.input_channels = 2;
  m.input_format = golden::Format::posit16_1;
  nn::Layer c;
  c.name = "conv";
  c.kind = nn::LayerKind::conv1d;
  c.inputs = {"x"};
  c.output = "c";
  c.kernel = 3;
  c.out_channels = 2;
  c.output_format = golden::Format::posit16_1;
  c.weights = {1, -1, 32767, -32767, 0x4000, 300, -300, 7, 8, 9, 10, 11};
  c.bias = {0x4000, -20000};
  nn::Layer f;
  f.name = "fc";
  f.kind = nn::LayerKind::dense;
  f.inputs = {"c"};
  f.output = "y";
  f.out_channels = 1;
  f.output_quant = {0.25f, -3};
  f.weights = {5, -5, 1000, -1000, 20000, -20000, 1, 2};
  f.bias = {-1};
  m.layers = {c, f};
  m.outputs = {"y"};
  for (bool side : {false, true}) {
    SCOPED_TRACE(side ? "side binary" : "inline");
    save_model(m, d / "m.json", side);
    const std::string text = slurp(d / "m.json");
    EXPECT_NE(text.find(R"("format": "posit16_1")"), std::string::npos) << text;
    EXPECT_EQ(occurrences(text, R"("output_quant")"), 1u) << text;
    if (side) {
      EXPECT_EQ(fs::file_size(d / "m.bin"), 12u * 2 + 2u * 4 + 8u * 2 + 4u) << text;  // int16 weights, int32 biases (aligned)
    }
    expect_same(load_model(d / "m.json"), m);
    fs::remove_all(d);
    fs::create_directories(d);
  }
  fs::remove_all(d);
}

// 4-bit models: fp4 codes (-8, the pattern 1000, is -0 and allowed) and
// posit4 codes, inline and as one-byte values in the side binary; a max pool
// keeps the format, a dense layer goes to int8.
TEST(FourBitModel, RoundTripInlineAndSideBinary) {
  for (golden::Format fmt4 : {golden::Format::fp4, golden::Format::posit4_1}) {
    SCOPED_TRACE(golden::info(fmt4).name);
    const fs::path d = scratch("four-bit");
    const nn::Code lo = fmt4 == golden::Format::fp4 ? -8 : -7;
    nn::Model m;
    m.name = "m4";
    m.input = "x";
    m.input_length = 6;
    m.input_channels = 3;
    m.input_format = fmt4;
    nn::Layer c;
    c.name = "conv";
    c.kind = nn::LayerKind::conv1d;
    c.inputs = {"x"};
    c.output = "c";
    c.kernel = 2;
    c.out_channels = 2;
    c.output_format = fmt4;
    c.weights = {lo, 7, -1, 0, 1, 2, 3, -3, lo, 5, 6, -7};
    c.bias = {lo, 7};
    nn::Layer p;
    p.name = "pool";
    p.kind = nn::LayerKind::max_pool;
    p.inputs = {"c"};
    p.output = "p";
    p.kernel = 2;
    p.stride = 2;
    p.output_format = fmt4;
    nn::Layer f;
    f.name = "fc";
    f.kind = nn::LayerKind::dense;
    f.inputs = {"p"};
    f.output = "y";
    f.out_channels = 1;
    f.output_quant = {0.25f, -3};
    f.weights = {1, lo, 7, -7};
    f.bias = {-1};
    m.layers = {c, p, f};
    m.outputs = {"y"};
    for (bool side : {false, true}) {
      SCOPED_TRACE(side ? "side binary" : "inline");
      save_model(m, d / "m.json", side);
      const std::string text = slurp(d / "m.json");
      EXPECT_NE(text.find(fmt::format(R"("format": "{}")", golden::info(fmt4).name)), std::string::npos) << text;
      if (side) {
        EXPECT_EQ(fs::file_size(d / "m.bin"), 12u + 2u * 4 + 4u + 4u) << text;  // one byte per weight, int32 biases (aligned)
      }
      expect_same(load_model(d / "m.json"), m);
      fs::remove_all(d);
      fs::create_directories(d);
    }
    fs::remove_all(d);
  }
}

TEST(Posit8Model, Int8FilesNameNoFormat) {
  const fs::path d = scratch("int8-format");
  save_model(load_model(kModels / "tiny.json"), d / "m.json", false);
  const std::string text = slurp(d / "m.json");
  EXPECT_EQ(text.find("output_format"), std::string::npos) << text;
  EXPECT_EQ(occurrences(text, R"("format")"), 1u) << text;  // "strata-model" only
  fs::remove_all(d);
}

TEST(Posit8Model, SaveRejectsWhatTheFormatsExclude) {
  const fs::path d = scratch("posit8-reject");
  const nn::Model good = load_model(kModels / "posit8.json");
  auto error_text = [&](const nn::Model& m, bool side) {
    const ModelError e = error_of([&] { save_model(m, d / "m.json", side); });
    return e.where() + ": " + e.problem();
  };
  {
    nn::Model m = good;
    m.layers[0].weight_scales = {0.5f, 0.5f};
    EXPECT_EQ(error_text(m, false), R"(layers[0].weights.scales: given for a conv1d layer whose input "x" is posit8_0, but posit8 weights have no scales)");
  }
  {
    nn::Model m = good;
    m.layers[0].weights[2] = -128;
    EXPECT_EQ(error_text(m, false), "layers[0].weights.data[2]: -128 is NaR, not a posit8 value");
    EXPECT_EQ(error_text(m, true), R"(layers[0].weights: value 2 (byte 2 of the side binary "m.bin") is -128, NaR, not a posit8 value)");
  }
  {
    nn::Model m = good;
    m.layers[0].bias[1] = 128;
    EXPECT_EQ(error_text(m, false), "layers[0].bias.data[1]: 128 is out of range");
    EXPECT_EQ(error_text(m, true), R"(layers[0].bias: value 1 (byte 16 of the side binary "m.bin") is 128, not a posit8 code)");
  }
  {
    nn::Model m = good;
    m.layers[1].output_format = golden::Format::int8;  // a pool on a posit8 tensor
    EXPECT_EQ(error_text(m, false), R"(layers[1].output_format: "int8" differs from the format of input "c1" (posit8_0))");
  }
  {
    nn::Model m = good;
    m.layers[0].output_format = golden::Format::int4;
    EXPECT_EQ(error_text(m, false), "layers[0].output_format: Format int4 is not a tensor format");
  }
  {
    nn::Model m = good;
    m.input_format = golden::Format::int16;
    EXPECT_EQ(error_text(m, false), "input.format: Format int16 is not a tensor format");
  }
  {
    nn::Model m = load_model(kModels / "tiny.json");
    m.layers[0].output_format = golden::Format::posit8_0;
    EXPECT_EQ(error_text(m, false), R"(layers[0].output_format: "posit8_0" for a conv1d layer whose input "x" is int8)");
  }
  EXPECT_TRUE(dir_names(d).empty());
  fs::remove_all(d);
}

// The examples of docs/model-format.md load.
std::string doc_block(const std::string& section) {
  const std::string doc = slurp(fs::path(STRATA_SOURCE) / "docs" / "model-format.md");
  const std::size_t at = doc.find(section);
  const std::size_t start = doc.find("```json\n", at == std::string::npos ? doc.size() : at);
  if (start == std::string::npos) return "";
  const std::size_t end = doc.find("\n```", start + 8);
  return doc.substr(start + 8, end - start - 8);
}

TEST(DocsExample, ModelLoads) {
  const nn::Model m = parse_model(doc_block("## Example"), "docs/model-format.md", ".");
  EXPECT_EQ(m.name, "pulse_cnn");
  ASSERT_EQ(m.layers.size(), 3u);
  EXPECT_EQ(m.layers[0].weights.size(), 6u);
  EXPECT_EQ(m.layers[1].output_quant, m.layers[0].output_quant);
  EXPECT_EQ(m.layers[2].weights.size(), 16u);
}

TEST(DocsExample, Posit8ModelLoads) {
  const nn::Model m = parse_model(doc_block("## Posit8 layers"), "docs/model-format.md", ".");
  EXPECT_EQ(m.input_format, golden::Format::posit8_0);
  ASSERT_EQ(m.layers.size(), 3u);
  EXPECT_EQ(m.layers[0].output_format, golden::Format::posit8_0);
  EXPECT_TRUE(m.layers[0].weight_scales.empty());
  EXPECT_EQ(m.layers[1].output_format, golden::Format::int8);  // posit8 in, int8 out
  EXPECT_TRUE(m.layers[1].weight_scales.empty());
  EXPECT_EQ(m.layers[1].output_quant, (nn::QuantParams{0.05f, 0}));
  EXPECT_EQ(m.layers[2].weight_scales, (std::vector<float>{0.0061f}));  // int8 in
}

TEST(DocsExample, GeluSoftmaxModelLoadsAndRoundTrips) {
  const nn::Model m = parse_model(doc_block("## GELU and softmax layers"), "docs/model-format.md", ".");
  ASSERT_EQ(m.layers.size(), 3u);
  EXPECT_EQ(m.layers[1].kind, nn::LayerKind::gelu);
  EXPECT_EQ(m.layers[1].gelu_form, golden::gelu::Form::tanh);
  EXPECT_EQ(m.layers[1].output_quant, (nn::QuantParams{0.03f, -100}));
  EXPECT_EQ(m.layers[2].kind, nn::LayerKind::softmax);
  EXPECT_EQ(m.layers[2].softmax_algorithm, golden::softmax::Algorithm::three_pass);
  EXPECT_EQ(m.layers[2].output_quant, nn::kSoftmaxOutputQuant);  // the default
  EXPECT_EQ(parse_model(doc_block("## Example"), "docs/model-format.md", ".").layers[0].gelu_form, golden::gelu::Form::erf);
  const fs::path d = scratch("gelu_softmax");
  save_model(m, d / "m.json", false);
  expect_same(load_model(d / "m.json"), m);
  const std::string text = slurp(d / "m.json");
  EXPECT_NE(text.find("\"form\": \"tanh\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"algorithm\": \"three_pass\""), std::string::npos) << text;
  fs::remove_all(d);
}

TEST(DocsExample, TensorLoads) {
  const nn::Tensor t = parse_tensor(doc_block("## Tensor files"), "docs/model-format.md", 4, 2);
  EXPECT_EQ(t.data, (std::vector<strata::golden::nn::Code>{1, -2, 3, -4, 5, -6, 7, -8}));
}

// ---------------------------------------------------------------------------
// Round trip and atomic writes.

TEST(RoundTrip, Inline) {
  const fs::path d = scratch("inline");
  const nn::Model m = load_model(kModels / "tiny.json");
  save_model(m, d / "m.json", false);
  EXPECT_EQ(dir_names(d), (std::vector<std::string>{"m.json"}));
  expect_same(load_model(d / "m.json"), m);
  const std::string text = slurp(d / "m.json");
  EXPECT_EQ(text.find("\"binary\""), std::string::npos);
  EXPECT_NE(text.find("\"scale\": 0.0123,"), std::string::npos) << "floats are written as the shortest decimal:\n" << text;
  fs::remove_all(d);
}

TEST(RoundTrip, SideBinary) {
  const fs::path d = scratch("side");
  const nn::Model m = load_model(kModels / "tiny.json");
  save_model(m, d / "m.json", true);
  EXPECT_EQ(dir_names(d), (std::vector<std::string>{"m.bin", "m.json"}));
  const std::string text = slurp(d / "m.json");
  EXPECT_NE(text.find("\"binary\": \"m.bin\""), std::string::npos) << text;
  EXPECT_EQ(text.find("\"data\""), std::string::npos) << "all weights and biases in the side binary:\n" << text;
  // conv1 24 + bias 16, dw1 12 + pad 0 + bias 16 (from 52), fc 96 + bias 12 (from 164).
  EXPECT_EQ(fs::file_size(d / "m.bin"), 176u);
  expect_same(load_model(d / "m.json"), m);
  fs::remove_all(d);
}

TEST(RoundTrip, SavingIsDeterministicAndOverwrites) {
  const fs::path d = scratch("again");
  const nn::Model m = load_model(kModels / "tiny.json");
  save_model(m, d / "m.json", true);
  const std::string json1 = slurp(d / "m.json"), bin1 = slurp(d / "m.bin");
  save_model(load_model(d / "m.json"), d / "m.json", true);
  EXPECT_EQ(slurp(d / "m.json"), json1);
  EXPECT_EQ(slurp(d / "m.bin"), bin1);
  EXPECT_EQ(dir_names(d), (std::vector<std::string>{"m.bin", "m.json"})) << "no temporary file is left behind";
  fs::remove_all(d);
}

TEST(RoundTrip, ExtremeValues) {
  const fs::path d = scratch("extreme");
  nn::Model m = load_model(kModels / "tiny.json");
  m.input_quant = {1.17549435e-38f, 127};  // smallest normal float32
  m.layers[0].weights[0] = -128;
  m.layers[0].weights[1] = 127;
  m.layers[0].weight_scales[0] = 3.40282347e38f;  // largest float32
  m.layers[0].weight_scales[1] = 0.1f;
  m.layers[0].bias[0] = -2147483647 - 1;
  m.layers[0].bias[1] = 2147483647;
  for (bool side : {false, true}) {
    save_model(m, d / "m.json", side);
    expect_same(load_model(d / "m.json"), m);
  }
  fs::remove_all(d);
}

TEST(AtomicSave, MissingDirectoryThrowsAndCreatesNothing) {
  const fs::path d = scratch("nodir");
  const nn::Model m = load_model(kModels / "tiny.json");
  for (bool side : {false, true}) {
    const fs::path p = d / "missing" / "m.json";
    const ModelError e = error_of([&] { save_model(m, p, side); });
    EXPECT_EQ(e.where(), "the file");
    EXPECT_NE(e.problem().find("No such file or directory"), std::string::npos) << e.what();
    EXPECT_NE(e.allowed().find("an existing, writable directory"), std::string::npos) << e.what();
    EXPECT_FALSE(fs::exists(d / "missing"));
    EXPECT_TRUE(dir_names(d).empty());
  }
  fs::remove_all(d);
}

TEST(AtomicSave, InvalidModelWritesNothingAndKeepsTheOldFile) {
  const fs::path d = scratch("invalid");
  const nn::Model good = load_model(kModels / "tiny.json");
  save_model(good, d / "m.json", true);
  const std::string json1 = slurp(d / "m.json"), bin1 = slurp(d / "m.bin");
  nn::Model bad = good;
  bad.layers[5].weights.pop_back();
  for (bool side : {false, true}) {
    const ModelError e = error_of([&] { save_model(bad, d / "m.json", side); });
    EXPECT_EQ(e.file(), (d / "m.json").string());
    EXPECT_EQ(e.where(), side ? "layers[5].weights.count" : "layers[5].weights.data") << e.what();
    EXPECT_NE(e.allowed().find("96 = units 3 × input length 8 × input channels 4"), std::string::npos) << e.what();
    EXPECT_EQ(slurp(d / "m.json"), json1);
    EXPECT_EQ(slurp(d / "m.bin"), bin1);
    EXPECT_EQ(dir_names(d), (std::vector<std::string>{"m.bin", "m.json"}));
  }
  fs::remove_all(d);
}

TEST(AtomicSave, RejectsWhatTheFormatCannotHold) {
  const fs::path d = scratch("reject");
  const nn::Model good = load_model(kModels / "tiny.json");
  {
    nn::Model m = good;
    m.layers[3].output_quant = {1.0f, 0};  // a pool's quantization is its input's
    const ModelError e = error_of([&] { save_model(m, d / "m.json", false); });
    EXPECT_EQ(e.where(), "layers[3].output_quant") << e.what();
  }
  {
    nn::Model m = good;
    m.layers[3].bias = {1, 2, 3, 4};
    const ModelError e = error_of([&] { save_model(m, d / "m.json", false); });
    EXPECT_EQ(e.where(), "layers[3]") << e.what();
    EXPECT_NE(e.problem().find("a max_pool layer carries weights"), std::string::npos) << e.what();
  }
  {
    nn::Model m = good;
    m.layers[1].weight_scales[2] = -1.0f;
    const ModelError e = error_of([&] { save_model(m, d / "m.json", false); });
    EXPECT_EQ(e.where(), "layers[1].weights.scales[2]") << e.what();
  }
  {
    nn::Model m = good;
    m.layers[2].name = "bad name";
    const ModelError e = error_of([&] { save_model(m, d / "m.json", false); });
    EXPECT_EQ(e.where(), "layers[2].name") << e.what();
  }
  {
    const ModelError e = error_of([&] { save_model(good, d / "m.bin", true); });
    EXPECT_EQ(e.where(), "the file") << e.what();
  }
  EXPECT_TRUE(dir_names(d).empty());
  fs::remove_all(d);
}

// ---------------------------------------------------------------------------
// Shape inference: a conv1d or pool of every small (length, kernel, stride,
// dilation, padding), followed by a dense layer whose weight count reveals
// the inferred length, against nn.h's window() formulas written out here.

std::string probe_model(const std::string& op, int length, int kernel, int stride, int dilation, const std::string& padding, long long dense_weights) {
  const std::string conv = op == "conv1d" ? R"(, "filters": 1, "output_quant": {"scale": 1, "zero_point": 0},
      "weights": {"scales": [1], "data": [)" + fmt::format("{}", fmt::join(std::vector<int>(static_cast<std::size_t>(kernel), 1), ", ")) + "]}"
                                          : "";
  return fmt::format(R"({{"format": "strata-model", "version": 1, "name": "probe",
  "input": {{"name": "x", "shape": [{}, 1], "scale": 1, "zero_point": 0}},
  "layers": [
    {{"name": "w", "op": "{}", "inputs": ["x"], "output": "h", "kernel": {}, "stride": {}, "dilation": {}, "padding": "{}"{}}},
    {{"name": "fc", "op": "dense", "inputs": ["h"], "output": "y", "units": 1, "output_quant": {{"scale": 1, "zero_point": 0}},
     "weights": {{"scales": [1], "data": [{}]}}}}
  ],
  "outputs": ["y"]}})",
                     length, op, kernel, stride, dilation, padding, conv, fmt::join(std::vector<int>(static_cast<std::size_t>(dense_weights), 0), ", "));
}

TEST(ShapeInference, MatchesTheWindowFormulas) {
  int checked = 0;
  for (const std::string op : {"conv1d", "max_pool", "avg_pool"})
    for (int length = 1; length <= 12; ++length)
      for (int kernel = 1; kernel <= 4; ++kernel)
        for (int stride = 1; stride <= 3; ++stride)
          for (int dilation = 1; dilation <= (op == "conv1d" ? 3 : 1); ++dilation)
            for (const std::string padding : {"valid", "same"}) {
              SCOPED_TRACE(fmt::format("{} length {} kernel {} stride {} dilation {} {}", op, length, kernel, stride, dilation, padding));
              const int span = (kernel - 1) * dilation + 1;
              if (padding == "valid" && length < span) {
                const ModelError e = error_of([&] { (void)parse_model(probe_model(op, length, kernel, stride, dilation, padding, 1), "probe.json", "."); });
                EXPECT_EQ(e.where(), "layers[0].kernel") << e.what();
                continue;
              }
              const int out = padding == "valid" ? (length - span) / stride + 1 : (length + stride - 1) / stride;
              const nn::Model m = parse_model(probe_model(op, length, kernel, stride, dilation, padding, out), "probe.json", ".");
              EXPECT_EQ(m.layers[1].weights.size(), static_cast<std::size_t>(out));
              const ModelError e = error_of([&] { (void)parse_model(probe_model(op, length, kernel, stride, dilation, padding, out + 1), "probe.json", "."); });
              EXPECT_EQ(e.where(), "layers[1].weights.data") << e.what();
              EXPECT_NE(e.allowed().find(fmt::format("input length {} ", out)), std::string::npos) << e.what();
              ++checked;
            }
  EXPECT_GT(checked, 500);
}

// ---------------------------------------------------------------------------
// The catalogue of malformed files: tests/models/bad/FILE fails at WHERE with
// a problem containing PROBLEM and an allowed list containing ALLOWED.

struct Bad {
  const char* file;
  const char* where;
  const char* problem;
  const char* allowed;
};

const Bad kBadModels[] = {
    {"01_syntax_error.json", "byte 824", "invalid JSON at line 18, column 1: syntax error while parsing object key", "a JSON document"},
    {"02_number_overflow.json", "byte 115", "number overflow parsing '1e400'", "numbers within the range of a double"},
    {"03_top_level_array.json", "the model", "[1,2] is an array, not an object", R"(an object with "format": "strata-model", "version": 1)"},
    {"04_missing_format.json", "format", "missing required key", R"("strata-model")"},
    {"05_wrong_format.json", "format", R"("strata-modle" is not "strata-model")", R"("strata-model")"},
    {"06_tensor_file_as_model.json", "format", R"("strata-tensor" is the format of a tensor file)", R"("strata-model")"},
    {"07_wrong_version.json", "version", "version 2 is not supported", "1"},
    {"08_version_string.json", "version", R"("1" is a string, not an integer)", "1"},
    {"09_unknown_top_key.json", "author", "unknown key", "format, version, name, input, layers, outputs, binary"},
    {"10_unknown_layer_key.json", "layers[0].kernal", "unknown key",
     "name, op, inputs, output, kernel, stride, dilation, padding, filters, activation, output_format, output_quant, weights, bias"},
    {"11_key_of_other_op.json", "layers[1].filters", "not a key of a max_pool layer",
     "name, op, inputs, output, kernel, stride, dilation, padding, activation, output_format, output_quant"},
    {"12_duplicate_key.json", "layers[0].kernel", "duplicate key", "each key once in an object"},
    {"13_missing_name.json", "name", "missing required key", "1 to 32 characters from A-Z, a-z, 0-9 and _"},
    {"14_missing_layers.json", "layers", "missing required key", "a list of layers"},
    {"15_layers_not_list.json", "layers", R"({"conv":{}} is an object, not a list)", "a list of layers"},
    {"16_layer_not_object.json", "layers[3]", R"("pool2" is a string, not an object)", "an object with keys name, op, inputs, output"},
    {"17_missing_kernel.json", "layers[1].kernel", "missing required key", "an integer from 1 to 65535"},
    {"18_kernel_string.json", "layers[0].kernel", R"("3" is a string, not an integer)", "an integer from 1 to 65535"},
    {"19_kernel_float.json", "layers[0].kernel", "3.0 is not an integer", "an integer from 1 to 65535"},
    {"20_bad_model_name.json", "name", R"("bad-model" is not a name)", "1 to 32 characters from A-Z, a-z, 0-9 and _"},
    {"21_long_layer_name.json", "layers[0].name", R"("a_layer_name_of_33_characters_xxx" is not a name)", "1 to 32 characters"},
    {"22_duplicate_layer_name.json", "layers[2].name", R"("conv" is already the name of layers[0])", "a name no other layer has"},
    {"23_duplicate_tensor.json", "layers[2].output", R"(tensor "c" is already the output of layers[0])", "the name of a new tensor"},
    {"24_output_is_input.json", "layers[0].output", R"(tensor "x" is already the model's input)", "the name of a new tensor"},
    {"25_unknown_op.json", "layers[0].op", R"("conv2d" is not an op)", "conv1d, depthwise_conv1d, dense, max_pool, avg_pool, global_avg_pool, add, gelu, softmax"},
    {"26_unknown_padding.json", "layers[1].padding", R"("full" is not a padding)", "valid, same"},
    {"27_unknown_activation.json", "layers[0].activation", R"("sigmoid" is not an activation)", "none, relu, relu6"},
    {"28_kernel_zero.json", "layers[0].kernel", "0 is out of range", "an integer from 1 to 65535"},
    {"29_stride_too_big.json", "layers[1].stride", "65536 is out of range", "an integer from 1 to 65535"},
    {"30_dilation_zero.json", "layers[0].dilation", "0 is out of range", "an integer from 1 to 65535"},
    {"31_filters_zero.json", "layers[0].filters", "0 is out of range", "an integer from 1 to 65535"},
    {"32_units_too_big.json", "layers[2].units", "70000 is out of range", "an integer from 1 to 65535"},
    {"33_pool_dilation.json", "layers[1].dilation", "2 is out of range", "1 (a pool's window is contiguous)"},
    {"34_window_too_long.json", "layers[0].kernel", R"(the window (kernel 5, dilation 2) spans 9 positions, more than the 8 of input "x")",
     R"(a window of at most 8 positions, or "padding": "same")"},
    {"35_scale_zero.json", "input.scale", "0 is not greater than 0", "a finite number greater than 0"},
    {"36_scale_negative.json", "layers[0].output_quant.scale", "-0.25 is not greater than 0", "a finite number greater than 0"},
    {"37_scale_not_float32.json", "layers[0].weights.scales[1]", "1e+39 is beyond the float32 range", "a finite number greater than 0 (held as float32)"},
    {"38_scale_string.json", "layers[2].output_quant.scale", R"("0.125" is a string, not a number)", "a finite number greater than 0"},
    {"39_zero_point_range.json", "input.zero_point", "128 is out of range", "an integer from -128 to 127"},
    {"40_zero_point_float.json", "layers[0].output_quant.zero_point", "-1.5 is not an integer", "an integer from -128 to 127"},
    {"41_scale_count.json", "layers[0].weights.scales", "1 scale for 2 output channels", "a list of 2 scales, one per output channel"},
    {"42_weights_count.json", "layers[0].weights.data", "holds 11 values",
     "a list of 12 int8 values (12 = filters 2 × kernel 3 × input channels 2, in the order [filters][kernel][input channels])"},
    {"43_dense_weights_count.json", "layers[2].weights.data", "holds 12 values", "20 = units 2 × input length 5 × input channels 2"},
    {"44_bias_count.json", "layers[0].bias.data", "holds 3 values", "a list of 2 int32 values (2 = one per output channel)"},
    {"45_int8_range.json", "layers[0].weights.data[4]", "200 is out of range", "an integer from -128 to 127"},
    {"46_int8_float.json", "layers[2].weights.data[1]", "-2.5 is not an integer", "an integer from -128 to 127"},
    {"47_bias_range.json", "layers[0].bias.data[0]", "3000000000 is out of range", "an integer from -2147483648 to 2147483647"},
    {"48_binary_missing.json", "binary", "missing.bin: No such file or directory)", "an existing, readable file"},
    {"49_offset_without_binary.json", "layers[0].weights.offset", "the model names no side binary", R"(a top-level "binary" naming the side binary)"},
    {"50_binary_truncated.json", "layers[0].bias", R"(bytes 12 to 19 lie beyond the end of the side binary "short.bin" (16 bytes; truncated?))",
     "offset + 8 ≤ 16"},
    {"51_bias_misaligned.json", "layers[0].bias.offset", "2 is not a multiple of 4", "a multiple of 4 (int32 values are aligned)"},
    {"52_binary_count.json", "layers[0].weights.count", "10 is not the number of values this layer needs", "12 = filters 2 × kernel 3 × input channels 2"},
    {"53_data_and_offset.json", "layers[0].weights", R"(both "data" and "offset" are given)", R"(either "data" (the values inline) or "offset" and "count")"},
    {"54_binary_absolute.json", "binary", R"("/tmp/short.bin" is an absolute path)", "relative to the model file's directory"},
    {"55_unknown_input.json", "layers[1].inputs[0]", R"(there is no tensor "cc")", "a tensor defined before this layer: x, c"},
    {"56_input_produced_later.json", "layers[1].inputs[0]", R"("y" is produced later, by layers[2])", "a tensor defined before this layer: x, c"},
    {"57_own_output.json", "layers[1].inputs[0]", R"("p" is this layer's own output)", "a tensor defined before this layer: x, c"},
    {"58_inputs_not_list.json", "layers[1].inputs", R"("c" is a string, not a list)", "a list of one tensor name"},
    {"59_add_shapes.json", "layers[3].inputs", R"("c" is [6, 2] but "p" is [3, 2])", "two tensors of the same shape"},
    {"60_add_one_input.json", "layers[3].inputs", R"(["c"] names 1 tensor)", "a list of two tensor names (add takes 2)"},
    {"61_pool_output_quant.json", "layers[1].output_quant",
     R"(scale 0.5, zero_point -1 differs from the quantization of input "c" (scale 0.25, zero_point -1))", "no output_quant"},
    {"62_unknown_output.json", "outputs[0]", R"(there is no tensor "z")", "a tensor of the model: x, c, p, y"},
    {"63_empty_outputs.json", "outputs", "the list is empty", "a non-empty list of tensor names"},
    {"64_duplicate_output.json", "outputs[2]", R"("y" is listed twice)", "each tensor once"},
    {"65_input_shape_rank.json", "input.shape", "[8] has 1 entry, not 2", "[length, channels]"},
    {"66_input_length_zero.json", "input.shape[0]", "0 is out of range", "an integer from 1 to 65535"},
    {"67_missing_weights.json", "layers[0].weights", "missing required key", "an object with keys scales and data, or scales, offset and count"},
    {"68_missing_output_quant.json", "layers[0].output_quant", "missing required key", "an object with keys scale, zero_point"},
    {"69_input_format_unknown.json", "input.format", R"("int16" is not a tensor format)", "int8, fp4, posit4_1, posit8_0, posit16_1"},
    {"70_posit8_input_scale.json", "input.scale", "given for a posit8_0 input, but posit8 tensors have no quantization",
     R"(no scale and no zero_point with "format": "posit8_0")"},
    {"71_posit8_input_zero_point.json", "input.zero_point", "given for a posit8_0 input, but posit8 tensors have no quantization",
     R"(no scale and no zero_point with "format": "posit8_0")"},
    {"72_output_format_unknown.json", "layers[0].output_format", R"("float32" is not a tensor format)", "int8, fp4, posit4_1, posit8_0"},
    {"73_int8_to_posit8.json", "layers[0].output_format", R"("posit8_0" for a conv1d layer whose input "x" is int8)",
     R"("int8" (an int8 input gives an int8 output; an fp4, posit4_1, posit8_0 or posit16_1 output needs an input of that format))"},
    {"74_add_to_posit8.json", "layers[2].output_format", R"("posit8_0" for an add layer whose input "p" is int8)", R"("int8" (an int8 input gives an int8 output)"},
    {"75_pool_output_format.json", "layers[1].output_format", R"("int8" differs from the format of input "c" (posit8_0))",
     R"(no output_format (a pool's output keeps its input's format), or exactly the input's, "posit8_0")"},
    {"76_avg_pool_posit8.json", "layers[1].inputs[0]", R"("c" is a posit8_0 tensor)", "an int8 tensor (avg_pool takes int8 inputs only)"},
    {"77_global_avg_pool_posit8.json", "layers[1].inputs[0]", R"("c" is a posit8_0 tensor)", "an int8 tensor (global_avg_pool takes int8 inputs only)"},
    {"78_add_posit8_input.json", "layers[2].inputs[1]", R"("c" is a posit8_0 tensor)", "an int8 tensor (add takes int8 inputs only)"},
    {"79_posit8_output_quant.json", "layers[0].output_quant", R"(given, but the output "c" is a posit8_0 tensor, and posit8 tensors have no quantization)",
     R"(no output_quant with "output_format": "posit8_0")"},
    {"80_posit8_pool_output_quant.json", "layers[1].output_quant", R"(given, but the output "p" is a posit8_0 tensor, and posit8 tensors have no quantization)",
     "no output_quant (a pool on a posit8_0 input has a posit8_0 output)"},
    {"81_posit8_weight_scales.json", "layers[0].weights.scales", R"(given for a conv1d layer whose input "x" is posit8_0, but posit8 weights have no scales)",
     "no scales: the weights of a layer with a posit8_0 input are posit8 codes"},
    {"82_posit8_weight_nar.json", "layers[0].weights.data[5]", "-128 is NaR, not a posit8 value", "a posit8 code: an integer from -127 to 127 (-128 is NaR)"},
    {"83_posit8_weight_nar_binary.json", "layers[0].weights", R"(value 3 (byte 15 of the side binary "posit8_codes.bin") is -128, NaR, not a posit8 value)",
     "12 int8 values, each a posit8 code: an integer from -127 to 127 (-128 is NaR)"},
    {"84_posit8_bias_range.json", "layers[0].bias.data[1]", "200 is out of range", "a posit8 code: an integer from -127 to 127 (-128 is NaR)"},
    {"85_posit8_bias_nar.json", "layers[0].bias.data[0]", "-128 is NaR, not a posit8 value", "a posit8 code: an integer from -127 to 127 (-128 is NaR)"},
    {"86_posit8_bias_binary_range.json", "layers[0].bias", R"(value 1 (byte 28 of the side binary "posit8_codes.bin") is 300, not a posit8 code)",
     "2 int32 values, each a posit8 code: an integer from -127 to 127 (-128 is NaR)"},
    {"87_gelu_unknown_form.json", "layers[1].form", R"("exact" is not a GELU form)", "erf, tanh"},
    {"88_softmax_unknown_algorithm.json", "layers[1].algorithm", R"("single_pass" is not a softmax algorithm)", "three_pass, online, two_pass"},
    {"89_softmax_output_quant.json", "layers[1].output_quant", "scale 0.5, zero_point 0 is not the quantization of a softmax output",
     "no output_quant, or TFLite's softmax output: scale 0.00390625 (1/256), zero_point -128"},
    {"90_gelu_activation.json", "layers[1].activation", "not a key of a gelu layer", "name, op, inputs, output, form, output_quant"},
    {"91_gelu_posit8_input.json", "layers[0].inputs[0]", R"("x" is a posit8_0 tensor)", "an int8 tensor (gelu takes int8 inputs only)"},
    {"92_gelu_missing_output_quant.json", "layers[1].output_quant", "missing required key", "an object with keys scale, zero_point"},
    {"93_softmax_output_format.json", "layers[1].output_format", "not a key of a softmax layer", "name, op, inputs, output, algorithm, output_quant"},
    {"94_posit16_weight_nar.json", "layers[0].weights.data[4]", "-32768 is NaR, not a posit16 value", "a posit16 code: an integer from -32767 to 32767 (-32768 is NaR)"},
    {"95_posit16_weight_range.json", "layers[0].weights.data[5]", "40000 is out of range", "a posit16 code: an integer from -32767 to 32767 (-32768 is NaR)"},
    {"96_posit16_bias_nar.json", "layers[0].bias.data[1]", "-32768 is NaR, not a posit16 value", "a posit16 code: an integer from -32767 to 32767 (-32768 is NaR)"},
    {"97_posit16_to_posit8.json", "layers[0].output_format", R"("posit8_0" for a conv1d layer whose input "x" is posit16_1)",
     R"("int8" or "posit16_1" (a layer converts only to int8))"},
    {"98_posit16_avg_pool.json", "layers[1].inputs[0]", R"("c" is a posit16_1 tensor)", "an int8 tensor (avg_pool takes int8 inputs only)"},
    {"99_posit16_weight_scales.json", "layers[0].weights.scales", R"(given for a conv1d layer whose input "x" is posit16_1, but posit16 weights have no scales)",
     "no scales: the weights of a layer with a posit16_1 input are posit16 codes"},
    {"100_posit16_input_scale.json", "input.scale", "given for a posit16_1 input, but posit16 tensors have no quantization",
     R"(no scale and no zero_point with "format": "posit16_1")"},
    {"101_posit16_weight_nar_binary.json", "layers[0].weights", R"(value 7 (byte 14 of the side binary "posit16_codes.bin") is -32768, NaR, not a posit16 value)",
     "12 int16 values, each a posit16 code: an integer from -32767 to 32767 (-32768 is NaR)"},
    {"102_fp4_weight_range.json", "layers[0].weights.data[5]", "8 is out of range", "an fp4 code: an integer from -8 to 7 (the 4-bit pattern as a two's complement integer; -8 is -0)"},
    {"103_posit4_weight_nar.json", "layers[0].weights.data[4]", "-8 is NaR, not a posit4_1 value", "a posit4_1 code: an integer from -7 to 7 (-8 is NaR)"},
    {"104_posit4_bias_nar.json", "layers[0].bias.data[1]", "-8 is NaR, not a posit4_1 value", "a posit4_1 code: an integer from -7 to 7 (-8 is NaR)"},
    {"105_fp4_to_posit4.json", "layers[0].output_format", R"("posit4_1" for a conv1d layer whose input "x" is fp4)", R"("int8" or "fp4" (a layer converts only to int8))"},
    {"106_fp4_avg_pool.json", "layers[1].inputs[0]", R"("c" is a fp4 tensor)", "an int8 tensor (avg_pool takes int8 inputs only)"},
    {"107_posit4_weight_scales.json", "layers[0].weights.scales", R"(given for a conv1d layer whose input "x" is posit4_1, but posit4_1 weights have no scales)",
     "no scales: the weights of a layer with a posit4_1 input are posit4_1 codes"},
    {"108_fp4_input_scale.json", "input.scale", "given for a fp4 input, but fp4 tensors have no quantization", R"(no scale and no zero_point with "format": "fp4")"},
    {"109_fp4_weight_range_binary.json", "layers[0].weights", R"(value 7 (byte 7 of the side binary "fp4_codes.bin") is 9, not a fp4 code)", "12 int8 values, each an fp4 code: an integer from -8 to 7 (the 4-bit pattern as a two's complement integer; -8 is -0)"},
    {"110_posit4_global_avg_pool.json", "layers[1].inputs[0]", R"("c" is a posit4_1 tensor)", "an int8 tensor (global_avg_pool takes int8 inputs only)"},
};

// Loaded as a [4, 2] tensor.
const Bad kBadTensors[] = {
    {"tensor_01_wrong_shape.json", "shape", "[2, 4] is not the shape expected here", "[4, 2]"},
    {"tensor_02_value_range.json", "data[3]", "-129 is out of range", "an integer from -128 to 127"},
    {"tensor_03_count.json", "data", "holds 7 values", "a list of 8 int8 values (length 4 × channels 2, channels-last)"},
    {"tensor_04_float_value.json", "data[4]", "0.5 is not an integer", "an integer from -128 to 127"},
    {"tensor_05_model_file.json", "format", R"("strata-model" is the format of a model file)", R"("strata-tensor")"},
    {"tensor_06_unknown_key.json", "scale", "unknown key", "format, version, shape, data"},
    {"tensor_07_syntax_error.json", "byte 70", "invalid JSON at line 1, column 70: syntax error while parsing object key", "a JSON document"},
};

// gtest prints a failing parameter with this.
void PrintTo(const Bad& b, std::ostream* os) { *os << b.file; }

void expect_error(const ModelError& e, const fs::path& p, const Bad& b) {
  EXPECT_EQ(e.file(), p.string());
  EXPECT_EQ(e.where(), b.where) << e.what();
  EXPECT_NE(e.problem().find(b.problem), std::string::npos) << e.what();
  EXPECT_NE(e.allowed().find(b.allowed), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()), fmt::format("{}: error: {}: {}; allowed: {}", p.string(), e.where(), e.problem(), e.allowed()));
}

std::string param_name(const ::testing::TestParamInfo<Bad>& info) {
  std::string s = fs::path(info.param.file).stem().string();
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

class BadModel : public ::testing::TestWithParam<Bad> {};

TEST_P(BadModel, FailsWithItsMessage) {
  const fs::path p = kBad / GetParam().file;
  ASSERT_TRUE(fs::exists(p)) << p;
  expect_error(error_of([&] { (void)load_model(p); }), p, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Catalogue, BadModel, ::testing::ValuesIn(kBadModels), param_name);

class BadTensor : public ::testing::TestWithParam<Bad> {};

TEST_P(BadTensor, FailsWithItsMessage) {
  const fs::path p = kBad / GetParam().file;
  ASSERT_TRUE(fs::exists(p)) << p;
  expect_error(error_of([&] { (void)load_tensor(p, 4, 2); }), p, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Catalogue, BadTensor, ::testing::ValuesIn(kBadTensors), param_name);

TEST(Catalogue, EveryBadFileIsInATable) {
  std::set<std::string> listed;
  for (const Bad& b : kBadModels) EXPECT_TRUE(listed.insert(b.file).second) << b.file << " listed twice";
  for (const Bad& b : kBadModels) EXPECT_TRUE(*b.where != '\0' && *b.problem != '\0' && *b.allowed != '\0') << b.file << " would match any error";
  for (const Bad& b : kBadTensors) EXPECT_TRUE(listed.insert(b.file).second) << b.file << " listed twice";
  std::set<std::string> present;
  for (const std::string& f : dir_names(kBad))
    if (fs::path(f).extension() == ".json") present.insert(f);
  EXPECT_EQ(present, listed);
}

// ---------------------------------------------------------------------------
// Tensor files.

TEST(TensorFile, RoundTrip) {
  const fs::path d = scratch("tensor");
  nn::Tensor t;
  t.length = 5;
  t.channels = 3;
  for (int i = 0; i < 15; ++i) t.data.push_back(static_cast<std::int8_t>(i * 19 - 128));
  save_tensor(t, d / "t.json");
  EXPECT_EQ(load_tensor(d / "t.json", 5, 3), t);
  EXPECT_EQ(dir_names(d), (std::vector<std::string>{"t.json"}));
  const ModelError e = error_of([&] { (void)load_tensor(d / "t.json", 3, 5); });
  EXPECT_EQ(e.where(), "shape");
  EXPECT_EQ(e.allowed(), "[3, 5]");
  fs::remove_all(d);
}

TEST(TensorFile, SaveRejectsABadTensorAndWritesNothing) {
  const fs::path d = scratch("tensor-bad");
  nn::Tensor t;
  t.length = 2;
  t.channels = 2;
  t.data = {1, 2, 3};
  const ModelError e = error_of([&] { save_tensor(t, d / "t.json"); });
  EXPECT_EQ(e.where(), "data");
  EXPECT_EQ(e.problem(), "holds 3 values");
  t.data.push_back(4);
  const ModelError e2 = error_of([&] { save_tensor(t, d / "missing" / "t.json"); });
  EXPECT_EQ(e2.where(), "the file");
  EXPECT_TRUE(dir_names(d).empty());
  fs::remove_all(d);
}

}  // namespace
}  // namespace strata::runtime
