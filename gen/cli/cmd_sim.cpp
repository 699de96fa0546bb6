#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/tools.h"
#include "config/config.h"
#include "strata_version.h"

namespace strata::cli {

namespace fs = std::filesystem;

namespace {

struct SimOptions {
  std::string config;
  std::string build_dir;
  std::uint64_t seed = 1;
  std::uint64_t vectors = 1000000;
  std::string trace;
  std::string filter;
  bool vectors_given = false;
};

fs::path self_exe() { return fs::read_symlink("/proc/self/exe"); }

// Generates, verilates and builds the co-simulation of a config with the
// sim/cosim CMake project (the same one ctest uses; sim/softmax or sim/gelu
// when the design's top is the softmax or the GELU unit), then runs it.
void sim(const SimOptions& o) {
  const SocConfig c = load_config(o.config);  // bad configs fail here, before any build
  const bool softmax = c.softmax && !c.nn;
  const bool gelu = !softmax && c.gelu && !c.nn;
  const std::string project = softmax ? "softmax" : gelu ? "gelu" : "cosim";
  if (softmax && !o.trace.empty()) throw CliError("--trace: the softmax co-simulation is built without tracing");
  const fs::path build = fs::absolute(o.build_dir.empty() ? fs::path("build") / c.name / "sim" : fs::path(o.build_dir));
  const fs::path log = build / "build.log";
  fs::create_directories(build);
  fs::remove(log);
  run_step("configure co-simulation (generate RTL, verilate)",
           {"cmake", "-S", fs::path(STRATA_SOURCE_DIR) / "sim" / project, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
            "-DSTRATA_EXE=" + self_exe().string(), "-DSTRATA_CONFIG=" + fs::absolute(o.config).string(),
            "-DSTRATA_PREBUILT_DIR=" STRATA_BINARY_DIR},
           log);
  run_step("build co-simulation", {"cmake", "--build", build}, log);
  // Softmax: --vectors counts vectors per algorithm (10000 unless given).
  const std::uint64_t vectors = softmax && !o.vectors_given ? 10000 : o.vectors;
  std::vector<std::string> argv{(build / (project == "cosim" ? "au_cosim" : project + "_cosim")).string(), fmt::format("--seed={}", o.seed),
                                fmt::format("--vectors={}", vectors)};
  if (!o.trace.empty()) argv.push_back("--trace=" + fs::absolute(o.trace).string());
  if (!o.filter.empty()) argv.push_back("--gtest_filter=" + o.filter);
  progress(fmt::format("running co-simulation of '{}' (seed {})", c.name, o.seed));
  if (run_program(argv) != 0)
    throw CliError(fmt::format("co-simulation of '{}' failed; replay with: strata sim {} --seed {}", c.name, o.config, o.seed));
  progress(fmt::format("co-simulation of '{}' passed: RTL bit-exact with the golden model", c.name));
}

}  // namespace

void add_sim(CLI::App& app) {
  auto* cmd = app.add_subcommand("sim", "Build and run the Verilator co-simulation of a config against the golden model");
  auto o = std::make_shared<SimOptions>();
  cmd->add_option("CONFIG", o->config, "config file (YAML)")->required();
  cmd->add_option("--seed", o->seed, "seed of the random vectors (printed; replays a run)");
  auto* vec = cmd->add_option("--vectors", o->vectors, "number of random beats per randomized test (softmax: vectors per algorithm, default 10000)")
                  ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32));
  cmd->add_option("--build-dir", o->build_dir, "where to build (default build/<name>/sim)");
  cmd->add_option("--trace", o->trace, "write an FST waveform of the whole run to this file");
  cmd->add_option("--filter", o->filter, "run only these tests (GoogleTest filter, e.g. '*Int8*')");
  cmd->callback([o, vec] {
    o->vectors_given = vec->count() > 0;
    sim(*o);
  });
}

}  // namespace strata::cli
