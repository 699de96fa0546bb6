// The ONNX importer's entry points (onnx_import.h; docs/onnx-import.md is
// the reference); the walk is in importer.cpp and importer_layers.cpp.
#include "onnx/onnx_import.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>

#include "onnx/importer.h"
#include "onnx/onnx_graph.h"

namespace strata::onnx_import {

namespace fs = std::filesystem;
namespace nn = golden::nn;

namespace {

std::string printable(const std::string& s) {
  std::string out;
  for (const char ch : s) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x20 || b >= 0x7f)
      out += fmt::format("\\x{:02x}", b);
    else
      out.push_back(ch);
  }
  return out;
}

}  // namespace

ImportError::ImportError(const std::string& file, const std::string& where, const std::string& problem, const std::string& allowed)
    : runtime::ModelError(file, printable(where), printable(problem), printable(allowed)) {}

namespace {

std::string model_name(const Graph& g, const std::string& file, const ImportOptions& o) {
  if (!o.name.empty()) return o.name;
  std::set<std::string> none;
  const std::string stem = fs::path(file).stem().string();
  return detail::strata_name(g.name.empty() ? stem : g.name, stem.empty() ? "model" : stem, none);
}

}  // namespace

ImportResult import_onnx(const std::string& bytes, const std::string& file_name, const ImportOptions& options) {
  const Graph g = read_graph(bytes, file_name);
  detail::Importer imp(g, file_name, options);
  ImportResult r = imp.run();
  r.model.name = model_name(g, file_name, options);
  // The model must load and run: save it, load it back, run the golden model
  // on the input's zero point.
  static std::atomic<int> counter{0};
  const fs::path dir = fs::temp_directory_path() / fmt::format("strata_import_{}_{}", ::getpid(), counter++);
  fs::create_directories(dir);
  try {
    runtime::save_model(r.model, dir / "model.json", false);
    r.model = runtime::load_model(dir / "model.json");
  } catch (const runtime::ModelError& e) {
    fs::remove_all(dir);
    throw ImportError(file_name, "the imported model", e.problem() + " at " + e.where(), e.allowed());
  }
  fs::remove_all(dir);
  nn::Tensor x{r.model.input_length, r.model.input_channels,
               std::vector<nn::Code>(static_cast<std::size_t>(r.model.input_length) * static_cast<std::size_t>(r.model.input_channels),
                                     static_cast<nn::Code>(r.model.input_quant.zero_point))};
  try {
    (void)nn::run(r.model, x);
  } catch (const std::invalid_argument& e) {
    throw ImportError(file_name, "the imported model", fmt::format("does not run on the golden model: {}", e.what()),
                      "scales whose rescale factors Strata's arithmetic holds (docs/model-format.md)");
  }
  return r;
}

ImportResult import_onnx_file(const fs::path& path, const ImportOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ImportError(path.string(), "the file", "cannot be read", "a readable .onnx file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return import_onnx(ss.str(), path.string(), options);
}

}  // namespace strata::onnx_import
