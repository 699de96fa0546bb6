// The ONNX importer on the committed fixtures (made by onnx_import_test.py):
// every supported pattern imports, loads and runs on the golden model with
// the output the fixture's references give (TFLite's arithmetic bit for bit,
// ONNX's float semantics within the stated LSBs), and every malformed or
// unsupported model in bad/ is refused with its message.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "config/config.h"
#include "golden/nn.h"
#include "onnx/onnx_import.h"
#include "runtime/compiler.h"
#include "runtime/model_file.h"

namespace {

namespace fs = std::filesystem;
using namespace strata;
using Json = nlohmann::json;

const fs::path kDir = fs::path(STRATA_SOURCE) / "tests" / "onnx";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kDir / "fixtures"))
    if (e.path().extension() == ".onnx") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A Strata [L, C] tensor in ONNX's layout: [C, L] (rank 3) or the row-major
// flattening of [C, L] (rank 2), batch dropped.
std::vector<int> to_onnx_layout(const golden::nn::Tensor& t, std::size_t onnx_rank) {
  std::vector<int> out;
  if (onnx_rank == 1 && t.length == 1) {
    for (const auto v : t.data) out.push_back(v);
    return out;
  }
  for (int c = 0; c < t.channels; ++c)
    for (int l = 0; l < t.length; ++l) out.push_back(t.at(l, c));
  return out;
}

class Fixture : public ::testing::TestWithParam<std::string> {};

TEST_P(Fixture, ImportsLoadsAndMatchesReferences) {
  const std::string name = GetParam();
  const Json exp = Json::parse(read(kDir / "fixtures" / (name + ".expect.json")));
  const onnx_import::ImportResult r = onnx_import::import_onnx_file(kDir / "fixtures" / (name + ".onnx"));
  // What strata import writes loads back to the same model.
  const fs::path out = fs::path(::testing::TempDir()) / ("onnx_" + name + ".json");
  runtime::save_model(r.model, out, false);
  const golden::nn::Model m = runtime::load_model(out);
  ASSERT_EQ(m.outputs.size(), 1u);
  // The fixture's input, and for some (the PyTorch model) more inputs, each
  // with its ONNX reference.
  std::vector<Json> samples{exp};
  if (exp.contains("more"))
    for (const Json& s : exp.at("more")) samples.push_back(s);
  for (std::size_t k = 0; k < samples.size(); ++k) {
    const Json& s = samples[k];
    const golden::nn::Tensor x = runtime::parse_tensor(s.at("input").dump(), name + " input", m.input_length, m.input_channels);
    const auto tensors = golden::nn::run(m, x);
    const std::vector<int> got = to_onnx_layout(tensors.at(m.outputs[0]), exp.at("onnx_shape").size());
    const auto onnx_ref = s.at("onnx").get<std::vector<int>>();
    ASSERT_EQ(got.size(), onnx_ref.size());
    if (s.contains("tflite") && !s.at("tflite").is_null()) {
      EXPECT_EQ(got, s.at("tflite").get<std::vector<int>>()) << name << ": differs from the TFLite reference";
    }
    if (!exp.at("tolerance").is_null()) {
      const int tol = exp.at("tolerance").get<int>();
      for (std::size_t i = 0; i < got.size(); ++i)
        EXPECT_LE(std::abs(got[i] - onnx_ref[i]), tol)
            << name << ": input " << k << " element " << i << " is " << got[i] << ", ONNX's semantics give " << onnx_ref[i];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Onnx, Fixture, ::testing::ValuesIn(fixture_names()), [](const auto& p) { return p.param; });

class Bad : public ::testing::TestWithParam<std::string> {};

TEST_P(Bad, IsRefusedWithItsMessage) {
  const Json expect = Json::parse(read(kDir / "bad" / "expect.json"));
  const std::string file = GetParam();
  const std::string msg = expect.at(file).get<std::string>();
  const fs::path path = kDir / "bad" / file;
  try {
    (void)onnx_import::import_onnx_file(path);
    FAIL() << file << " imported; expected an error containing: " << msg;
  } catch (const onnx_import::ImportError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(msg), std::string::npos) << what;
    EXPECT_EQ(what.rfind(path.string() + ": error: ", 0), 0u) << what;
    EXPECT_NE(what.find("; allowed: "), std::string::npos) << what;
  }
}

std::vector<std::string> bad_names() {
  std::vector<std::string> names;
  const Json expect = Json::parse(read(kDir / "bad" / "expect.json"));
  for (const auto& [k, v] : expect.items()) names.push_back(k);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Onnx, Bad, ::testing::ValuesIn(bad_names()), [](const auto& p) {
  std::string s = p.param;
  return s.substr(0, s.find('.'));
});

// Every file in bad/ is in the table (no silent fixture), and the table
// names no missing file.
TEST(OnnxBad, CatalogueMatchesDirectory) {
  const std::vector<std::string> names = bad_names();
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(kDir / "bad"))
    if (e.path().extension() == ".onnx") {
      ++files;
      EXPECT_NE(std::find(names.begin(), names.end(), e.path().filename().string()), names.end()) << e.path();
    }
  EXPECT_EQ(files, names.size());
}

// The requantization of an imported conv is TFLite's QuantizeMultiplier of
// in_scale * w_scale / out_scale (golden::nn::conv_multiplier) with the ONNX
// float32 scales unchanged.
TEST(OnnxImport, KeepsTheOnnxScalesForTfliteMultipliers) {
  const auto r = onnx_import::import_onnx_file(kDir / "fixtures" / "qdq_conv_per_channel_relu.onnx");
  ASSERT_EQ(r.model.layers.size(), 1u);
  const golden::nn::Layer& l = r.model.layers[0];
  EXPECT_EQ(l.kind, golden::nn::LayerKind::conv1d);
  // The Relu folds into the clamp; with output zero point -128 it clamps
  // nothing, and none is the activation Strata writes.
  EXPECT_EQ(l.activation, golden::nn::Activation::none);
  EXPECT_EQ(r.model.input_quant.scale, 0.04f);
  EXPECT_EQ(r.model.input_quant.zero_point, 10);
  EXPECT_EQ(l.output_quant.scale, 0.05f);
  EXPECT_EQ(l.output_quant.zero_point, -128);
  EXPECT_EQ(l.weight_scales.size(), 5u);
  EXPECT_EQ(l.stride, 2);
  EXPECT_EQ(l.dilation, 2);
}

TEST(OnnxImport, FoldsClipZeroSixIntoRelu6) {
  const auto r = onnx_import::import_onnx_file(kDir / "fixtures" / "qdq_conv_relu6_float_bias.onnx");
  ASSERT_EQ(r.model.layers.size(), 1u);
  EXPECT_EQ(r.model.layers[0].activation, golden::nn::Activation::relu6);
  EXPECT_EQ(r.model.layers[0].padding, golden::nn::Padding::same);
}

TEST(OnnxImport, FoldsThePulseChain) {
  const auto r = onnx_import::import_onnx_file(kDir / "fixtures" / "pulse_chain.onnx");
  std::vector<golden::nn::LayerKind> kinds;
  for (const auto& l : r.model.layers) kinds.push_back(l.kind);
  using K = golden::nn::LayerKind;
  EXPECT_EQ(kinds, (std::vector<K>{K::conv1d, K::max_pool, K::conv1d, K::global_avg_pool, K::dense}));
  EXPECT_EQ(r.model.input_length, 32);
  EXPECT_EQ(r.model.input_channels, 1);
}

TEST(OnnxImport, ErfPatternIsOneGeluLayer) {
  const auto r = onnx_import::import_onnx_file(kDir / "fixtures" / "qdq_gelu_erf_pattern.onnx");
  ASSERT_EQ(r.model.layers.size(), 1u);
  EXPECT_EQ(r.model.layers[0].kind, golden::nn::LayerKind::gelu);
  EXPECT_EQ(r.model.layers[0].gelu_form, golden::gelu::Form::erf);
}

// The PyTorch model compiles for the network engine of nn_small, as
// `strata run gen/configs/nn_small.yaml MODEL.json` needs.
TEST(OnnxImport, TorchModelCompilesForTheEngine) {
  const auto r = onnx_import::import_onnx_file(kDir / "fixtures" / "torch_qat_cnn1d.onnx");
  const SocConfig c = load_config(fs::path(STRATA_SOURCE) / "gen" / "configs" / "nn_small.yaml");
  const runtime::Program p = runtime::compile(c, r.model);
  EXPECT_EQ(p.layers.size(), r.model.layers.size());
}

}  // namespace
