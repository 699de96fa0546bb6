// The strata command line run as a user runs it: exit codes and messages.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/config.h"
#include "elaborate.h"

#include <nlohmann/json.hpp>

namespace strata {
namespace {

namespace fs = std::filesystem;

struct Outcome {
  int status;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Outcome strata(const std::string& args) {
  static int n = 0;
  const fs::path base = fs::temp_directory_path() / fmt::format("strata-cli-{}-{}", ::getpid(), n++);
  const int rc = std::system(fmt::format("'{}' {} >'{}.out' 2>'{}.err' </dev/null", STRATA_EXE_PATH, args, base.string(), base.string()).c_str());
  Outcome r{WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(base.string() + ".out"), slurp(base.string() + ".err")};
  fs::remove(base.string() + ".out");
  fs::remove(base.string() + ".err");
  return r;
}

const std::string kDefault = std::string(STRATA_SOURCE) + "/gen/configs/default.yaml";

fs::path fresh(const std::string& tag) {
  const fs::path d = fs::temp_directory_path() / fmt::format("strata-cli-{}-{}", tag, ::getpid());
  fs::remove_all(d);
  return d;
}

TEST(Cli, VersionPrintsGeneratorVersion) {
  const Outcome r = strata("--version");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, fmt::format("Strata {}\n", generator_version()));
}

TEST(Cli, HelpListsEverySubcommand) {
  const Outcome r = strata("--help");
  EXPECT_EQ(r.status, 0);
  for (const char* sub : {"gen", "lint", "sim", "synth", "random-config"}) EXPECT_NE(r.out.find(sub), std::string::npos) << sub;
  for (const char* sub : {"gen", "lint", "sim", "synth"}) {
    const Outcome h = strata(fmt::format("{} --help", sub));
    EXPECT_EQ(h.status, 0) << sub;
    EXPECT_NE(h.out.find("CONFIG"), h.out.find("DIR")) << sub << " --help names its argument";
  }
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(strata("").status, 2);
  EXPECT_EQ(strata("nosuch").status, 2);
  EXPECT_EQ(strata(fmt::format("gen '{}'", kDefault)).status, 2) << "-o is required";
  EXPECT_EQ(strata("lint /nonexistent/dir").status, 2);
  const Outcome r = strata(fmt::format("synth '{}' --target nosuch", kDefault));
  EXPECT_EQ(r.status, 2);
  for (const char* t : {"ice40-up5k", "ice40-hx8k", "xc7", "ecp5", "gowin"}) EXPECT_NE(r.err.find(t), std::string::npos) << r.err;
  EXPECT_EQ(strata(fmt::format("sim '{}' --vectors 0", kDefault)).status, 2);
}

TEST(Cli, ConfigErrorsExitTwoBeforeAnyWork) {
  const fs::path dir = fresh("cfgerr");
  fs::create_directories(dir);
  std::ofstream(dir / "bad.yaml") << "name: x\nau:\n  pipeline_stages: 9\n";
  for (const char* cmd : {"sim", "synth"}) {
    const Outcome r = strata(fmt::format("{} '{}' --{} '{}'", cmd, (dir / "bad.yaml").string(), cmd == std::string("sim") ? "build-dir" : "output",
                                     (dir / "work").string()));
    EXPECT_EQ(r.status, 2) << cmd;
    EXPECT_EQ(r.err, fmt::format("{}:3:20: error: au.pipeline_stages: 9 is out of range; allowed: an integer from 0 to 2\n", (dir / "bad.yaml").string()))
        << cmd;
    EXPECT_FALSE(fs::exists(dir / "work")) << cmd;
  }
  fs::remove_all(dir);
}

TEST(Cli, GenWritesTheWholeDesignAndLintPasses) {
  const fs::path out = fresh("gen");
  const Outcome g = strata(fmt::format("gen '{}' -o '{}'", kDefault, out.string()));
  ASSERT_EQ(g.status, 0) << g.err;
  for (const char* f : {"files.f", "manifest.json", "strata_default.core"}) EXPECT_TRUE(fs::exists(out / f)) << f;
  std::istringstream list(slurp(out / "files.f"));
  int files = 0;
  for (std::string line; std::getline(list, line); ++files) EXPECT_TRUE(fs::exists(out / line)) << line;
  EXPECT_EQ(files, 4);
  const Outcome l = strata(fmt::format("lint '{}'", out.string()));
  EXPECT_EQ(l.status, 0) << l.err;
  fs::remove_all(out);
}

TEST(Cli, LintFailsOnABrokenModuleAndNamesIt) {
  const fs::path out = fresh("lintbad");
  ASSERT_EQ(strata(fmt::format("gen '{}' -o '{}'", kDefault, out.string())).status, 0);
  const fs::path sv = out / "rtl" / "strata_default_mul_s8.sv";
  std::string text = slurp(sv);
  text.erase(text.find("endmodule"));
  std::ofstream(sv, std::ios::trunc) << text;
  const Outcome r = strata(fmt::format("lint '{}'", out.string()));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("strata_default_mul_s8"), std::string::npos) << r.err;
  fs::remove_all(out);
}

TEST(Cli, LintFailsOnAWarning) {
  const fs::path out = fresh("lintwarn");
  ASSERT_EQ(strata(fmt::format("gen '{}' -o '{}'", kDefault, out.string())).status, 0);
  const fs::path sv = out / "rtl" / "strata_default_au.sv";
  std::string text = slurp(sv);
  const std::string from = "assign acc_o = acc_q;";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), "assign acc_o = acc_q[40:0];");  // one bit short
  std::ofstream(sv, std::ios::trunc) << text;
  const Outcome r = strata(fmt::format("lint '{}'", out.string()));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("%Warning-WIDTH"), std::string::npos) << r.err;
  fs::remove_all(out);
}

TEST(Cli, LintNeedsAManifest) {
  const fs::path dir = fresh("nomanifest");
  fs::create_directories(dir);
  const Outcome r = strata(fmt::format("lint '{}'", dir.string()));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("manifest.json"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

TEST(Cli, GenReplacesAnOldOutputDirectoryWhole) {
  const fs::path out = fresh("replace");
  fs::create_directories(out / "rtl");
  std::ofstream(out / "rtl" / "stale.sv") << "module stale; endmodule\n";
  ASSERT_EQ(strata(fmt::format("gen '{}' -o '{}'", kDefault, out.string())).status, 0);
  EXPECT_FALSE(fs::exists(out / "rtl" / "stale.sv"));
  EXPECT_TRUE(fs::exists(out / "manifest.json"));
  fs::remove_all(out);
}

TEST(Cli, RandomConfigIsValidAndReproducible) {
  std::set<std::string> distinct;
  for (int seed = 1; seed <= 5; ++seed) {
    const Outcome a = strata(fmt::format("random-config --seed {}", seed));
    const Outcome b = strata(fmt::format("random-config --seed {}", seed));
    ASSERT_EQ(a.status, 0) << a.err;
    EXPECT_EQ(a.out, b.out);
    EXPECT_NO_THROW(parse_config(a.out, "random"));
    distinct.insert(a.out.substr(a.out.find('\n')));  // without the seed comment
  }
  EXPECT_GE(distinct.size(), 3u);
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

// The synthesis flow end to end: yosys and nextpnr on the default config.
TEST(CliSynth, Ice40Up5kIsPlacedAndReported) {
  const fs::path out = fresh("synth-up5k");
  const Outcome r = strata(fmt::format("synth '{}' --target ice40-up5k --seed 2 -o '{}'", kDefault, out.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto report = nlohmann::json::parse(slurp(out / "report.json"));
  EXPECT_EQ(report["target"], "ice40-up5k");
  EXPECT_EQ(report["config_hash"], config_hash(load_config(kDefault)));
  EXPECT_GT(report["resources"]["lut"].get<long>(), 0);
  // The AU's accumulator and beat registers at least: ACC_W + DOT_W flops.
  EXPECT_GE(report["resources"]["ff"].get<long>(), 42 + 32);
  EXPECT_GE(report["resources_with_wrapper"]["ff"].get<long>(), report["resources"]["ff"].get<long>());
  EXPECT_GT(report["placed"]["fmax_mhz"].get<double>(), 1.0);
  EXPECT_EQ(report["placed"]["seed"], 2);
  EXPECT_NE(report["tools"]["yosys"].get<std::string>().find("Yosys"), std::string::npos);
  EXPECT_TRUE(fs::exists(out / "design.asc")) << "a bitstream-ready placement";
  EXPECT_NE(slurp(out / "report.md").find("| strata_default | ice40-up5k |"), std::string::npos);
  EXPECT_NE(r.out.find("| strata_default | ice40-up5k |"), std::string::npos);
  fs::remove_all(out);
}

TEST(CliSynth, Xc7IsAYosysEstimate) {
  const fs::path out = fresh("synth-xc7");
  const Outcome r = strata(fmt::format("synth '{}' --target xc7 -o '{}'", kDefault, out.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto report = nlohmann::json::parse(slurp(out / "report.json"));
  EXPECT_GT(report["resources"]["lut"].get<long>(), 0);
  EXPECT_FALSE(report.contains("placed"));
  EXPECT_NE(slurp(out / "report.md").find("n/a (not placed)"), std::string::npos);
  fs::remove_all(out);
}

}  // namespace
}  // namespace strata
