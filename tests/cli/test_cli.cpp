// The strata command line run as a user runs it (a subprocess): exit codes,
// messages and what it writes. Exit codes: 0 success, 1 a check or tool
// failed, 2 bad input (command line or config).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "elaborate.h"
#include "support.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

using test_support::Outcome;
using test_support::slurp;

Outcome strata(const std::string& args, const std::string& input_file = "/dev/null") { return test_support::run_strata(args, input_file); }

const std::string kDefault = std::string(STRATA_SOURCE) + "/gen/configs/default.yaml";
const std::vector<std::string> kTargets{"ice40-up5k", "ice40-hx8k", "xc7", "ecp5", "gowin"};

// A path under the temporary directory that does not exist (yet).
fs::path fresh(const std::string& tag) {
  const fs::path d = fs::temp_directory_path() / fmt::format("strata-test-cli-{}-{}", ::getpid(), tag);
  fs::remove_all(d);
  return d;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (!l.empty()) v.push_back(l);
  }
  return v;
}

// The first word of each line of the "Subcommands:" section of --help.
std::set<std::string> listed_subcommands(const std::string& help) {
  std::set<std::string> subs;
  bool in_section = false;
  for (const auto& l : lines_of(help)) {
    if (l.rfind("Subcommands:", 0) == 0 || l.rfind("SUBCOMMANDS:", 0) == 0) {
      in_section = true;
      continue;
    }
    if (!in_section) continue;
    if (l[0] != ' ') break;
    std::istringstream words(l);
    std::string first;
    words >> first;
    subs.insert(first);
  }
  return subs;
}

// ---------------------------------------------------------------------------
// Usage

TEST(Cli, VersionPrintsStrataAndTheVersion) {
  const Outcome r = strata("--version");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(generator_version().empty());
  EXPECT_EQ(r.out, fmt::format("Strata {}\n", generator_version()));
}

TEST(Cli, HelpListsTheSubcommands) {
  const Outcome r = strata("--help");
  EXPECT_EQ(r.status, 0) << r.err;
  const auto subs = listed_subcommands(r.out);
  for (const char* sub : {"gen", "lint", "sim", "synth"}) EXPECT_TRUE(subs.count(sub)) << sub << " not listed in:\n" << r.out;
  for (const char* sub : {"gen", "lint", "sim", "synth"}) {
    const Outcome h = strata(fmt::format("{} --help", sub));
    EXPECT_EQ(h.status, 0) << sub;
    EXPECT_NE(h.out.find(fmt::format("strata {}", sub)), std::string::npos) << sub << " --help:\n" << h.out;
  }
}

TEST(Cli, NoSubcommandExitsTwo) {
  const Outcome r = strata("");
  EXPECT_EQ(r.status, 2);
  EXPECT_FALSE(r.err.empty());
}

TEST(Cli, UnknownSubcommandExitsTwo) {
  const Outcome r = strata("nosuch");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "strata: error: unknown command 'nosuch'; allowed: gen, lint, sim, synth, random-config, numerics, run, example-model, run-elf, import, pulses, pulse, sweep, sweep-point, estimate (see strata --help)\n");
}

TEST(Cli, GenWithoutOutputExitsTwo) {
  const Outcome r = strata(fmt::format("gen '{}'", kDefault));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--output"), std::string::npos) << r.err;
}

TEST(Cli, SynthUnknownTargetExitsTwoAndListsTheTargets) {
  const fs::path out = fresh("synth-nosuch");
  const Outcome r = strata(fmt::format("synth '{}' --target nosuch -o '{}'", kDefault, out.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("nosuch"), std::string::npos) << r.err;
  for (const auto& t : kTargets) EXPECT_NE(r.err.find(t), std::string::npos) << t << " missing from: " << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(Cli, SynthUnknownTopExitsTwoAndListsTheModules) {
  const fs::path out = fresh("synth-notop");
  const Outcome r = strata(fmt::format("synth '{}' --top nosuch -o '{}'", kDefault, out.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("nosuch: the design of"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("allowed: "), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(Cli, OtherUsageErrorsExitTwo) {
  EXPECT_EQ(strata("lint /nonexistent/strata-dir").status, 2);
  EXPECT_EQ(strata(fmt::format("sim '{}' --vectors 0", kDefault)).status, 2);
  EXPECT_EQ(strata("random-config").status, 2) << "--seed is required";
}

TEST(Cli, ConfigErrorsExitTwoBeforeAnyWork) {
  const fs::path dir = fresh("cfgerr");
  fs::create_directories(dir);
  const fs::path bad = dir / "bad.yaml";
  std::ofstream(bad) << "name: x\nau:\n  pipeline_stages: 9\n";
  const std::string message = fmt::format("{}:3:20: error: au.pipeline_stages: 9 is out of range; allowed: an integer from 0 to 2\n", bad.string());
  for (const std::string cmd : {"sim", "synth"}) {
    const Outcome r = strata(fmt::format("{} '{}' --{} '{}'", cmd, bad.string(), cmd == "sim" ? "build-dir" : "output", (dir / "work").string()));
    EXPECT_EQ(r.status, 2) << cmd;
    EXPECT_EQ(r.err, message) << cmd;
    EXPECT_FALSE(fs::exists(dir / "work")) << cmd;
  }
  fs::remove_all(dir);
}

// ---------------------------------------------------------------------------
// strata lint keeps its log when it fails and names it ("last lines of
// LOG:"): the message must point at a real file, which the test then removes.
void expect_and_remove_lint_log(const std::string& err) {
  const std::string tag = "last lines of ";
  const auto at = err.find(tag);
  ASSERT_NE(at, std::string::npos) << err;
  const auto end = err.find(":\n", at);
  const fs::path log = err.substr(at + tag.size(), end - at - tag.size());
  EXPECT_TRUE(fs::exists(log)) << log;
  fs::remove(log);
}

// gen and lint on the default config, generated once for the suite.

class CliGen : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = new fs::path(fresh("gen-default"));
    gen_ = new Outcome(strata(fmt::format("gen '{}' -o '{}'", kDefault, out_->string())));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*out_);
    delete out_;
    delete gen_;
    out_ = nullptr;
    gen_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(gen_->status, 0) << "strata gen of the default config failed:\n" << gen_->err; }

  static const fs::path& out() { return *out_; }

  // The design copied to a directory of its own, to be damaged.
  static fs::path copy(const std::string& tag) {
    const fs::path c = fresh(tag);
    fs::copy(*out_, c, fs::copy_options::recursive);
    return c;
  }

  static nlohmann::json manifest(const fs::path& dir) { return nlohmann::json::parse(slurp(dir / "manifest.json")); }

 private:
  static fs::path* out_;
  static Outcome* gen_;
};

fs::path* CliGen::out_ = nullptr;
Outcome* CliGen::gen_ = nullptr;

TEST_F(CliGen, WritesTheWholeDesign) {
  for (const char* f : {"files.f", "manifest.json", "strata_default.core"}) EXPECT_TRUE(fs::is_regular_file(out() / f)) << f;

  const auto listed = lines_of(slurp(out() / "files.f"));
  EXPECT_FALSE(listed.empty());
  for (const auto& f : listed) EXPECT_TRUE(fs::is_regular_file(out() / f)) << "files.f lists " << f << ", which does not exist";

  std::vector<std::string> sv;
  ASSERT_TRUE(fs::is_directory(out() / "rtl"));
  for (const auto& e : fs::directory_iterator(out() / "rtl"))
    if (e.path().extension() == ".sv") sv.push_back("rtl/" + e.path().filename().string());
  EXPECT_FALSE(sv.empty()) << "no rtl/*.sv";
  for (const auto& f : sv) EXPECT_NE(std::find(listed.begin(), listed.end(), f), listed.end()) << f << " is not in files.f";

  const auto m = manifest(out());
  EXPECT_EQ(m.at("config_hash").get<std::string>(), config_hash(load_config(kDefault)));
  for (const auto& mod : m.at("modules")) EXPECT_TRUE(fs::is_regular_file(out() / mod.at("file").get<std::string>())) << mod.dump();
}

TEST_F(CliGen, LintPasses) {
  const Outcome r = strata(fmt::format("lint '{}'", out().string()));
  EXPECT_EQ(r.status, 0) << r.err;
}

TEST_F(CliGen, LintFailsOnASyntaxErrorAndNamesTheModule) {
  const fs::path broken = copy("lint-syntax");
  // Break a module that is not the first one linted, so the message must name
  // the broken module rather than merely the one being linted.
  const auto mods = manifest(broken).at("modules");
  ASSERT_GE(mods.size(), 1u);
  const auto& mod = mods.size() > 1 ? mods.at(1) : mods.at(0);
  const std::string name = mod.at("name").get<std::string>();
  const fs::path sv = broken / mod.at("file").get<std::string>();
  std::string text = slurp(sv);
  std::string kept;
  int removed = 0;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    const auto first = l.find_first_not_of(" \t");
    if (first != std::string::npos && l.compare(first, 9, "endmodule") == 0) {
      ++removed;
      continue;
    }
    kept += l + "\n";
  }
  ASSERT_EQ(removed, 1) << sv;
  std::ofstream(sv, std::ios::binary | std::ios::trunc) << kept;

  const Outcome r = strata(fmt::format("lint '{}'", broken.string()));
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find(name), std::string::npos) << "stderr does not name " << name << ":\n" << r.err;
  expect_and_remove_lint_log(r.err);
  fs::remove_all(broken);
}

TEST_F(CliGen, LintFailsOnAWarning) {
  const fs::path broken = copy("lint-warning");
  const fs::path sv = broken / "rtl" / "strata_default_au.sv";
  std::string text = slurp(sv);
  const std::string from = "assign acc_o = acc_q;";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), "assign acc_o = acc_q[40:0];");  // one bit short
  std::ofstream(sv, std::ios::binary | std::ios::trunc) << text;
  const Outcome r = strata(fmt::format("lint '{}'", broken.string()));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("%Warning-WIDTH"), std::string::npos) << r.err;
  expect_and_remove_lint_log(r.err);
  fs::remove_all(broken);
}

TEST(Cli, LintNeedsAManifest) {
  const fs::path dir = fresh("no-manifest");
  fs::create_directories(dir / "rtl");
  std::ofstream(dir / "rtl" / "m.sv") << "module m; endmodule\n";
  const Outcome r = strata(fmt::format("lint '{}'", dir.string()));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("manifest.json"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

TEST(Cli, GenReplacesAnOldOutputDirectoryWhole) {
  const fs::path out = fresh("replace");
  fs::create_directories(out / "rtl");
  std::ofstream(out / "rtl" / "stale.sv") << "module stale; endmodule\n";
  const Outcome r = strata(fmt::format("gen '{}' -o '{}'", kDefault, out.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(fs::exists(out / "rtl" / "stale.sv"));
  EXPECT_TRUE(fs::exists(out / "manifest.json"));
  fs::remove_all(out);
}

// ---------------------------------------------------------------------------
// random-config

TEST(Cli, RandomConfigIsValidReproducibleAndVaried) {
  std::set<std::string> distinct;
  for (int seed = 1; seed <= 5; ++seed) {
    const Outcome a = strata(fmt::format("random-config --seed {}", seed));
    const Outcome b = strata(fmt::format("random-config --seed {}", seed));
    ASSERT_EQ(a.status, 0) << a.err;
    ASSERT_EQ(b.status, 0) << b.err;
    EXPECT_EQ(a.out, b.out) << "seed " << seed << " gave two different configs";
    try {
      const SocConfig c = parse_config(a.out, fmt::format("random-config-{}.yaml", seed));
      distinct.insert(to_json(c).dump());
    } catch (const ConfigError& e) {
      ADD_FAILURE() << "seed " << seed << ": " << e.what() << "\n" << a.out;
    }
  }
  EXPECT_GE(distinct.size(), 3u) << "seeds 1..5 gave too few distinct configs";
}

}  // namespace
}  // namespace strata

// ---------------------------------------------------------------------------
// The synthesis flow end to end: yosys and nextpnr on the default config.

namespace strata {
namespace {

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

// ---------------------------------------------------------------------------
// strata numerics: the golden number formats on the command line.

namespace strata {
namespace {

Outcome numerics(const std::string& args, const std::string& input) {
  const fs::path in = fs::temp_directory_path() / fmt::format("strata-test-cli-{}-numerics.txt", ::getpid());
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

// `strata run` checks its inputs before building anything: a config without
// an engine, a malformed model and a model the engine cannot hold each exit
// 2 with a message that names the file and what is allowed.
TEST(CliRun, BadInputsExitTwoBeforeAnyBuild) {
  const fs::path dir = fresh("runerr");
  fs::create_directories(dir);
  const fs::path src(STRATA_SOURCE);
  const fs::path model = dir / "pulse.json";
  ASSERT_EQ(strata(fmt::format("example-model pulse_cnn -o '{}'", model.string())).status, 0);
  const std::string work = (dir / "work").string();

  Outcome r = strata(fmt::format("run '{}' '{}' --build-dir '{}'", (src / "gen/configs/default.yaml").string(), model.string(), work));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("default.yaml: error: nn: missing"), std::string::npos) << r.err;

  r = strata(fmt::format("run '{}' '{}' --build-dir '{}'", (src / "gen/configs/nn_small.yaml").string(),
                         (src / "tests/models/bad/01_syntax_error.json").string(), work));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("01_syntax_error.json: error: byte"), std::string::npos) << r.err;

  // The pulse model's largest tensors do not fit 256 activation words.
  const fs::path tiny = dir / "tiny.yaml";
  std::ofstream(tiny) << "name: tiny\nau:\n  formats: [int8]\nnn:\n  act_words: 256\n";
  r = strata(fmt::format("run '{}' '{}' --build-dir '{}'", tiny.string(), model.string(), work));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("does not fit in the activation memory"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nn.act_words = 256"), std::string::npos) << r.err;

  // A gelu layer needs the engine's GELU unit, which nn_small leaves out.
  const fs::path units = dir / "units.json";
  std::ofstream(units) << R"({"format": "strata-model", "version": 1, "name": "units",
    "input": {"name": "x", "shape": [4, 2], "scale": 0.05, "zero_point": 0},
    "layers": [{"name": "act", "op": "gelu", "inputs": ["x"], "output": "y", "output_quant": {"scale": 0.05, "zero_point": 0}}],
    "outputs": ["y"]})";
  r = strata(fmt::format("run '{}' '{}' --build-dir '{}'", (src / "gen/configs/nn_small.yaml").string(), units.string(), work));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("layer 'act': gelu layers need the engine's GELU unit, which config 'nn_small' leaves out"), std::string::npos) << r.err;

  // A transport is a SoC config's; only the named ones exist; the SystemC platform writes no waveform.
  r = strata(fmt::format("run '{}' '{}' --build-dir '{}' --transport systemc", (src / "gen/configs/nn_small.yaml").string(), model.string(), work));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--transport systemc: config 'nn_small' has no rv32 section; allowed: --transport only with a SoC config"), std::string::npos) << r.err;
  const std::string soc = (src / "gen/configs/soc_pulse.yaml").string();
  r = strata(fmt::format("run '{}' '{}' --build-dir '{}' --transport pci", soc, model.string(), work));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("pci"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("axi"), std::string::npos) << r.err;
  r = strata(fmt::format("run '{}' '{}' --build-dir '{}' --transport systemc --trace '{}'", soc, model.string(), work, (dir / "t.fst").string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--trace: the systemc transport writes no waveform"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(work));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace strata
