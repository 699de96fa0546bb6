// onnx_golden_run MODEL.json INPUT.json OUTPUT.json: loads a Strata model and
// an input tensor file, runs the golden model and writes the model's output
// tensors as {"outputs": {NAME: {"shape": [L, C], "data": [...]}}}. The ONNX
// import test (onnx_import_test.py) compares them with its references.
#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "golden/nn.h"
#include "runtime/model_file.h"

int main(int argc, char** argv) {
  using namespace strata;
  if (argc != 4) {
    fmt::print(stderr, "usage: onnx_golden_run MODEL.json INPUT.json OUTPUT.json\n");
    return 2;
  }
  try {
    const golden::nn::Model m = runtime::load_model(argv[1]);
    const golden::nn::Tensor x = runtime::load_tensor(argv[2], m.input_length, m.input_channels);
    const auto tensors = golden::nn::run(m, x);
    nlohmann::ordered_json out;
    for (const std::string& name : m.outputs) {
      const golden::nn::Tensor& t = tensors.at(name);
      std::vector<int> data(t.data.begin(), t.data.end());
      out["outputs"][name] = {{"shape", {t.length, t.channels}}, {"data", data}};
    }
    std::ofstream(argv[3]) << out.dump() << "\n";
  } catch (const std::exception& e) {
    fmt::print(stderr, "onnx_golden_run: {}\n", e.what());
    return 1;
  }
  return 0;
}
