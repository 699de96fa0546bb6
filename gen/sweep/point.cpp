#include "sweep/point.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>

#include "config/config.h"
#include "runtime/example_models.h"
#include "sweep/process.h"

namespace strata::sweep {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string fnv64(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 0x100000001b3ull;
  }
  return fmt::format("{:016x}", h);
}

// A YAML value as JSON: scalars that read as integers, numbers or booleans
// become those, lists and mappings recursively.
json to_json_value(const YAML::Node& n) {
  if (n.IsSequence()) {
    json a = json::array();
    for (const auto& x : n) a.push_back(to_json_value(x));
    return a;
  }
  if (n.IsMap()) {
    json o = json::object();
    for (const auto& kv : n) o[kv.first.Scalar()] = to_json_value(kv.second);
    return o;
  }
  if (n.IsNull()) return nullptr;
  const std::string& s = n.Scalar();
  if (n.Tag() != "!") {
    if (s == "true") return true;
    if (s == "false") return false;
    try {
      std::size_t used = 0;
      const long long v = std::stoll(s, &used);
      if (used == s.size()) return v;
      const double d = std::stod(s, &used);
      if (used == s.size()) return d;
    } catch (const std::exception&) {
    }
  }
  return s;
}

std::vector<std::string> split(const std::string& key) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : key) {
    if (c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}

}  // namespace

std::string apply_overrides(const YAML::Node& base, const std::vector<std::pair<std::string, YAML::Node>>& values) {
  YAML::Node root = YAML::Clone(base);
  for (const auto& [key, value] : values) {
    const auto parts = split(key);
    // Walk down, keeping a handle on each level (yaml-cpp nodes are references).
    std::vector<YAML::Node> chain{root};
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      YAML::Node next = chain.back()[parts[i]];
      if (!next.IsMap()) next = YAML::Node(YAML::NodeType::Map);
      chain.push_back(next);
    }
    chain.back()[parts.back()] = YAML::Clone(value);
    for (std::size_t i = chain.size() - 1; i > 0; --i) chain[i - 1][parts[i - 1]] = chain[i];
  }
  YAML::Emitter e;
  e << root;
  return std::string(e.c_str()) + "\n";
}

std::vector<Point> plan(const SweepSpec& s) {
  const YAML::Node base = YAML::LoadFile(s.base.string());
  // Each point as a list of value indices, one per axis.
  std::vector<std::vector<std::size_t>> picks;
  if (s.random) {
    std::mt19937_64 rng(s.seed);
    for (int i = 0; i < s.samples; ++i) {
      std::vector<std::size_t> p;
      for (const auto& a : s.axes) p.push_back(static_cast<std::size_t>(rng() % a.values.size()));
      picks.push_back(p);
    }
  } else {
    std::vector<std::size_t> p(s.axes.size(), 0);
    for (;;) {
      picks.push_back(p);
      std::size_t k = s.axes.size();
      while (k > 0 && ++p[k - 1] == s.axes[k - 1].values.size()) p[--k] = 0;  // the last axis changes fastest
      if (k == 0) break;
    }
  }
  std::vector<Point> points;
  for (std::size_t i = 0; i < picks.size(); ++i) {
    std::vector<std::pair<std::string, YAML::Node>> values;
    json shown = json::object();
    for (std::size_t a = 0; a < s.axes.size(); ++a) {
      values.emplace_back(s.axes[a].key, s.axes[a].values[picks[i][a]]);
      shown[s.axes[a].key] = to_json_value(s.axes[a].values[picks[i][a]]);
    }
    Point p;
    p.indices = {static_cast<int>(i)};
    p.values = shown;
    const std::string text = apply_overrides(base, values);
    try {
      const SocConfig c = parse_config(text, "config.yaml");
      p.key = config_hash(c);
      p.config_text = to_yaml(c);
    } catch (const ConfigError&) {
      p.valid = false;
      p.key = "invalid-" + fnv64(text);
      p.config_text = text;
    }
    p.dir = s.output / "points" / p.key;
    bool merged = false;
    for (auto& q : points)
      if (q.key == p.key) {
        q.indices.push_back(static_cast<int>(i));
        merged = true;
      }
    if (!merged) points.push_back(std::move(p));
  }
  return points;
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read", file.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_atomically(const fs::path& file, const std::string& text) {
  if (!file.parent_path().empty()) fs::create_directories(file.parent_path());
  const fs::path tmp = file.parent_path() / fmt::format(".{}.tmp{}", file.filename().string(), ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error(fmt::format("{}: cannot write", tmp.string()));
  }
  fs::rename(tmp, file);
}

void write_point(const SweepSpec& s, const Point& p) {
  fs::create_directories(p.dir);
  write_atomically(p.dir / "config.yaml", p.config_text);
  json j;
  j["key"] = p.key;
  j["sweep"] = s.name;
  j["indices"] = p.indices;
  j["values"] = p.values;
  std::vector<std::string> stages;
  for (auto st : s.stages) stages.push_back(to_string(st));
  j["stages"] = stages;
  j["synth"] = {{"targets", s.synth_targets}, {"seeds", s.synth_seeds}, {"place", s.synth_place}};
  j["cosim"] = {{"vectors", s.cosim_vectors}};
  j["run"] = {{"model", s.run_model}};
  write_atomically(p.dir / "point.json", j.dump(2) + "\n");
}

json read_result(const fs::path& dir) {
  try {
    if (!fs::exists(dir / "result.json")) return nullptr;
    return json::parse(read_text(dir / "result.json"));
  } catch (const std::exception&) {
    return nullptr;
  }
}

bool complete(const fs::path& dir) {
  const json r = read_result(dir);
  return r.is_object() && r.value("status", "") == "ok";
}

void write_result(const fs::path& dir, const json& j) { write_atomically(dir / "result.json", j.dump(2) + "\n"); }

namespace {

// The most telling line of a failed stage's log: the last one with "error".
std::string reason_from_log(const fs::path& log, std::size_t since) {
  std::string text;
  try {
    text = read_text(log);
  } catch (const std::exception&) {
  }
  text = since < text.size() ? text.substr(since) : "";
  std::istringstream in(text);
  std::string best, tool, last;
  for (std::string l; std::getline(in, l);) {
    if (l.empty() || l[0] == '$') continue;
    last = l;
    if (l.find("error") != std::string::npos && best.empty()) best = l;
    // The tool's own message (nextpnr's, yosys's "ERROR: ...", verilator's "%Error").
    const auto at = l.find("ERROR:") != std::string::npos ? l.find("ERROR:") : l.find("%Error");
    if (at != std::string::npos && tool.empty()) tool = l.substr(at);
  }
  std::string r = best.empty() ? last : best;
  if (const auto cut = r.find("; last lines of "); cut != std::string::npos && !tool.empty()) r = r.substr(0, cut) + ": " + tool;
  if (r.size() > 300) r = r.substr(0, 300) + "...";
  return r;
}

}  // namespace

bool run_point(const fs::path& dir_in, const fs::path& strata) {
  const fs::path dir = fs::absolute(dir_in);
  const json point = json::parse(read_text(dir / "point.json"));
  const fs::path log = dir / "log.txt";
  const fs::path config = dir / "config.yaml";
  fs::remove(log);
  json r;
  r["key"] = point.at("key");
  r["values"] = point.at("values");
  r["indices"] = point.at("indices");
  r["host"] = [] {
    char h[256] = {};
    return ::gethostname(h, sizeof h - 1) == 0 ? std::string(h) : std::string("?");
  }();
  r["stages"] = json::object();
  const auto t_start = std::chrono::steady_clock::now();
  auto finish = [&](const std::string& status, const std::string& stage, const std::string& reason) {
    r["status"] = status;
    if (!stage.empty()) r["failed_stage"] = stage;
    if (!reason.empty()) r["reason"] = reason;
    r["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    write_result(dir, r);
    return status == "ok";
  };

  // A config that breaks a rule fails here, before any tool runs.
  SocConfig c;
  try {
    c = parse_config(read_text(config), "config.yaml");  // messages name the file in the point's directory
  } catch (const ConfigError& e) {
    std::ofstream(log, std::ios::app) << e.what() << "\n";
    return finish("failed", "config", e.what());
  }
  r["config"] = c.name;
  r["config_hash"] = config_hash(c);

  // One stage: a strata subcommand; false (and the result written) on
  // failure, unless `keep_going` (the caller then finishes the point).
  auto stage = [&](const std::string& name, const std::vector<std::string>& args, bool keep_going = false) {
    std::size_t since = 0;
    if (fs::exists(log)) since = static_cast<std::size_t>(fs::file_size(log));
    std::ofstream(log, std::ios::app) << "== " << name << "\n";
    std::vector<std::string> argv{strata.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto t0 = std::chrono::steady_clock::now();
    const int rc = run_logged(argv, log, dir);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r["stages"][name] = {{"ok", rc == 0}, {"seconds", secs}, {"exit", rc}};
    if (rc == 0) return true;
    const std::string why = fmt::format("{} failed (exit {}): {}", name, rc, reason_from_log(log, since));
    if (keep_going) {
      r["stages"][name]["reason"] = why;
      return false;
    }
    finish("failed", name, why);
    return false;
  };

  for (const auto& st : point.at("stages")) {
    const std::string name = st.get<std::string>();
    if (name == "generate") {
      if (!stage("generate", {"gen", config.string(), "-o", (dir / "design").string()})) return false;
    } else if (name == "lint") {
      if (!stage("lint", {"lint", (dir / "design").string()})) return false;
    } else if (name == "cosim") {
      if (!stage("cosim", {"sim", config.string(), "--vectors", std::to_string(point.at("cosim").at("vectors").get<std::uint64_t>()), "--build-dir",
                           (dir / "sim").string()}))
        return false;
    } else if (name == "synth") {
      // Every target is tried: one that fails (a design too big to place)
      // fails the point but keeps the others' numbers.
      std::string failed_target;
      for (const auto& t : point.at("synth").at("targets")) {
        const std::string target = t.get<std::string>();
        const fs::path out = dir / ("synth-" + target);
        const int seeds = point.at("synth").at("seeds").get<int>();
        const bool place = point.at("synth").value("place", true);
        // Keyed by the config hash: a report of this very config is reused.
        json report;
        try {
          report = json::parse(read_text(out / "report.json"));
        } catch (const std::exception&) {
          report = nullptr;
        }
        // A placed report serves an unplaced point too; an unplaced one only those.
        const bool placeable = target.rfind("ice40", 0) == 0;
        const bool reuse = report.is_object() && report.value("config_hash", "") == config_hash(c) &&
                           (report.contains("placed") ? !place || report["placed"].value("seeds", 0) == seeds : !(place && placeable));
        if (reuse) {
          r["stages"]["synth-" + target] = {{"ok", true}, {"seconds", 0.0}, {"reused", true}};
        } else {
          fs::remove(out / "report.json");
          std::vector<std::string> args{"synth", config.string(), "--target", target, "-o", out.string(), "--seeds", std::to_string(seeds)};
          if (!place) args.push_back("--no-place");
          if (!stage("synth-" + target, args, true)) {
            if (failed_target.empty()) failed_target = "synth-" + target;
            continue;
          }
          report = json::parse(read_text(out / "report.json"));
        }
        json res = report.at("resources");
        if (report.contains("placed")) {
          res["fmax_mhz"] = report["placed"]["fmax_mhz"];
          res["logic_cells"] = report["placed"]["logic_cells"];
        }
        r["synth"][target] = res;
      }
      if (!failed_target.empty()) {
        finish("failed", failed_target, r["stages"][failed_target]["reason"].get<std::string>());
        return false;
      }
    } else if (name == "run") {
      const std::string model = point.at("run").at("model").get<std::string>();
      fs::path model_file = model;
      const auto names = runtime::example_model_names();
      if (std::find(names.begin(), names.end(), model) != names.end()) {
        model_file = dir / "model.json";
        if (!stage("run-model", {"example-model", model, "-o", model_file.string()})) return false;
      }
      if (!stage("run", {"run", config.string(), model_file.string(), "--json", (dir / "run.json").string(), "--build-dir", (dir / "run").string()}))
        return false;
      const json run = json::parse(read_text(dir / "run.json"));
      r["run"] = {{"model", model}, {"cycles_per_inference", run.at("network_cycles")}, {"bit_exact", run.at("match")}};
    }
  }
  return finish("ok", "", "");
}

}  // namespace strata::sweep
