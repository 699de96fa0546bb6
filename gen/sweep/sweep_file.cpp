#include "sweep/sweep_file.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "config/config.h"
#include "runtime/example_models.h"
#include "sweep/point.h"
#include "yaml/yaml_reader.h"

namespace strata::sweep {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kTopKeys{"name", "base", "axes", "sampling", "samples", "seed", "stages", "synth", "cosim", "run", "slurm"};
const std::vector<std::string> kStageNames{"generate", "lint", "cosim", "synth", "run"};
const std::vector<std::string> kConfigSections{"name", "au", "nn", "rv32", "softmax", "gelu", "uart", "synth"};

[[noreturn]] void raise_config_error(const std::string& message) { throw ConfigError(message); }

// The shared YAML reader, throwing ConfigError and calling the root "the sweep", with the
// sweep file's own scalars: it names a quoted integer or a listed non-word plainly.
class Reader : public yaml::Reader {
 public:
  explicit Reader(std::string file) : yaml::Reader(std::move(file), "the sweep", raise_config_error) {}

  long long integer(const YAML::Node& n, const std::string& key, long long lo, long long hi) const {
    const std::string allowed = fmt::format("an integer from {} to {}", lo, hi);
    if (!n.IsScalar() || n.Tag() == "!") fail(n, key, fmt::format("{} is not an integer", shown(n)), allowed);
    const std::string& s = n.Scalar();
    long long v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) fail(n, key, fmt::format("'{}' is not an integer", s), allowed);
    if (v < lo || v > hi) fail(n, key, fmt::format("{} is out of range", v), allowed);
    return v;
  }

  std::string text(const YAML::Node& n, const std::string& key, const std::string& allowed) const {
    if (!n.IsScalar() || n.Scalar().empty()) fail(n, key, fmt::format("{} is not a string", shown(n)), allowed);
    return n.Scalar();
  }

  std::string word(const YAML::Node& n, const std::string& key, const std::vector<std::string>& words) const {
    const std::string allowed = fmt::format("one of {}", fmt::join(words, ", "));
    if (n.IsScalar() && n.Tag() != "!" && std::find(words.begin(), words.end(), n.Scalar()) != words.end()) return n.Scalar();
    fail(n, key, fmt::format("{} is not allowed", shown(n)), allowed);
  }

  // A non-empty list of distinct words, returned in the order of `words`.
  std::vector<std::string> word_set(const YAML::Node& n, const std::string& key, const std::vector<std::string>& words) const {
    const std::string allowed = fmt::format("a non-empty list of distinct words from: {}", fmt::join(words, ", "));
    if (!n.IsSequence()) fail(n, key, fmt::format("{} is not a list", shown(n)), allowed);
    if (n.size() == 0) fail(n, key, "the list is empty", allowed);
    std::set<std::string> picked;
    for (const auto& item : n) {
      if (!item.IsScalar() || std::find(words.begin(), words.end(), item.Scalar()) == words.end())
        fail(item, key, fmt::format("{} is not allowed", shown(item)), allowed);
      if (!picked.insert(item.Scalar()).second) fail(item, key, fmt::format("'{}' is listed twice", item.Scalar()), allowed);
    }
    std::vector<std::string> out;
    for (const auto& w : words)
      if (picked.count(w)) out.push_back(w);
    return out;
  }
};

// The text of a YAML node in flow style, for messages.
std::string flow(const YAML::Node& n) {
  YAML::Emitter e;
  e.SetMapFormat(YAML::Flow);
  e.SetSeqFormat(YAML::Flow);
  e << n;
  return e.c_str();
}

void parse_axes(const Reader& r, const YAML::Node& n, const YAML::Node& base, SweepSpec& s) {
  const std::string allowed = "a mapping of config keys (dotted paths such as nn.pes or au.formats) to non-empty lists of values";
  if (!n.IsMap() || n.size() == 0) r.fail(n, "axes", fmt::format("{} is not a non-empty mapping", Reader::shown(n)), allowed);
  std::set<std::string> seen;
  for (const auto& kv : n) {
    if (!kv.first.IsScalar()) r.fail(kv.first, "axes", "a key is not a string", allowed);
    const std::string key = kv.first.Scalar();
    const std::string full = "axes." + key;
    if (!seen.insert(key).second) r.fail(kv.first, full, "duplicate axis", "each config key once");
    const std::string section = key.substr(0, key.find('.'));
    if (std::find(kConfigSections.begin(), kConfigSections.end(), section) == kConfigSections.end() || key.back() == '.' ||
        key.find("..") != std::string::npos)
      r.fail(kv.first, full, fmt::format("'{}' is not a config key", key),
             fmt::format("a dotted path into the config: {} then a key of that section (docs/config.md)", fmt::join(kConfigSections, ", ")));
    const YAML::Node& values = kv.second;
    if (!values.IsSequence() || values.size() == 0)
      r.fail(values.IsNull() ? kv.first : values, full, fmt::format("{} is not a non-empty list", Reader::shown(values)),
             "a non-empty list of the values the key takes (a list value is written as a list inside the list, e.g. [[int8], [int4, int8]])");
    Axis a{key, {}};
    std::set<std::string> distinct;
    for (const auto& v : values) {
      if (!distinct.insert(flow(v)).second) r.fail(v, full, fmt::format("the value {} is listed twice", flow(v)), "each value once");
      a.values.push_back(YAML::Clone(v));
    }
    // The config's parser knows its keys: a key that is unknown to it is an
    // error in the sweep file, not a failing point.
    try {
      (void)parse_config(apply_overrides(base, {{key, a.values.front()}}), "config");
    } catch (const ConfigError& e) {
      const std::string msg = e.what();
      const auto at = msg.find(": unknown key;");
      if (at != std::string::npos) {
        const auto start = msg.find(": error: ") + 9;
        r.fail(kv.first, full, fmt::format("'{}' is not a config key (the config says: {})", key, msg.substr(start)),
               "a key of docs/config.md");
      }
      if (msg.find(": is not a mapping") != std::string::npos || msg.find(" is not a mapping;") != std::string::npos) {
        const auto start = msg.find(": error: ") + 9;
        r.fail(kv.first, full, fmt::format("'{}' is not a config key (the config says: {})", key, msg.substr(start)),
               "a key of docs/config.md");
      }
    } catch (const YAML::Exception& e) {
      r.fail(kv.first, full, fmt::format("cannot set '{}' in the base config: {}", key, e.msg), "a key of docs/config.md");
    }
    s.axes.push_back(std::move(a));
  }
}

}  // namespace

std::string to_string(Stage s) { return kStageNames[static_cast<std::size_t>(s)]; }

bool SweepSpec::has(Stage st) const { return std::find(stages.begin(), stages.end(), st) != stages.end(); }

const std::vector<std::string>& synth_target_names() {
  static const std::vector<std::string> t{"ice40-up5k", "ice40-hx8k", "xc7", "ecp5", "gowin"};
  return t;
}

SweepSpec parse_sweep(const std::string& text, const fs::path& file) {
  Reader r(file.string());
  YAML::Node root;
  try {
    const std::vector<YAML::Node> docs = YAML::LoadAll(text);
    if (docs.size() > 1) r.fail(docs[1].Mark(), fmt::format("{} YAML documents in one file; allowed: one sweep per file", docs.size()));
    if (!docs.empty()) root = docs[0];
  } catch (const YAML::Exception& e) {
    r.fail(e.mark, fmt::format("invalid YAML: {}", e.msg));
  }
  if (!root || root.IsNull()) r.fail(YAML::Mark(), fmt::format("the sweep file is empty; expected a mapping with keys {}", fmt::join(kTopKeys, ", ")));
  r.keys(root, "", kTopKeys);

  SweepSpec s;
  s.file = fs::absolute(file);
  s.name = file.stem().string();
  if (const auto n = root["name"]) {
    s.name = r.text(n, "name", "a name of letters, digits, _ and -");
    if (!std::all_of(s.name.begin(), s.name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }))
      r.fail(n, "name", fmt::format("'{}' is not a valid name", s.name), "a name of letters, digits, _ and -");
  }
  const auto base = root["base"];
  if (!base) r.fail(root.Mark(), "base: missing; allowed: the path of the base config, relative to the sweep file");
  const std::string base_text = r.text(base, "base", "the path of the base config, relative to the sweep file");
  const fs::path base_path = s.file.parent_path() / base_text;
  YAML::Node base_yaml;
  {
    std::ifstream in(base_path, std::ios::binary);
    if (!in || fs::is_directory(base_path))
      r.fail(base, "base", fmt::format("cannot read '{}' (relative to the sweep file)", base_text), "the path of a config file, relative to the sweep file");
    std::ostringstream ss;
    ss << in.rdbuf();
    (void)parse_config(ss.str(), base_path.lexically_normal().string());  // the base itself must be a valid config
    base_yaml = YAML::Load(ss.str());
  }
  s.base = base_path.lexically_normal();

  const auto axes = root["axes"];
  if (!axes) r.fail(root.Mark(), "axes: missing; allowed: a mapping of config keys to lists of values");
  parse_axes(r, axes, base_yaml, s);

  if (const auto n = root["sampling"]) s.random = r.word(n, "sampling", {"grid", "random"}) == "random";
  if (const auto n = root["samples"]) {
    if (!s.random) r.fail(n, "samples", "counts random points, but sampling is grid", "samples only with sampling: random");
    s.samples = static_cast<int>(r.integer(n, "samples", 1, 100000));
  }
  if (const auto n = root["seed"]) {
    if (!s.random) r.fail(n, "seed", "seeds random points, but sampling is grid", "seed only with sampling: random");
    s.seed = static_cast<std::uint64_t>(r.integer(n, "seed", 0, (1LL << 62)));
  }
  if (s.random && s.samples == 0) r.fail(root["sampling"], "sampling", "random needs samples", "sampling: random with samples: N");

  const auto stages = root["stages"];
  if (!stages) r.fail(root.Mark(), fmt::format("stages: missing; allowed: a non-empty list from: {}", fmt::join(kStageNames, ", ")));
  for (const auto& w : r.word_set(stages, "stages", kStageNames))
    s.stages.push_back(static_cast<Stage>(std::find(kStageNames.begin(), kStageNames.end(), w) - kStageNames.begin()));
  if (s.has(Stage::lint) && !s.has(Stage::generate))
    r.fail(stages, "stages", "lint checks the generated RTL, but generate is not listed", "lint together with generate");

  if (const auto n = root["synth"]) {
    if (!s.has(Stage::synth)) r.fail_key("synth", "configures the synth stage, which is not in stages", "this section only with synth in stages");
    r.keys(n, "synth", {"targets", "seeds", "place"});
    if (const auto t = n["targets"]) s.synth_targets = r.word_set(t, "synth.targets", synth_target_names());
    if (const auto v = n["seeds"]) s.synth_seeds = static_cast<int>(r.integer(v, "synth.seeds", 1, 25));
    if (const auto v = n["place"]) s.synth_place = r.word(v, "synth.place", {"true", "false"}) == "true";
  }
  if (const auto n = root["cosim"]) {
    if (!s.has(Stage::cosim)) r.fail_key("cosim", "configures the cosim stage, which is not in stages", "this section only with cosim in stages");
    r.keys(n, "cosim", {"vectors"});
    if (const auto v = n["vectors"]) s.cosim_vectors = static_cast<std::uint64_t>(r.integer(v, "cosim.vectors", 1, 1LL << 32));
  }
  if (const auto n = root["run"]) {
    if (!s.has(Stage::run)) r.fail_key("run", "configures the run stage, which is not in stages", "this section only with run in stages");
    r.keys(n, "run", {"model"});
    if (const auto v = n["model"]) {
      const auto names = runtime::example_model_names();
      const std::string allowed = fmt::format("an example model ({}) or a model file relative to the sweep file", fmt::join(names, ", "));
      const std::string m = r.text(v, "run.model", allowed);
      if (std::find(names.begin(), names.end(), m) != names.end()) {
        s.run_model = m;
      } else {
        const fs::path p = (s.file.parent_path() / m).lexically_normal();
        if (!fs::is_regular_file(p)) r.fail(v, "run.model", fmt::format("'{}' is neither an example model nor a file", m), allowed);
        s.run_model = p.string();
      }
    }
  }
  if (const auto n = root["slurm"]) {
    r.keys(n, "slurm", {"partition", "time", "mem", "poll_seconds"});
    if (const auto v = n["partition"]) s.slurm.partition = r.text(v, "slurm.partition", "a partition name");
    if (const auto v = n["time"]) s.slurm.time = r.text(v, "slurm.time", "a time limit as sbatch takes it, e.g. \"00:30:00\"");
    if (const auto v = n["mem"]) s.slurm.mem = r.text(v, "slurm.mem", "a memory limit as sbatch takes it, e.g. 2G");
    if (const auto v = n["poll_seconds"]) s.slurm.poll_seconds = static_cast<int>(r.integer(v, "slurm.poll_seconds", 1, 600));
  }
  return s;
}

SweepSpec load_sweep(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: error: cannot read the sweep file", file.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_sweep(ss.str(), file);
}

}  // namespace strata::sweep
