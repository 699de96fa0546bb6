// strata pulse: the trained pulse network on the Verilated engine of a
// config (through the control firmware on a SoC config: nn and rv32), every
// pulse bit-exact against the golden model, its time and energy resolution
// beside the classical baselines (docs/train.md).
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/tools.h"
#include "config/config.h"
#include "pulse/params.h"
#include "pulse/pulse_nn.h"
#include "runtime/compiler.h"
#include "strata_version.h"

namespace strata::cli {

namespace fs = std::filesystem;

namespace {

struct PulseOptions {
  std::string config, model, snr = "47.4", json, build_dir;
  std::uint64_t pulses = 1000, seed = 2, baseline_seed = 1, train = 5000, budget = 1'000'000;
};

// The evaluation program in `build` was built for this config (its stamp)
// and is newer than everything it is made of:
// this strata (the generator and the libraries linked into both), the config
// (and its configure step, which generates the RTL: the regenerated files
// would be verilated again) and the sources under sim/.
// The stamp of a build: the config it was configured for, path and text.
std::string build_stamp(const fs::path& config) {
  std::ifstream in(config, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return fs::absolute(config).string() + "\n" + text.str();
}

bool up_to_date(const fs::path& program, const fs::path& strata, const fs::path& config) {
  {
    std::ifstream in(fs::path(program).replace_filename("pulse_config.stamp"), std::ios::binary);
    std::stringstream stamp;
    stamp << in.rdbuf();
    if (!in || stamp.str() != build_stamp(config)) return false;
  }
  std::error_code ec;
  const auto built = fs::last_write_time(program, ec);
  if (ec) return false;
  auto newer = [&](const fs::path& p) {
    std::error_code e;
    const auto t = fs::last_write_time(p, e);
    return e || t >= built;
  };
  if (newer(strata) || newer(config) || newer(fs::path(program).replace_filename("CMakeCache.txt"))) return false;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(STRATA_SOURCE_DIR) / "sim", ec))
    if (entry.is_regular_file() && newer(entry.path())) return false;
  return !ec;
}

// Everything is checked before the long build: the config, the model and its
// scaling file, that the model compiles for the engine, the SNR.
void run(const PulseOptions& o) {
  const SocConfig c = load_config(o.config);
  if (!c.nn)
    throw ConfigError(fmt::format("{}: error: nn: missing; config '{}' has no network engine to run the pulse network on; allowed: a config with an nn section "
                                  "(gen/configs/nn_pulse.yaml)",
                                  o.config, c.name));
  const pulse::PulseNetwork net = pulse::load_pulse_network(o.model);
  try {
    (void)runtime::compile(c, net.model);
  } catch (const runtime::CompileError& e) {
    throw runtime::CompileError(fmt::format("{}: cannot run on '{}': {}", net.model_path.string(), c.name, e.what()));
  }
  std::size_t used = 0;
  double snr = 0;
  try {
    snr = std::stod(o.snr, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != o.snr.size() || !std::isfinite(snr) || snr < pulse::PulseLimits::snr_min_db || snr > pulse::PulseLimits::snr_max_db)
    throw ConfigError(fmt::format("strata pulse: error: --snr: '{}' is not an SNR; allowed: a number of dB in [{}, {}]", o.snr, pulse::PulseLimits::snr_min_db,
                                  pulse::PulseLimits::snr_max_db));
  if (o.seed == o.baseline_seed)
    throw ConfigError(fmt::format("strata pulse: error: --seed: {} is the seed the baselines are tuned on; allowed: another seed than --baseline-seed", o.seed));
  pulse::PulseParams p;
  p.samples = static_cast<std::uint32_t>(net.model.input_length);
  if (const std::string e = pulse::check_params(p); !e.empty())
    throw ConfigError(fmt::format("{}: error: input: a network of {} samples cannot take the simulator's pulses: {}", net.model_path.string(),
                                  net.model.input_length, e));

  // A SoC config (nn and rv32) runs through its control firmware: sim/soc
  // and its soc_pulse, else sim/nn and its nn_pulse (as `strata run`).
  const bool soc = c.rv32.has_value();
  const std::string sim = soc ? "soc" : "nn", program = soc ? "soc_pulse" : "nn_pulse", what = soc ? "SoC" : "engine";
  const fs::path build = fs::absolute(o.build_dir.empty() ? fs::path("build") / c.name / sim : fs::path(o.build_dir));
  const fs::path log = build / "build.log";
  fs::create_directories(build);
  if (up_to_date(build / program, fs::read_symlink("/proc/self/exe"), o.config)) {
    progress(fmt::format("the {} simulation in {} is up to date", what, build.string()));
  } else {
    fs::remove(log);
    run_step(fmt::format("configure the {} simulation (generate RTL, verilate)", what),
             {"cmake", "-S", fs::path(STRATA_SOURCE_DIR) / "sim" / sim, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
              "-DSTRATA_EXE=" + fs::read_symlink("/proc/self/exe").string(), "-DSTRATA_CONFIG=" + fs::absolute(o.config).string(),
              "-DSTRATA_PREBUILT_DIR=" STRATA_BINARY_DIR, "-DSTRATA_TRACE=OFF"},
             log);
    run_step("build the pulse evaluation", {"cmake", "--build", build, "--target", program}, log);
    std::ofstream(build / "pulse_config.stamp", std::ios::binary) << build_stamp(o.config);
  }
  std::vector<std::string> argv{(build / program).string(), fs::absolute(o.model).string(), "--snr=" + o.snr, fmt::format("--pulses={}", o.pulses),
                                fmt::format("--seed={}", o.seed), fmt::format("--baseline-seed={}", o.baseline_seed), fmt::format("--train={}", o.train),
                                fmt::format("--budget={}", o.budget)};
  if (!o.json.empty()) argv.push_back("--json=" + fs::absolute(o.json).string());
  progress(fmt::format("running '{}' on '{}'{} for {} pulses at {} dB", net.model.name, c.name, soc ? " through the firmware" : "", o.pulses, o.snr));
  const int rc = run_program(argv);
  if (rc != 0) throw CliError(fmt::format("the pulse evaluation of '{}' on '{}' failed (see above)", net.model.name, c.name));
}

}  // namespace

void add_pulse(CLI::App& app) {
  auto* cmd = app.add_subcommand("pulse",
                                 "Evaluate the trained pulse network on the Verilated engine of a config (through the firmware on a SoC config): "
                                 "bit-exact against the golden model for every pulse; time and energy resolution beside CFD and trapezoid (docs/train.md)");
  auto o = std::make_shared<PulseOptions>();
  o->model = (fs::path(STRATA_SOURCE_DIR) / "models" / "pulse_cnn_trained.json").string();
  cmd->add_option("CONFIG", o->config, "config file (YAML) with an nn section, e.g. gen/configs/nn_pulse.yaml (or a SoC: gen/configs/soc_pulse.yaml)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--model", o->model, "trained model file, with its .pulse.json beside it")->check(CLI::ExistingFile)->capture_default_str();
  cmd->add_option("--snr", o->snr, "SNR of the test pulses, dB (20 log10 of peak amplitude over noise rms)")->capture_default_str();
  cmd->add_option("--pulses", o->pulses, "number of test pulses")->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000}))->capture_default_str();
  cmd->add_option("--seed", o->seed, "seed of the test pulses (replays a run)")->capture_default_str();
  cmd->add_option("--baseline-seed", o->baseline_seed, "seed of the pulses CFD and trapezoid are tuned on")->capture_default_str();
  cmd->add_option("--train", o->train, "number of pulses CFD and trapezoid are tuned on")
      ->check(CLI::Range(std::uint64_t{200}, std::uint64_t{1'000'000}))
      ->capture_default_str();
  cmd->add_option("--budget", o->budget, "cycle budget of each network run")->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  cmd->add_option("--json", o->json, "write the report and every pulse's outputs as JSON");
  cmd->add_option("--build-dir", o->build_dir, "where to build the simulation (default build/<name>/nn, or build/<name>/soc for a SoC config)");
  cmd->callback([o] { run(*o); });
}

}  // namespace strata::cli
