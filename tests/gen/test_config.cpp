// The config schema (gen/config): the catalogue of bad configs and their exact
// messages, through the library and through `strata gen`; then good configs:
// defaults, canonical form, YAML round trip and hash.
//
// tests/configs/bad/NN_what.yaml: the first line is "# expect: LINE:COL: error:
// MESSAGE", the message that follows "PATH:" when the file is loaded.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "support.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

using test_support::slurp;

const fs::path kBadDir = fs::path(STRATA_SOURCE) / "tests" / "configs" / "bad";
const fs::path kGoodDir = fs::path(STRATA_SOURCE) / "gen" / "configs";

std::vector<fs::path> yaml_files(const fs::path& dir) {
  std::vector<fs::path> v;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file() && e.path().extension() == ".yaml") v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

// "PATH:" + the text after "# expect: " on the first line; empty if the file has no such line.
std::string expected_message(const fs::path& p) {
  const std::string text = slurp(p);
  const std::string tag = "# expect: ";
  if (text.rfind(tag, 0) != 0) return "";
  const std::size_t eol = text.find('\n');
  std::string expect = text.substr(tag.size(), eol == std::string::npos ? std::string::npos : eol - tag.size());
  if (!expect.empty() && expect.back() == '\r') expect.pop_back();
  return p.string() + ":" + expect;
}

// A fresh directory of this test's own under the temporary directory.
fs::path scratch(const std::string& tag) {
  const fs::path d = fs::temp_directory_path() / fmt::format("strata-test-config-{}-{}", ::getpid(), tag);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::vector<fs::path> entries(const fs::path& dir) {
  std::vector<fs::path> v;
  for (const auto& e : fs::directory_iterator(dir)) v.push_back(e.path().filename());
  std::sort(v.begin(), v.end());
  return v;
}

// ---------------------------------------------------------------------------
// Bad configs

TEST(BadConfigCatalogue, HasAtLeast24Entries) { EXPECT_GE(yaml_files(kBadDir).size(), 24u) << kBadDir; }

TEST(BadConfigCatalogue, EveryEntryStatesItsMessage) {
  for (const auto& p : yaml_files(kBadDir)) {
    const std::string m = expected_message(p);
    ASSERT_FALSE(m.empty()) << p << ": the first line must be '# expect: LINE:COL: error: MESSAGE'";
    const std::string rest = m.substr(p.string().size() + 1);
    const std::size_t c1 = rest.find(':');
    const std::size_t c2 = rest.find(':', c1 + 1);
    ASSERT_TRUE(c1 != std::string::npos && c2 != std::string::npos) << p;
    const std::string line = rest.substr(0, c1);
    const std::string col = rest.substr(c1 + 1, c2 - c1 - 1);
    auto digits = [](const std::string& s) { return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; }); };
    EXPECT_TRUE(digits(line) && digits(col)) << p << ": " << rest;
    EXPECT_EQ(rest.substr(c2, 9), ": error: ") << p << ": " << rest;
    const std::string stem = p.stem().string();
    const std::size_t underscore = stem.find('_');
    EXPECT_TRUE(underscore >= 2 && underscore != std::string::npos && underscore + 1 < stem.size() && digits(stem.substr(0, underscore)))
        << p << ": name it NN_short_description.yaml (two or more digits)";
  }
}

// Each entry has its own number, so a message can be looked up by it.
TEST(BadConfigCatalogue, NumbersAreUnique) {
  std::map<int, fs::path> seen;
  for (const auto& p : yaml_files(kBadDir)) {
    const std::string stem = p.stem().string();
    const int number = std::atoi(stem.c_str());
    const auto [it, fresh] = seen.emplace(number, p.filename());
    EXPECT_TRUE(fresh) << p.filename() << " has the number of " << it->second;
  }
}

class BadConfig : public ::testing::TestWithParam<fs::path> {};

TEST_P(BadConfig, LoadThrowsTheExpectedMessage) {
  const fs::path& p = GetParam();
  const std::string expected = expected_message(p);
  ASSERT_FALSE(expected.empty()) << p << " has no '# expect:' first line";
  try {
    const SocConfig c = load_config(p);
    ADD_FAILURE() << p << " was accepted as: " << to_json(c).dump();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), expected);
  }
}

// `strata gen` exits 2 with the same message on stderr and writes nothing: no
// new output directory, an existing one untouched, nothing left beside it.
TEST_P(BadConfig, GenExitsTwoAndWritesNothing) {
  const fs::path& p = GetParam();
  const std::string expected = expected_message(p);
  ASSERT_FALSE(expected.empty()) << p << " has no '# expect:' first line";
  const fs::path tmp = scratch(p.stem().string());
  auto gen = [&](const fs::path& out) { return test_support::run_strata(fmt::format("gen '{}' -o '{}'", p.string(), out.string())); };

  const fs::path fresh = tmp / "out";
  ASSERT_FALSE(fs::exists(fresh));
  const auto r = gen(fresh);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, expected + "\n");
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(fs::exists(fresh)) << "a bad config created " << fresh;
  EXPECT_TRUE(entries(tmp).empty()) << "something was left in " << tmp;

  const fs::path old = tmp / "old";
  fs::create_directories(old);
  const std::string precious = "written before 'strata gen' ran\n";
  std::ofstream(old / "keep.txt", std::ios::binary) << precious;
  const auto r2 = gen(old);
  EXPECT_EQ(r2.status, 2);
  EXPECT_EQ(r2.err, expected + "\n");
  EXPECT_EQ(entries(old), std::vector<fs::path>{"keep.txt"});
  EXPECT_EQ(slurp(old / "keep.txt"), precious);
  EXPECT_EQ(entries(tmp), std::vector<fs::path>{"old"}) << "something was left beside " << old;
  fs::remove_all(tmp);
}

std::string param_name(const ::testing::TestParamInfo<fs::path>& info) {
  std::string n = info.param.stem().string();
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Catalogue, BadConfig, ::testing::ValuesIn(yaml_files(kBadDir)), param_name);

// A file of zero bytes (the catalogue's files all hold at least their "# expect:" line).
TEST(Config, AZeroByteFileIsEmpty) {
  const fs::path tmp = scratch("zero");
  const fs::path empty = tmp / "empty.yaml";
  std::ofstream(empty, std::ios::binary).close();
  ASSERT_EQ(fs::file_size(empty), 0u);
  const std::string expected = fmt::format("{}:1:1: error: the config is empty; expected a mapping with keys name, au, nn, rv32, softmax, gelu, uart, synth", empty.string());
  try {
    load_config(empty);
    ADD_FAILURE() << "an empty file was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), expected);
  }
  EXPECT_THROW(parse_config("", "empty.yaml"), ConfigError);
  fs::remove_all(tmp);
}

TEST(Config, AMissingFileNamesThePath) {
  const fs::path missing = fs::temp_directory_path() / fmt::format("strata-test-config-{}-no-such-file.yaml", ::getpid());
  fs::remove(missing);
  try {
    load_config(missing);
    ADD_FAILURE() << "a missing file was accepted";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind(missing.string() + ":", 0), 0u) << what;
    EXPECT_NE(what.find("error:"), std::string::npos) << what;
  }
}

// ---------------------------------------------------------------------------
// Good configs

TEST(GoodConfig, ShippedConfigsLoad) {
  const auto files = yaml_files(kGoodDir);
  EXPECT_GE(files.size(), 1u) << kGoodDir;
  for (const auto& p : files) {
    try {
      const SocConfig c = load_config(p);
      EXPECT_FALSE(c.name.empty()) << p;
    } catch (const ConfigError& e) {
      ADD_FAILURE() << p << ": " << e.what();
    }
  }
}

TEST(GoodConfig, DefaultsFillWhatIsOmitted) {
  const AuConfig au;
  const SynthConfig synth;
  auto expect_default_au = [&](const AuConfig& a, const std::string& what) {
    EXPECT_EQ(a.formats, au.formats) << what;
    EXPECT_EQ(a.max_accumulations, au.max_accumulations) << what;
    EXPECT_EQ(a.pipeline_stages, au.pipeline_stages) << what;
  };

  const SocConfig bare = parse_config("name: bare\n", "bare.yaml");
  EXPECT_EQ(bare.name, "bare");
  expect_default_au(bare.au, "no au");
  EXPECT_EQ(bare.synth.clock_mhz, synth.clock_mhz);

  // An au mapping with one key: the other two keep their defaults.
  const SocConfig only_stages = parse_config("name: x\nau:\n  pipeline_stages: 2\nsynth:\n  clock_mhz: 48\n", "t.yaml");
  EXPECT_EQ(only_stages.au.formats, au.formats);
  EXPECT_EQ(only_stages.au.max_accumulations, au.max_accumulations);
  EXPECT_EQ(only_stages.au.pipeline_stages, 2);
  EXPECT_EQ(only_stages.synth.clock_mhz, 48.0);

  const SocConfig only_formats = parse_config("name: x\nau:\n  formats: [int8]\n", "t.yaml");
  EXPECT_EQ(only_formats.au.formats, std::vector<golden::Format>{golden::Format::int8});
  EXPECT_EQ(only_formats.au.max_accumulations, au.max_accumulations);
  EXPECT_EQ(only_formats.au.pipeline_stages, au.pipeline_stages);
  EXPECT_EQ(only_formats.synth.clock_mhz, synth.clock_mhz);

  // An empty synth mapping is all defaults too.
  EXPECT_EQ(parse_config("name: x\nsynth: {}\nau: {}\n", "t.yaml").synth.clock_mhz, synth.clock_mhz);
  expect_default_au(parse_config("name: x\nau: {}\n", "t.yaml").au, "au: {}");

  // The defaults are a valid config: they survive the round trip unchanged.
  SocConfig d;
  d.name = "defaults";
  EXPECT_EQ(to_json(parse_config("name: defaults\n", "t.yaml")), to_json(d));
}

TEST(GoodConfig, SoftmaxSection) {
  namespace sm = golden::softmax;
  // Absent: no softmax unit; `softmax:` alone: every default.
  EXPECT_FALSE(parse_config("name: x\n", "t").softmax);
  const SocConfig bare = parse_config("name: x\nsoftmax:\n", "t");
  ASSERT_TRUE(bare.softmax);
  EXPECT_EQ(*bare.softmax, SoftmaxConfig{});
  EXPECT_EQ(bare.softmax->algorithms.size(), 3u);
  EXPECT_EQ(bare.softmax->max_length, 256);
  // Lists keep the canonical order whatever the file's order.
  const SocConfig c = parse_config(
      "name: x\nsoftmax:\n  algorithms: [two_pass, three_pass]\n  max_length: 16384\n  in_types: [int16]\n  out_types: [int8, uint8]\n", "t");
  EXPECT_EQ(c.softmax->algorithms, (std::vector{sm::Algorithm::three_pass, sm::Algorithm::two_pass}));
  EXPECT_EQ(c.softmax->max_length, ConfigLimits::softmax_length_max);
  EXPECT_EQ(c.softmax->in_types, std::vector{sm::InType::int16});
  EXPECT_EQ(c.softmax->out_types, (std::vector{sm::OutType::uint8, sm::OutType::int8}));
  EXPECT_EQ(parse_config("name: x\nsoftmax:\n  max_length: 1\n", "t").softmax->max_length, 1);
  // The section sits between nn and synth in to_yaml.
  const std::string y = to_yaml(c);
  EXPECT_LT(y.find("softmax:"), y.find("synth:")) << y;
  EXPECT_EQ(to_json(parse_config(y, "t")), to_json(c));
}

TEST(GoodConfig, FormatsTakeTheCanonicalOrder) {
  std::vector<golden::Format> canonical;
  for (const auto& f : golden::kFormats) canonical.push_back(f.format);
  ASSERT_TRUE(std::is_sorted(canonical.begin(), canonical.end()));
  // Every non-empty subset of the formats, in every order, as a flow and as a block list.
  for (unsigned mask = 1; mask < (1u << canonical.size()); ++mask) {
    std::vector<std::size_t> order;
    std::vector<golden::Format> want;
    for (std::size_t i = 0; i < canonical.size(); ++i)
      if (mask & (1u << i)) {
        order.push_back(i);
        want.push_back(canonical[i]);
      }
    std::set<std::string> hashes;
    do {
      std::vector<std::string_view> names;
      for (auto i : order) names.push_back(golden::kFormats[i].name);
      const std::string flow = fmt::format("name: x\nau:\n  formats: [{}]\n", fmt::join(names, ", "));
      std::string block = "name: x\nau:\n  formats:\n";
      for (auto n : names) block += fmt::format("    - {}\n", n);
      for (const auto& text : {flow, block}) {
        const SocConfig c = parse_config(text, "t.yaml");
        EXPECT_EQ(c.au.formats, want) << text;
        hashes.insert(config_hash(c));
      }
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_EQ(hashes.size(), 1u) << "the order in the file changed the hash, mask " << mask;
  }
}

TEST(GoodConfig, LimitsAreInclusive) {
  EXPECT_EQ(parse_config(fmt::format("name: x\nau:\n  max_accumulations: {}\n", ConfigLimits::max_accumulations_max), "t").au.max_accumulations,
            ConfigLimits::max_accumulations_max);
  EXPECT_EQ(parse_config("name: x\nau:\n  max_accumulations: 1\n", "t").au.max_accumulations, 1u);
  EXPECT_EQ(parse_config("name: x\nau:\n  pipeline_stages: 0\n", "t").au.pipeline_stages, 0);
  EXPECT_EQ(parse_config(fmt::format("name: x\nau:\n  pipeline_stages: {}\n", ConfigLimits::pipeline_stages_max), "t").au.pipeline_stages,
            ConfigLimits::pipeline_stages_max);
  EXPECT_EQ(parse_config(fmt::format("name: x\nsynth:\n  clock_mhz: {}\n", ConfigLimits::clock_mhz_min), "t").synth.clock_mhz, ConfigLimits::clock_mhz_min);
  EXPECT_EQ(parse_config(fmt::format("name: x\nsynth:\n  clock_mhz: {}\n", ConfigLimits::clock_mhz_max), "t").synth.clock_mhz, ConfigLimits::clock_mhz_max);
  EXPECT_EQ(parse_config("name: x\nsynth:\n  clock_mhz: 12.5\n", "t").synth.clock_mhz, 12.5);
  const std::string longest = "a" + std::string(ConfigLimits::name_max - 1, '9');
  EXPECT_EQ(parse_config(fmt::format("name: {}\n", longest), "t").name, longest);
  EXPECT_EQ(parse_config("name: a_0\n", "t").name, "a_0");
}

TEST(GoodConfig, WindowsLineEndingsReadTheSame) {
  const std::string unix_text = "# c\nname: x\nau:\n  formats: [int8, int4]\n  max_accumulations: 77\nsynth:\n  clock_mhz: 30\n";
  std::string dos_text;
  for (char ch : unix_text) dos_text += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
  EXPECT_EQ(to_json(parse_config(dos_text, "dos.yaml")), to_json(parse_config(unix_text, "unix.yaml")));
}

TEST(GoodConfig, GeluSectionDefaultsAndCanonicalOrder) {
  const GeluConfig def;
  const SocConfig bare = parse_config("name: x\ngelu:\n", "t.yaml");
  ASSERT_TRUE(bare.gelu.has_value());
  EXPECT_EQ(*bare.gelu, def);
  EXPECT_EQ(def.types, (std::vector<GeluType>{GeluType::int8, GeluType::int16}));
  EXPECT_EQ(def.forms, std::vector<golden::gelu::Form>{golden::gelu::Form::erf});
  EXPECT_FALSE(bare.has_au()) << "a gelu unit alone has no AU";
  EXPECT_TRUE(parse_config("name: x\n", "t.yaml").has_au());
  EXPECT_TRUE(parse_config("name: x\nnn:\ngelu:\n", "t.yaml").has_au());
  EXPECT_FALSE(parse_config("name: x\n", "t.yaml").gelu.has_value());
  const SocConfig a = parse_config("name: x\ngelu:\n  types: [int16, int8]\n  forms: [tanh, erf]\n  segments: 16\n  degree: 3\n", "t.yaml");
  const SocConfig b = parse_config("name: x\ngelu:\n  forms: [erf, tanh]\n  types: [int8, int16]\n  degree: 3\n  segments: 16\n", "t.yaml");
  EXPECT_EQ(to_json(a), to_json(b));
  EXPECT_EQ(a.gelu->types, def.types);
  EXPECT_EQ(a.gelu->forms, (std::vector<golden::gelu::Form>{golden::gelu::Form::erf, golden::gelu::Form::tanh}));
  EXPECT_EQ(a.gelu->segments, 16);
  EXPECT_EQ(a.gelu->degree, 3);
  EXPECT_EQ(parse_config("name: x\ngelu:\n  segments: 256\n  degree: 1\n", "t.yaml").gelu->shape().segments, 256);
  // Without int16 the int16 shape is not part of the config (nor of its hash).
  const SocConfig i8 = parse_config("name: x\ngelu:\n  types: [int8]\n", "t.yaml");
  EXPECT_FALSE(to_json(i8)["gelu"].contains("segments"));
  EXPECT_EQ(to_yaml(i8).find("segments"), std::string::npos);
  // The top-level order of the canonical YAML: name, au, nn, gelu, synth.
  const std::string y = to_yaml(parse_config("name: x\nsynth:\n  clock_mhz: 20\ngelu:\nnn:\n", "t.yaml"));
  EXPECT_LT(y.find("\nnn:"), y.find("\ngelu:"));
  EXPECT_LT(y.find("\ngelu:"), y.find("\nsynth:"));
}

// Configs that exercise every field away from its default.
std::vector<SocConfig> sample_configs() {
  std::vector<SocConfig> v;
  for (const auto& p : yaml_files(kGoodDir)) v.push_back(load_config(p));
  SocConfig a;
  a.name = "sample_a";
  a.au.formats = {golden::Format::int16};
  a.au.max_accumulations = 1;
  a.au.pipeline_stages = 0;
  a.synth.clock_mhz = 12.345678901234567;
  v.push_back(a);
  SocConfig b;
  b.name = "b";
  b.au.formats = {golden::Format::int4, golden::Format::int8};
  b.au.max_accumulations = ConfigLimits::max_accumulations_max;
  b.au.pipeline_stages = ConfigLimits::pipeline_stages_max;
  b.au.share = false;
  b.au.isolate = false;
  b.au.multipliers = Multipliers::lut;
  b.synth.clock_mhz = ConfigLimits::clock_mhz_max;
  v.push_back(b);
  SocConfig c;
  c.name = std::string(ConfigLimits::name_max, 'z');
  c.au.max_accumulations = 1000003;
  c.synth.clock_mhz = 1.0 / 3.0 + 1.0;
  v.push_back(c);
  SocConfig s;
  s.name = "sm";
  s.softmax = SoftmaxConfig{};
  s.softmax->algorithms = {golden::softmax::Algorithm::online};
  s.softmax->max_length = 1;
  s.softmax->in_types = {golden::softmax::InType::int16};
  s.softmax->out_types = {golden::softmax::OutType::uint16, golden::softmax::OutType::int8};
  v.push_back(s);
  SocConfig g;
  g.name = "gelu_sample";
  g.gelu = GeluConfig{};
  g.gelu->forms = {golden::gelu::Form::erf, golden::gelu::Form::tanh};
  g.gelu->segments = ConfigLimits::gelu_segments_max;
  g.gelu->degree = ConfigLimits::gelu_degree_max;
  v.push_back(g);
  SocConfig g8 = g;
  g8.name = "gelu_int8";
  g8.gelu->types = {GeluType::int8};
  g8.gelu->forms = {golden::gelu::Form::tanh};
  v.push_back(g8);
  return v;
}

TEST(GoodConfig, YamlRoundTripKeepsJsonAndHash) {
  for (const SocConfig& c : sample_configs()) {
    const std::string yaml = to_yaml(c);
    SocConfig back;
    try {
      back = parse_config(yaml, "round-trip.yaml");
    } catch (const ConfigError& e) {
      ADD_FAILURE() << "to_yaml wrote a config parse_config rejects:\n" << yaml << e.what();
      continue;
    }
    EXPECT_EQ(to_json(back), to_json(c)) << yaml;
    EXPECT_EQ(config_hash(back), config_hash(c)) << yaml;
    EXPECT_EQ(to_yaml(back), yaml);
  }
}

TEST(GoodConfig, HashIsSixteenLowerCaseHexDigits) {
  for (const SocConfig& c : sample_configs()) {
    const std::string h = config_hash(c);
    EXPECT_EQ(h.size(), 16u) << h;
    EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos) << h;
    EXPECT_EQ(config_hash(c), h) << "the hash is a function of the config";
  }
}

TEST(GoodConfig, EveryFieldChangesTheHash) {
  for (const SocConfig& base : sample_configs()) {
    const std::string h = config_hash(base);
    std::vector<std::pair<std::string, SocConfig>> changed;
    auto change = [&](const std::string& what, auto edit) {
      SocConfig c = base;
      edit(c);
      changed.emplace_back(what, c);
    };
    change("name", [](SocConfig& c) { c.name = c.name == "other" ? "another" : "other"; });
    change("name by one character", [](SocConfig& c) { c.name.back() = c.name.back() == 'q' ? 'r' : 'q'; });
    for (const auto& f : golden::kFormats) {
      change(fmt::format("formats toggle {}", f.name), [&](SocConfig& c) {
        auto& fs_ = c.au.formats;
        const auto it = std::find(fs_.begin(), fs_.end(), f.format);
        if (it != fs_.end() && fs_.size() > 1)
          fs_.erase(it);
        else if (it == fs_.end()) {
          fs_.push_back(f.format);
          std::sort(fs_.begin(), fs_.end());
        } else {
          fs_ = {f.format == golden::Format::int4 ? golden::Format::int8 : golden::Format::int4};
        }
      });
    }
    change("max_accumulations", [](SocConfig& c) { c.au.max_accumulations = c.au.max_accumulations == 1 ? 2 : c.au.max_accumulations - 1; });
    change("pipeline_stages", [](SocConfig& c) { c.au.pipeline_stages = (c.au.pipeline_stages + 1) % (ConfigLimits::pipeline_stages_max + 1); });
    change("share", [](SocConfig& c) { c.au.share = !c.au.share; });
    change("isolate", [](SocConfig& c) { c.au.isolate = !c.au.isolate; });
    change("multipliers", [](SocConfig& c) { c.au.multipliers = c.au.multipliers == Multipliers::dsp ? Multipliers::lut : Multipliers::dsp; });
    change("gelu presence", [](SocConfig& c) {
      if (c.gelu)
        c.gelu.reset();
      else
        c.gelu = GeluConfig{};
    });
    if (base.gelu) {
      change("gelu.types", [](SocConfig& c) {
        c.gelu->types = c.gelu->types.size() == 2 ? std::vector<GeluType>{GeluType::int16} : std::vector<GeluType>{GeluType::int8, GeluType::int16};
      });
      change("gelu.forms", [](SocConfig& c) {
        c.gelu->forms = c.gelu->forms.size() == 2 ? std::vector<golden::gelu::Form>{golden::gelu::Form::erf}
                                                  : std::vector<golden::gelu::Form>{golden::gelu::Form::erf, golden::gelu::Form::tanh};
      });
      if (base.gelu->has(GeluType::int16)) {
        change("gelu.segments", [](SocConfig& c) { c.gelu->segments = c.gelu->segments == 16 ? 32 : 16; });
        change("gelu.degree", [](SocConfig& c) { c.gelu->degree = c.gelu->degree == 1 ? 2 : 1; });
      }
    }
    change("clock_mhz", [](SocConfig& c) { c.synth.clock_mhz = c.synth.clock_mhz == 100.0 ? 101.0 : 100.0; });
    change("softmax added or removed", [](SocConfig& c) {
      if (c.softmax)
        c.softmax.reset();
      else
        c.softmax = SoftmaxConfig{};
    });
    if (base.softmax) {
      change("softmax.algorithms", [](SocConfig& c) {
        c.softmax->algorithms = c.softmax->algorithms.size() == 1 ? SoftmaxConfig{}.algorithms : std::vector{golden::softmax::Algorithm::two_pass};
      });
      change("softmax.max_length", [](SocConfig& c) { c.softmax->max_length = c.softmax->max_length == 1 ? 2 : c.softmax->max_length - 1; });
      change("softmax.in_types", [](SocConfig& c) {
        c.softmax->in_types = c.softmax->in_types.size() == 1 ? SoftmaxConfig{}.in_types : std::vector{golden::softmax::InType::int8};
      });
      change("softmax.out_types", [](SocConfig& c) {
        c.softmax->out_types = c.softmax->out_types.size() == 1 ? SoftmaxConfig{}.out_types : std::vector{golden::softmax::OutType::uint8};
      });
    }
    change("clock_mhz by a little", [](SocConfig& c) { c.synth.clock_mhz += 0.001; });
    for (const auto& [what, c] : changed) {
      EXPECT_NE(to_json(c), to_json(base)) << what << " did not change the config (test bug)";
      EXPECT_NE(config_hash(c), h) << base.name << ": changing " << what << " kept the hash; " << to_json(c).dump();
    }
  }
}

}  // namespace
}  // namespace strata
