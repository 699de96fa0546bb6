#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/tools.h"
#include "elaborate.h"

namespace strata::cli {

void add_gen(CLI::App& app) {
  auto* cmd = app.add_subcommand("gen", "Generate the RTL, files.f, manifest.json and FuseSoC core of a config");
  auto config = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  cmd->add_option("CONFIG", *config, "config file (YAML)")->required();
  cmd->add_option("-o,--output", *out, "output directory; replaced as a whole, atomically")->required();
  cmd->callback([config, out] {
    const SocConfig c = load_config(*config);
    const ir::Design d = elaborate(c);
    const auto files = render(c, d);
    try {
      write_tree(*out, files);
    } catch (const std::exception& e) {
      throw CliError(fmt::format("cannot write {}: {}", *out, e.what()));
    }
    progress(fmt::format("wrote {} files for '{}' (top {}, config hash {}) to {}", files.size(), c.name, d.top(), config_hash(c), *out));
  });
}

}  // namespace strata::cli
