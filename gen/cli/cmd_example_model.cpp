#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "cli/tools.h"
#include "runtime/example_models.h"
#include "runtime/model_file.h"

namespace strata::cli {

void add_example_model(CLI::App& app) {
  auto* cmd = app.add_subcommand("example-model", "Write an example model with random weights (docs/model-format.md)");
  struct Options {
    std::string name, out;
    std::uint64_t seed = 1;
    bool binary = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("NAME", o->name, fmt::format("the model: {}", fmt::join(runtime::example_model_names(), ", ")))
      ->required()
      ->check(CLI::IsMember(runtime::example_model_names()));
  cmd->add_option("-o,--output", o->out, "model file to write (JSON)")->required();
  cmd->add_option("--seed", o->seed, "seed of the random weights");
  cmd->add_flag("--binary", o->binary, "put the tensors in a side binary <stem>.bin");
  cmd->callback([o] {
    runtime::save_model(runtime::example_model(o->name, o->seed), o->out, o->binary);
    progress(fmt::format("wrote example model '{}' (seed {}) to {}", o->name, o->seed, o->out));
  });
}

}  // namespace strata::cli
