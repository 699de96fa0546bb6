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
#include "support.h"

#include <nlohmann/json.hpp>

namespace strata {
namespace {

namespace fs = std::filesystem;

using test_support::Outcome;
using test_support::slurp;

Outcome strata(const std::string& args, const std::string& input_file = "/dev/null") { return test_support::run_strata(args, input_file); }

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
  const Outcome r = strata(fmt::format("synth '{}' --target ice40-up5k --seed 2 --seeds 3 -o '{}'", kDefault, out.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto report = nlohmann::json::parse(slurp(out / "report.json"));
  EXPECT_EQ(report["target"], "ice40-up5k");
  EXPECT_EQ(report["config_hash"], config_hash(load_config(kDefault)));
  EXPECT_GT(report["resources"]["lut"].get<long>(), 0);
  // The AU's accumulator and beat registers at least: ACC_W + DOT_W flops.
  EXPECT_GE(report["resources"]["ff"].get<long>(), 42 + 32);
  EXPECT_GE(report["resources_with_wrapper"]["ff"].get<long>(), report["resources"]["ff"].get<long>());
  EXPECT_GT(report["placed"]["fmax_mhz"].get<double>(), 1.0);
  ASSERT_EQ(report["placed"]["fmax_by_seed"].size(), 3u);
  std::vector<double> f;
  for (const auto& [seed, mhz] : report["placed"]["fmax_by_seed"].items()) f.push_back(mhz.get<double>());
  std::sort(f.begin(), f.end());
  EXPECT_EQ(report["placed"]["fmax_mhz"].get<double>(), f[1]) << "the median of seeds 2, 3, 4";
  EXPECT_TRUE(report["placed"]["fmax_by_seed"].contains("4"));
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

namespace strata {
namespace {

Outcome numerics(const std::string& args, const std::string& input) {
  const fs::path in = fs::temp_directory_path() / fmt::format("strata-numerics-{}.txt", ::getpid());
  std::ofstream(in) << input;
  Outcome r = strata("numerics " + args, in.string());
  fs::remove(in);
  return r;
}

TEST(CliNumerics, DecodeListsEveryCodeWithItsExactValue) {
  const Outcome r = numerics("posit8_0 decode", "");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 256);
  for (const char* line : {"0x00 0\n", "0x40 1\n", "0x7f 64\n", "0x80 NaR\n", "0xff -0.015625\n", "0x01 0.015625\n"})
    EXPECT_NE(r.out.find(line), std::string::npos) << line;
  const Outcome p32 = numerics("posit32_2 decode", "0x40000000\n0x80000000 7fffffff\n");
  EXPECT_EQ(p32.out, "0x40000000 1\n0x80000000 NaR\n0x7fffffff 1329227995784915872903807060280344576\n");  // 2^120
}

TEST(CliNumerics, EncodeRoundsRealsFromStdin) {
  const Outcome r = numerics("posit16_1 encode", "1\n-1.5\n1e300\n1e-300\n\n0.0\n");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "0x4000\n0xb800\n0x7fff\n0x0001\n0x0000\n");
  EXPECT_EQ(numerics("fp4 encode", "2.5\n-7\n").out, "0x4\n0xf\n");
  EXPECT_EQ(numerics("int8 encode", "2.5\n3.5\n-200\n").out, "0x02\n0x04\n0x80\n");
}

TEST(CliNumerics, MulAndAddCoverEveryPairOfSmallFormats) {
  for (const char* f : {"fp4", "posit4_1", "int4", "posit8_0"}) {
    const Outcome r = strata(fmt::format("numerics {} mul", f));
    ASSERT_EQ(r.status, 0) << f;
    const int bits = std::string(f).find('8') != std::string::npos ? 8 : 4;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1 << (2 * bits)) << f;
  }
  EXPECT_NE(strata("numerics posit8_0 add").out.find("0x40 0x40 0x60\n"), std::string::npos);  // 1 + 1 = 2
  EXPECT_NE(strata("numerics posit8_0 mul").out.find("0x80 0x40 0x80\n"), std::string::npos);  // NaR * 1 = NaR
  EXPECT_EQ(numerics("posit16_1 mul", "0x4000 0x5000\n").out, "0x4000 0x5000 0x5000\n");       // 1 * 2
}

TEST(CliNumerics, FusedDotProductRoundsOnce) {
  // posit8_0: 64*64 - 64*64 + 1/64*1/64 is exactly 2^-12, below minpos: minpos.
  EXPECT_EQ(numerics("posit8_0 fdp", "0x7f 0x7f 0x81 0x7f 0x01 0x01\n").out, "0x01\n");
  EXPECT_EQ(numerics("posit8_0 fdp", "0x40 0x40 0x80 0x40\n").out, "0x80\n");
}

TEST(CliNumerics, BadInputNamesTheLine) {
  const Outcome r = numerics("posit8_0 fdp", "0x40 0x40\n0x40 0x140\n");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "stdin:2: error: '0x140' is not a posit8_0 code; allowed: hex from 0x00 to 0xff\n");
  EXPECT_EQ(numerics("posit8_0 encode", "1.2.3\n").err, "stdin:1: error: '1.2.3' is not a decimal number (e.g. -1.25, 3e-7)\n");
  EXPECT_EQ(strata("numerics posit8_9 decode").status, 2);
  EXPECT_EQ(strata("numerics posit8_0 divide").status, 2);
}

}  // namespace
}  // namespace strata
