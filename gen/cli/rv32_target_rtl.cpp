// The Verilated core as a run-elf target: builds sim/rv32 for the config
// (generate RTL, verilate; the RVFI port is switched on, the harness reads
// retirements), then runs its rv32_run on the program, alone or in
// lockstep with the ISS (--cosim), optionally writing an FST waveform.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/rv32_target.h"
#include "cli/tools.h"
#include "strata_version.h"

namespace strata::cli {

namespace fs = std::filesystem;

namespace {

namespace rv = golden::rv32;

class RtlTarget : public Rv32Target {
 public:
  RtlTarget(const SocConfig& c, const fs::path& program, const RtlRunOptions& o) : c_(c), program_(fs::absolute(program)), o_(o) {}
  std::string name() const override { return o_.cosim ? "the generated core in lockstep with the ISS" : "the generated core"; }

  Rv32RunResult run(std::uint64_t max_cycles) override {
    const fs::path build = fs::absolute(o_.build_dir.empty() ? fs::path("build") / c_.name / "rv32" : fs::path(o_.build_dir));
    const fs::path log = build / "build.log";
    fs::create_directories(build);
    fs::remove(log);
    SocConfig sim = c_;
    sim.rv32->rvfi = true;
    // A build of the same config is reused: the config file is rewritten
    // (and the build configured) only when it changes, so the RTL is not
    // regenerated and verilated again for every program.
    const fs::path cfg = build / "config.yaml";
    const std::string text = to_yaml(sim);
    const bool same = fs::exists(cfg) && read_file(cfg) == text && fs::exists(build / "CMakeCache.txt");
    if (!same) write_file(cfg, text);
    if (!same)
      run_step("configure the core simulation (generate RTL, verilate)",
               {"cmake", "-S", fs::path(STRATA_SOURCE_DIR) / "sim" / "rv32", "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                "-DSTRATA_EXE=" + fs::read_symlink("/proc/self/exe").string(), "-DSTRATA_CONFIG=" + cfg.string(),
                "-DSTRATA_PREBUILT_DIR=" STRATA_BINARY_DIR, "-DSTRATA_TRACE=ON"},
               log);
    run_step("build the core simulation", {"cmake", "--build", build, "--target", "rv32_run"}, log);
    const fs::path result = build / "result.json";
    fs::remove(result);
    std::vector<std::string> argv{(build / "rv32_run").string(), program_.string(), fmt::format("--max-cycles={}", max_cycles), "--quiet",
                                  "--json=" + result.string()};
    if (o_.cosim) argv.push_back("--cosim");
    if (!o_.trace.empty()) argv.push_back("--trace=" + fs::absolute(o_.trace).string());
    const int rc = run_program(argv);
    if (rc == 4) throw CliError(fmt::format("'{}': the core and the ISS differ (see above)", program_.string()));
    if (!fs::exists(result)) throw CliError(fmt::format("running '{}' on the core failed (exit status {}, see above)", program_.string(), rc));
    const auto j = nlohmann::json::parse(read_file(result));
    Rv32RunResult r;
    r.cycles = j.at("cycles").get<std::uint64_t>();
    r.instructions = j.at("instructions").get<std::uint64_t>();
    r.pc = j.at("pc").get<std::uint32_t>();
    if (!j.at("exit").is_null()) {
      rv::Exit e;
      e.kind = j["exit"].at("kind") == "tohost" ? rv::Exit::Kind::tohost : rv::Exit::Kind::exit_register;
      e.value = j["exit"].at("value").get<std::uint32_t>();
      r.exit = e;
    }
    return r;
  }

 private:
  SocConfig c_;
  fs::path program_;
  RtlRunOptions o_;
};

}  // namespace

std::unique_ptr<Rv32Target> make_rtl_target(const SocConfig& c, const fs::path& program, const RtlRunOptions& o) {
  return std::make_unique<RtlTarget>(c, program, o);
}

}  // namespace strata::cli
