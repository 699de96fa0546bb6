// nn_run: runs a model on the Verilated network engine of this build's
// config and on the golden model, layer by layer and as one descriptor list;
// prints cycles, MAC utilization and the first mismatching element. The
// program behind `strata run`.
#include <CLI/CLI.hpp>
#include <fmt/format.h>


#include "nn/verilator_device.h"
#include "nn_dut.h"
#include "runtime/compiler.h"
#include "runtime/model_file.h"
#include "runtime/runner.h"

int main(int argc, char** argv) {
  CLI::App app{"Run a model on the Verilated network engine and on the golden model"};
  std::string model_file, input_file, trace, json_out, md_out;
  std::uint64_t seed = 1, budget = 50'000'000;
  app.add_option("MODEL", model_file, "model file (docs/model-format.md)")->required();
  app.add_option("--input", input_file, "input tensor file (default: random values from --seed: int8, or posit8 codes other than NaR)");
  app.add_option("--seed", seed, "seed of the random input");
  app.add_option("--trace", trace, "write an FST waveform of the run");
  app.add_option("--budget", budget, "cycle budget per run of the engine");
  app.add_option("--json", json_out, "write the report as JSON");
  app.add_option("--markdown", md_out, "write the report as a Markdown table");
  CLI11_PARSE(app, argc, argv);
  try {
    const strata::SocConfig c = strata::load_config(STRATA_NN_CONFIG);
    const auto model = strata::runtime::load_model(model_file);
    const auto input = input_file.empty() ? strata::runtime::random_input(model, seed) : strata::runtime::load_tensor(input_file, model.input_length, model.input_channels, model.input_format);
    if (input_file.empty()) fmt::print("input: random, seed {}\n", seed);
    const auto program = strata::runtime::compile(c, model);
    strata::sim::VerilatorDevice<Vnn> dev(trace);
    const auto report = strata::runtime::run_model(dev, c, model, program, input, budget);
    const std::string md = strata::runtime::to_markdown(report, fmt::format("{} on {}", model.name, c.name));
    fmt::print("{}", md);
    if (!json_out.empty()) strata::runtime::save_text(strata::runtime::to_json(report).dump(2) + "\n", json_out);
    if (!md_out.empty()) strata::runtime::save_text(md, md_out);
    if (!report.ok()) {
      fmt::print(stderr, "nn_run: error: the engine's results differ from the golden model\n");
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "nn_run: error: {}\n", e.what());
    return 2;
  }
}
