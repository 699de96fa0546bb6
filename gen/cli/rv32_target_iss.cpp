#include <cstdio>
#include <fstream>

#include "cli/rv32_target.h"
#include "cli/tools.h"
#include "rv32_params.h"

namespace strata::cli {

namespace {

namespace rv = golden::rv32;

class IssTarget : public Rv32Target {
 public:
  IssTarget(const Rv32Config& c, const rv::ElfImage& program, const std::string& log) : iss_(rv32_iss_params(c)) {
    rv::load(iss_, program);
    iss_.set_console_echo(true);
    if (!log.empty()) {
      log_.open(log);
      if (!log_) throw CliError("cannot write the retirement log " + log);
    }
  }
  std::string name() const override { return "the ISS"; }
  Rv32RunResult run(std::uint64_t max_cycles) override {
    while (!iss_.exit() && iss_.cycles() < max_cycles) {
      const rv::Retirement ret = iss_.step();
      if (log_.is_open()) log_ << rv::format(ret) << '\n';
    }
    std::fflush(stdout);
    Rv32RunResult r;
    r.exit = iss_.exit();
    r.cycles = iss_.cycles();
    r.instructions = iss_.instructions();
    r.pc = iss_.pc();
    return r;
  }

 private:
  rv::Iss iss_;
  std::ofstream log_;
};

}  // namespace

std::unique_ptr<Rv32Target> make_iss_target(const Rv32Config& rv, const golden::rv32::ElfImage& program, const std::string& log) {
  return std::make_unique<IssTarget>(rv, program, log);
}

}  // namespace strata::cli
