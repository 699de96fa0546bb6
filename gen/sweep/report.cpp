#include "sweep/report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace strata::sweep {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::vector<std::string> parts;
    for (const auto& x : v) parts.push_back(cell(x));
    return fmt::format("{}", fmt::join(parts, "+"));
  }
  if (v.is_number_float()) return fmt::format("{:.2f}", v.get<double>());
  return v.dump();
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

json metric(const Row& r, const std::string& target, const std::string& col) {
  if (!r.result.is_object() || !r.result.contains("synth") || !r.result["synth"].contains(target)) return nullptr;
  const json& s = r.result["synth"][target];
  return s.contains(col) ? s[col] : json(nullptr);
}

json cycles(const Row& r) {
  if (!r.result.is_object() || !r.result.contains("run")) return nullptr;
  return r.result["run"]["cycles_per_inference"];
}

// Inferences per second at the first placed target's Fmax.
json inferences(const Table& t, const Row& r) {
  const json c = cycles(r);
  if (c.is_null()) return nullptr;
  for (const auto& target : t.targets) {
    const json f = metric(r, target, "fmax_mhz");
    if (f.is_number() && c.get<double>() > 0) return f.get<double>() * 1e6 / c.get<double>();
  }
  return nullptr;
}

std::string status(const Row& r) { return r.result.is_object() ? r.result.value("status", "?") : "not run"; }

// The header and the cells of every row, shared by the CSV and Markdown tables.
std::vector<std::string> header(const Table& t) {
  std::vector<std::string> h{"point", "key", "status"};
  for (const auto& a : t.axes) h.push_back(a);
  for (const auto& target : t.targets)
    for (const auto& c : resource_columns()) h.push_back(target + "." + c);
  h.insert(h.end(), {"cycles_per_inference", "inferences_per_s", "pareto", "reason", "config"});
  return h;
}

std::vector<std::string> cells(const Table& t, const Row& r) {
  std::vector<std::string> v{fmt::format("{}", fmt::join(r.point.indices, "+")), r.point.key, status(r)};
  for (const auto& a : t.axes) v.push_back(cell(r.point.values.contains(a) ? r.point.values[a] : json(nullptr)));
  for (const auto& target : t.targets)
    for (const auto& c : resource_columns()) v.push_back(cell(metric(r, target, c)));
  const json inf = inferences(t, r);
  v.push_back(cell(cycles(r)));
  v.push_back(inf.is_null() ? "" : fmt::format("{:.1f}", inf.get<double>()));
  v.push_back(r.pareto ? "yes" : "");
  v.push_back(r.result.is_object() ? r.result.value("reason", "") : "");
  v.push_back((fs::path("points") / r.point.key / "config.yaml").string());
  return v;
}

}  // namespace

const std::vector<std::string>& resource_columns() {
  static const std::vector<std::string> c{"lut", "ff", "carry", "dsp", "bram", "spram", "lutram", "fmax_mhz"};
  return c;
}

Table make_table(const SweepSpec& s, const std::vector<Point>& points) {
  Table t;
  for (const auto& a : s.axes) t.axes.push_back(a.key);
  if (s.has(Stage::synth)) t.targets = s.synth_targets;
  for (const auto& p : points) t.rows.push_back({p, read_result(p.dir), -1, -1, false});
  if (!t.targets.empty()) t.cost_name = t.targets.front() + " LUTs (fewer is better)";
  const bool run = s.has(Stage::run);
  for (auto& r : t.rows) {
    if (status(r) != "ok" || t.targets.empty()) continue;
    const json lut = metric(r, t.targets.front(), "lut");
    if (lut.is_number()) r.cost = lut.get<double>();
    if (run) {
      const json inf = inferences(t, r);
      if (inf.is_number()) r.perf = inf.get<double>();
    } else {
      for (const auto& target : t.targets)
        if (const json f = metric(r, target, "fmax_mhz"); f.is_number() && r.perf < 0) r.perf = f.get<double>();
    }
  }
  if (!t.targets.empty()) {
    bool any_fmax = false;
    for (const auto& r : t.rows) any_fmax = any_fmax || r.perf >= 0;
    if (any_fmax) t.perf_name = run ? "inferences per second (more is better)" : "Fmax in MHz (more is better)";
  }
  mark_pareto(t);
  return t;
}

void mark_pareto(Table& t) {
  for (auto& r : t.rows) {
    r.pareto = false;
    if (r.cost < 0 || r.perf < 0) continue;
    bool beaten = false;
    for (const auto& o : t.rows)
      if (&o != &r && o.cost >= 0 && o.perf >= 0 && o.cost <= r.cost && o.perf >= r.perf && (o.cost < r.cost || o.perf > r.perf)) beaten = true;
    r.pareto = !beaten;
  }
}

std::string to_csv(const Table& t) {
  std::string s;
  auto line = [&](const std::vector<std::string>& v) {
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + csv_field(v[i]);
    s += "\n";
  };
  line(header(t));
  for (const auto& r : t.rows) line(cells(t, r));
  return s;
}

std::string to_markdown(const Table& t, const std::string& title) {
  std::string s = fmt::format("# {}\n\n", title);
  if (!t.perf_name.empty())
    s += fmt::format("Pareto front (marked *yes*): no other point has both fewer {} and more {}.\n\n", t.cost_name, t.perf_name);
  // Only the columns that have a value somewhere.
  const auto h = header(t);
  std::vector<std::vector<std::string>> body;
  for (const auto& r : t.rows) body.push_back(cells(t, r));
  std::vector<std::size_t> keep;
  for (std::size_t c = 0; c + 1 < h.size(); ++c) {  // the config path stays in the CSV
    bool any = c < 3;
    for (const auto& b : body) any = any || !b[c].empty();
    if (any) keep.push_back(c);
  }
  for (auto c : keep) s += "| " + h[c] + " ";
  s += "|\n";
  for (std::size_t i = 0; i < keep.size(); ++i) s += "|---";
  s += "|\n";
  for (const auto& b : body) {
    for (auto c : keep) {
      std::string v = b[c];
      for (auto& ch : v)
        if (ch == '|' || ch == '\n') ch = ' ';
      s += "| " + v + " ";
    }
    s += "|\n";
  }
  std::size_t ok = 0;
  for (const auto& r : t.rows) ok += status(r) == "ok";
  s += fmt::format("\n{} point(s), {} ok, {} not.\n", t.rows.size(), ok, t.rows.size() - ok);
  return s;
}

json to_json(const Table& t) {
  json j;
  j["axes"] = t.axes;
  j["targets"] = t.targets;
  j["objectives"] = {{"cost", t.cost_name}, {"performance", t.perf_name}};
  j["points"] = json::array();
  for (const auto& r : t.rows) {
    json p;
    p["indices"] = r.point.indices;
    p["key"] = r.point.key;
    p["values"] = r.point.values;
    p["status"] = status(r);
    p["config"] = (fs::path("points") / r.point.key / "config.yaml").string();
    p["result"] = r.result;
    p["cost"] = r.cost >= 0 ? json(r.cost) : json(nullptr);
    p["performance"] = r.perf >= 0 ? json(r.perf) : json(nullptr);
    p["inferences_per_s"] = inferences(t, r);
    p["pareto"] = r.pareto;
    j["points"].push_back(p);
  }
  return j;
}

void write_reports(const Table& t, const fs::path& dir, const std::string& title) {
  write_atomically(dir / "report.csv", to_csv(t));
  write_atomically(dir / "report.json", to_json(t).dump(2) + "\n");
  write_atomically(dir / "report.md", to_markdown(t, title));
}

}  // namespace strata::sweep
