// The config schema: the bad-config catalogue (tests/configs/bad/, each file's
// first line "# expect: LINE:COL: error: ..." is its exact message), defaults,
// canonical form and hash.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config.h"
#include "support.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

using test_support::slurp;

std::vector<fs::path> bad_configs() {
  std::vector<fs::path> v;
  for (const auto& e : fs::directory_iterator(fs::path(STRATA_SOURCE) / "tests" / "configs" / "bad"))
    if (e.path().extension() == ".yaml") v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

std::string expected_message(const fs::path& p) {
  const std::string text = slurp(p);
  const std::string tag = "# expect: ";
  if (text.rfind(tag, 0) != 0) return "(" + p.filename().string() + " has no '# expect:' first line)";
  return p.string() + ":" + text.substr(tag.size(), text.find('\n') - tag.size());
}

TEST(BadConfigCatalogue, HasAtLeastTwentyEntries) { EXPECT_GE(bad_configs().size(), 20u); }

class BadConfig : public ::testing::TestWithParam<fs::path> {};

TEST_P(BadConfig, LoadFailsWithItsExactMessage) {
  try {
    load_config(GetParam());
    ADD_FAILURE() << GetParam() << " was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.what(), expected_message(GetParam()));
  }
}

// strata gen exits 2 with the message, creates no output directory and
// leaves an existing one untouched.
TEST_P(BadConfig, GenExitsTwoAndWritesNothing) {
  const fs::path tmp = fs::temp_directory_path() / fmt::format("strata-bad-{}", GetParam().stem().string());
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  auto gen = [&](const fs::path& out) { return test_support::run_strata(fmt::format("gen '{}' -o '{}'", GetParam().string(), out.string())); };
  const auto r = gen(tmp / "new");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, expected_message(GetParam()) + "\n");
  EXPECT_FALSE(fs::exists(tmp / "new"));

  fs::create_directories(tmp / "old");
  std::ofstream(tmp / "old" / "keep.txt") << "precious";
  EXPECT_EQ(gen(tmp / "old").status, 2);
  EXPECT_EQ(slurp(tmp / "old" / "keep.txt"), "precious");
  EXPECT_EQ(std::distance(fs::directory_iterator(tmp / "old"), fs::directory_iterator()), 1);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp)) ++entries;
  EXPECT_EQ(entries, 1u) << "no staging directory may be left behind";
  fs::remove_all(tmp);
}

std::string test_name(const ::testing::TestParamInfo<fs::path>& info) {
  std::string n = info.param.stem().string();
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Catalogue, BadConfig, ::testing::ValuesIn(bad_configs()), test_name);

TEST(Config, AnEmptyFileIsAnError) {
  try {
    parse_config("", "empty.yaml");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "empty.yaml:1:1: error: the config is empty; expected a mapping with keys name, au, synth");
  }
}

TEST(Config, AMissingFileNamesThePath) {
  try {
    load_config("/nonexistent/strata.yaml");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/strata.yaml: error: cannot read the config file");
  }
}

TEST(Config, ShippedConfigsLoad) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(fs::path(STRATA_SOURCE) / "gen" / "configs")) {
    EXPECT_NO_THROW(load_config(e.path())) << e.path();
    ++n;
  }
  EXPECT_GE(n, 3);
}

TEST(Config, DefaultsFillWhatIsOmitted) {
  const SocConfig c = parse_config("name: x\n", "t.yaml");
  const AuConfig au;
  const SynthConfig synth;
  EXPECT_EQ(c.name, "x");
  EXPECT_EQ(c.au.formats, au.formats);
  EXPECT_EQ(c.au.max_accumulations, au.max_accumulations);
  EXPECT_EQ(c.au.pipeline_stages, au.pipeline_stages);
  EXPECT_EQ(c.synth.clock_mhz, synth.clock_mhz);
}

TEST(Config, FormatsTakeTheCanonicalOrder) {
  const SocConfig a = parse_config("name: x\nau:\n  formats: [int16, int4]\n", "a.yaml");
  const SocConfig b = parse_config("name: x\nau:\n  formats: [int4, int16]\n", "b.yaml");
  EXPECT_EQ(a.au.formats, (std::vector<golden::Format>{golden::Format::int4, golden::Format::int16}));
  EXPECT_EQ(config_hash(a), config_hash(b));
}

TEST(Config, LimitsAreInclusive) {
  EXPECT_EQ(parse_config("name: x\nau:\n  max_accumulations: 16777216\n", "t").au.max_accumulations, ConfigLimits::max_accumulations_max);
  EXPECT_EQ(parse_config("name: x\nau:\n  max_accumulations: 1\n", "t").au.max_accumulations, 1u);
  EXPECT_EQ(parse_config("name: x\nau:\n  pipeline_stages: 0\n", "t").au.pipeline_stages, 0);
  EXPECT_EQ(parse_config("name: x\nsynth:\n  clock_mhz: 500\n", "t").synth.clock_mhz, 500.0);
  EXPECT_EQ(parse_config("name: x\nsynth:\n  clock_mhz: 12.5\n", "t").synth.clock_mhz, 12.5);
  EXPECT_EQ(parse_config(fmt::format("name: {}\n", std::string(32, 'z')), "t").name.size(), 32u);
}

TEST(Config, YamlRoundTripKeepsJsonAndHash) {
  for (const auto& e : fs::directory_iterator(fs::path(STRATA_SOURCE) / "gen" / "configs")) {
    const SocConfig c = load_config(e.path());
    const SocConfig back = parse_config(to_yaml(c), "round-trip");
    EXPECT_EQ(to_json(back), to_json(c)) << e.path();
    EXPECT_EQ(config_hash(back), config_hash(c)) << e.path();
  }
}

TEST(Config, HashIsSixteenHexDigitsAndSeesEveryField) {
  const SocConfig base = parse_config("name: x\n", "t");
  const std::string h = config_hash(base);
  ASSERT_EQ(h.size(), 16u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
  std::vector<SocConfig> changed(5, base);
  changed[0].name = "y";
  changed[1].au.formats = {golden::Format::int8};
  changed[2].au.max_accumulations += 1;
  changed[3].au.pipeline_stages = 2;
  changed[4].synth.clock_mhz += 1;
  for (const auto& c : changed) EXPECT_NE(config_hash(c), h) << to_json(c).dump();
}

}  // namespace
}  // namespace strata
