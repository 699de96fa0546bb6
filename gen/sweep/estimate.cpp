#include "sweep/estimate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sweep/point.h"

namespace strata::sweep {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Block RAM geometry of a target for 16- and 32-bit wide memories: words per block.
struct RamGeometry {
  int words16, words32;
};
RamGeometry ram_geometry(const std::string& target) {
  if (target.rfind("ice40", 0) == 0) return {256, 128};  // SB_RAM40_4K: 256 x 16
  if (target == "xc7") return {1024, 512};               // RAMB18E1: 1024 x 18, 512 x 36
  if (target == "ecp5") return {1024, 512};              // DP16KD: 1024 x 18
  return {1024, 512};                                    // gowin SDP: 16 kbit
}

bool has_dsp(const std::string& target) { return target != "ice40-hx8k"; }

int ceil_div(int a, int b) { return (a + b - 1) / b; }

double log2_ceil(double v) { return v <= 1 ? 0 : std::ceil(std::log2(v)); }

}  // namespace

const std::vector<std::string>& estimated_resources() {
  static const std::vector<std::string> r{"lut", "ff", "carry", "dsp", "bram", "spram"};
  return r;
}

std::vector<std::pair<std::string, double>> features(const SocConfig& c, const std::string& target) {
  std::vector<std::pair<std::string, double>> f;
  const double aus = c.has_au() ? (c.nn ? c.nn->channels() : 1) : 0;
  const bool dsp = c.au.multipliers == Multipliers::dsp && has_dsp(target);
  f.emplace_back("base", 1);
  // The AU: one cost per format it takes, per AU.
  for (const auto& info : golden::kFormats) {
    const bool on = std::find(c.au.formats.begin(), c.au.formats.end(), info.format) != c.au.formats.end();
    f.emplace_back(fmt::format("au.{}", info.name), on ? aus : 0);
  }
  const double formats = static_cast<double>(c.au.formats.size());
  f.emplace_back("au.acc_bits", aus * log2_ceil(static_cast<double>(c.au.max_accumulations)));
  f.emplace_back("au.pipeline_stages", aus * c.au.pipeline_stages);
  f.emplace_back("au.shared_formats", aus * (c.au.share ? formats - 1 : 0));
  // Multipliers: DSP blocks, more of them for a 16-bit format and for the
  // shared fabric; or LUTs. A format of b-bit lanes fills the 16-bit operand
  // word with 16/b lanes of b x b products: b x 16 partial-product bits, so
  // LUT area grows with b, per format (or the widest one when shared).
  int widest = 0;
  double lane_area = 0;
  for (auto fm : c.au.formats) {
    widest = std::max(widest, golden::info(fm).lane_bits);
    lane_area += golden::info(fm).lane_bits / 8.0;
  }
  if (c.au.share) lane_area = widest / 8.0;
  const double wide = widest >= 16 ? 1 : 0;
  f.emplace_back("au.dsp_multipliers", dsp ? aus : 0);
  f.emplace_back("au.dsp_wide", dsp ? aus * wide : 0);
  f.emplace_back("au.dsp_shared", dsp && c.au.share ? aus : 0);
  f.emplace_back("au.lut_multipliers", dsp ? 0 : aus);
  f.emplace_back("au.lut_multiplier_area", dsp ? 0 : aus * lane_area);
  // The engine: its sequencer once, counters per PE, address widths, the add layer.
  double engine = 0, pes = 0, addr_bits = 0, residual = 0, bram = 0, spram = 0;
  if (c.nn) {
    const auto g = ram_geometry(target);
    engine = 1;
    pes = c.nn->pes;
    addr_bits = log2_ceil(c.nn->act_words) + log2_ceil(c.nn->weight_words) + log2_ceil(c.nn->ctrl_words);
    residual = c.nn->residual_add ? 1 : 0;
    bram = ceil_div(c.nn->act_words, g.words16) + ceil_div(c.nn->ctrl_words, g.words32);
    if (c.nn->weight_memory == WeightMemory::bram)
      bram += aus * ceil_div(c.nn->weight_words, g.words16);
    else
      spram = aus;
  }
  f.emplace_back("nn.engine", engine);
  f.emplace_back("nn.pes", pes);
  f.emplace_back("nn.addr_bits", addr_bits);
  f.emplace_back("nn.residual_add", residual);
  f.emplace_back("mem.bram_blocks", bram);
  f.emplace_back("mem.spram_blocks", spram);
  // The other units: one cost each (not modelled further).
  f.emplace_back("rv32", c.rv32 ? 1 : 0);
  f.emplace_back("softmax", c.softmax ? 1 : 0);
  f.emplace_back("gelu", c.gelu ? 1 : 0);
  return f;
}

std::map<std::string, long> estimate(const SocConfig& c, const std::string& target, const json& coefficients) {
  if (!coefficients.contains("targets") || !coefficients["targets"].contains(target))
    throw std::runtime_error(fmt::format("the estimate model has no coefficients for target {} (fit them with strata estimate --fit)", target));
  const json& m = coefficients["targets"][target];
  const auto x = features(c, target);
  std::map<std::string, long> out;
  for (const auto& res : estimated_resources()) {
    if (!m.contains(res)) continue;
    double y = 0;
    for (const auto& [name, v] : x)
      if (m[res].contains(name)) y += m[res][name].get<double>() * v;
    out[res] = std::max(0L, std::lround(y));
  }
  return out;
}

namespace {

// Solves (M + ridge) s = v for the symmetric matrix M by Gaussian
// elimination with partial pivoting.
std::vector<double> solve(std::vector<std::vector<double>> m, std::vector<double> v) {
  const std::size_t n = v.size();
  for (std::size_t i = 0; i < n; ++i) m[i][i] += 1e-9 * std::max(m[i][i], 1.0);  // keeps collinear features solvable
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t piv = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::abs(m[r][c]) > std::abs(m[piv][c])) piv = r;
    std::swap(m[c], m[piv]);
    std::swap(v[c], v[piv]);
    if (m[c][c] == 0) continue;
    for (std::size_t r = c + 1; r < n; ++r) {
      const double f = m[r][c] / m[c][c];
      for (std::size_t k = c; k < n; ++k) m[r][k] -= f * m[c][k];
      v[r] -= f * v[c];
    }
  }
  std::vector<double> x(n, 0.0);
  for (std::size_t c = n; c-- > 0;) {
    double t = v[c];
    for (std::size_t k = c + 1; k < n; ++k) t -= m[c][k] * x[k];
    x[c] = m[c][c] == 0 ? 0 : t / m[c][c];
  }
  return x;
}

// min sum_i w_i (a_i . x - y_i)^2 subject to x >= 0: Lawson and Hanson's
// active-set method (each step a least-squares solve on the free features).
std::vector<double> nnls(const std::vector<std::vector<double>>& a, const std::vector<double>& y, const std::vector<double>& w) {
  const std::size_t n = a.empty() ? 0 : a[0].size(), m = a.size();
  // Normal equations of the weighted problem.
  std::vector<std::vector<double>> ata(n, std::vector<double>(n, 0.0));
  std::vector<double> aty(n, 0.0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      aty[j] += w[i] * a[i][j] * y[i];
      for (std::size_t k = 0; k < n; ++k) ata[j][k] += w[i] * a[i][j] * a[i][k];
    }
  auto gradient = [&](const std::vector<double>& x) {  // A^T W (y - A x)
    std::vector<double> g(aty);
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) g[j] -= ata[j][k] * x[k];
    return g;
  };
  auto solve_on = [&](const std::vector<bool>& free) {
    std::vector<std::size_t> idx;
    for (std::size_t j = 0; j < n; ++j)
      if (free[j]) idx.push_back(j);
    std::vector<std::vector<double>> sub(idx.size(), std::vector<double>(idx.size()));
    std::vector<double> rhs(idx.size());
    for (std::size_t p = 0; p < idx.size(); ++p) {
      rhs[p] = aty[idx[p]];
      for (std::size_t q = 0; q < idx.size(); ++q) sub[p][q] = ata[idx[p]][idx[q]];
    }
    const auto z = solve(sub, rhs);
    std::vector<double> s(n, 0.0);
    for (std::size_t p = 0; p < idx.size(); ++p) s[idx[p]] = z[p];
    return s;
  };
  std::vector<double> x(n, 0.0);
  std::vector<bool> free(n, false);
  double scale = 0;
  for (double v : aty) scale = std::max(scale, std::abs(v));
  const double tol = 1e-10 * std::max(scale, 1.0);
  for (std::size_t iter = 0; iter < 3 * n + 10; ++iter) {
    const auto g = gradient(x);
    std::size_t best = n;
    for (std::size_t j = 0; j < n; ++j)
      if (!free[j] && ata[j][j] > 0 && g[j] > tol && (best == n || g[j] > g[best])) best = j;
    if (best == n) break;
    free[best] = true;
    for (std::size_t inner = 0; inner < 3 * n + 10; ++inner) {
      const auto s = solve_on(free);
      bool positive = true;
      for (std::size_t j = 0; j < n; ++j)
        if (free[j] && s[j] <= 0) positive = false;
      if (positive) {
        x = s;
        break;
      }
      double alpha = 1;
      for (std::size_t j = 0; j < n; ++j)
        if (free[j] && s[j] <= 0) alpha = std::min(alpha, x[j] / (x[j] - s[j]));
      for (std::size_t j = 0; j < n; ++j) {
        x[j] += alpha * (s[j] - x[j]);
        if (free[j] && x[j] <= 1e-12) {
          free[j] = false;
          x[j] = 0;
        }
      }
    }
  }
  return x;
}

}  // namespace

json fit(const std::vector<Sample>& samples, const std::string& source) {
  json j;
  j["version"] = 1;
  j["fitted_from"] = source;
  j["points"] = samples.size();
  j["method"] = "non-negative least squares (Lawson-Hanson) on relative errors: rows weighted 1/max(y,1)^2";
  std::map<std::string, bool> targets;
  for (const auto& s : samples)
    for (const auto& [t, v] : s.measured) targets[t] = true;
  for (const auto& [target, unused] : targets) {
    (void)unused;
    for (const auto& res : estimated_resources()) {
      std::vector<std::vector<double>> a;
      std::vector<double> y, w;
      std::vector<std::string> names;
      for (const auto& s : samples) {
        const auto t = s.measured.find(target);
        if (t == s.measured.end() || !t->second.count(res)) continue;
        const auto x = features(s.config, target);
        std::vector<double> row;
        names.clear();
        for (const auto& [name, v] : x) {
          names.push_back(name);
          row.push_back(v);
        }
        a.push_back(row);
        const double v = t->second.at(res);
        y.push_back(v);
        w.push_back(1.0 / std::pow(std::max(v, 1.0), 2));
      }
      if (a.empty()) continue;
      const auto x = nnls(a, y, w);
      json coef = json::object();
      for (std::size_t k = 0; k < names.size(); ++k)
        if (x[k] > 1e-9) coef[names[k]] = std::round(x[k] * 1e6) / 1e6;
      j["targets"][target][res] = coef;
    }
  }
  return j;
}

namespace {

std::vector<std::string> csv_row(const std::string& line) {
  std::vector<std::string> f;
  std::string cur;
  bool q = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (q) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        q = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      q = true;
    } else if (c == ',') {
      f.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  f.push_back(cur);
  return f;
}

}  // namespace

std::vector<Sample> read_table(const std::string& csv_path) {
  std::istringstream in(read_text(csv_path));
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error(fmt::format("{}: empty table", csv_path));
  const auto head = csv_row(line);
  auto col = [&](const std::string& name) -> int {
    for (std::size_t i = 0; i < head.size(); ++i)
      if (head[i] == name) return static_cast<int>(i);
    return -1;
  };
  const int status = col("status"), config = col("config");
  if (status < 0 || config < 0) throw std::runtime_error(fmt::format("{}: not a sweep table (no status or config column)", csv_path));
  std::vector<Sample> out;
  for (int n = 2; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    const auto f = csv_row(line);
    if (f.size() != head.size()) throw std::runtime_error(fmt::format("{}:{}: {} fields, the header has {}", csv_path, n, f.size(), head.size()));
    // Every measured number counts, also of a point that failed elsewhere
    // (placed on one target, too big for another).
    Sample s;
    for (std::size_t i = 0; i < head.size(); ++i) {
      const auto dot = head[i].rfind('.');
      if (dot == std::string::npos || f[i].empty()) continue;
      const std::string res = head[i].substr(dot + 1);
      if (std::find(estimated_resources().begin(), estimated_resources().end(), res) == estimated_resources().end()) continue;
      s.measured[head[i].substr(0, dot)][res] = std::stod(f[i]);
    }
    if (s.measured.empty()) continue;
    s.config = load_config(fs::path(csv_path).parent_path() / f[static_cast<std::size_t>(config)]);
    out.push_back(std::move(s));
  }
  return out;
}

std::string error_table(const std::vector<Sample>& samples, const json& coefficients) {
  std::string md = "| target | resource | points | median error | 90th percentile | largest |\n|---|---|---:|---:|---:|---:|\n";
  std::map<std::string, std::map<std::string, std::vector<double>>> errors;
  for (const auto& s : samples)
    for (const auto& [target, res] : s.measured) {
      if (!coefficients["targets"].contains(target)) continue;
      const auto e = estimate(s.config, target, coefficients);
      for (const auto& [name, real] : res)
        if (e.count(name)) errors[target][name].push_back(std::abs(static_cast<double>(e.at(name)) - real) / std::max(real, 1.0));
    }
  for (auto& [target, by_res] : errors)
    for (const auto& res : estimated_resources()) {
      if (!by_res.count(res)) continue;
      auto& v = by_res[res];
      std::sort(v.begin(), v.end());
      auto pct = [&](double p) {  // nearest rank
        const auto k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
        return v[std::min(v.size() - 1, k == 0 ? 0 : k - 1)];
      };
      const double median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
      md += fmt::format("| {} | {} | {} | {:.1f}% | {:.1f}% | {:.1f}% |\n", target, res, v.size(), 100 * median, 100 * pct(0.9), 100 * v.back());
    }
  return md;
}

}  // namespace strata::sweep
