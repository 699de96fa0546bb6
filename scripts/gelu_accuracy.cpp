// GELU accuracy benchmark (run by scripts/bench_gelu.sh): maximum and mean
// error in output LSBs against the float64 reference (host/golden/gelu.h,
// reference()) over every int8 and every int16 input code, for several
// quantizations, for the unit's golden model (= its RTL, co-simulated bit
// for bit) and, on the same inputs, the I-BERT and Edge-MoE baselines
// (host/golden/gelu_baselines.h). Prints Markdown tables on stdout.
//   gelu_accuracy [SEGMENTS DEGREE]   (the int16 shape measured; default 64 2)
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "golden/gelu.h"
#include "golden/gelu_baselines.h"

namespace gm = strata::golden::gelu;

namespace {

struct Case {
  std::string name;
  gm::Quant q;
};

// Symmetric ranges +-R (s_in = s_out = R / 2^(bits-1)) and asymmetric ones
// whose output codes span GELU's image [-0.17, R] with a zero point.
std::vector<Case> cases(int bits) {
  const double half = bits == 8 ? 128 : 32768, full = bits == 8 ? 255 : 65535;
  const int qmin = bits == 8 ? -128 : -32768;
  std::vector<Case> v;
  for (double r : {2.0, 4.0, 8.0, 16.0}) v.push_back({fmt::format("±{} symmetric", r), {r / half, 0, r / half, 0}});
  for (double r : {4.0, 8.0}) {
    const double so = (r + 0.17) / full;
    const int zo = qmin + static_cast<int>(std::lround(0.17 / so));
    v.push_back({fmt::format("[-{0}, {0}] in, [-0.17, {0}] out (z_in {1}, z_out {2})", r, bits == 8 ? -5 : -1000, zo),
                 {2 * r / full, bits == 8 ? -5 : -1000, so, zo}});
  }
  return v;
}

struct Err {
  double max = 0, sum = 0;
  long n = 0;
  void add(double e) {
    max = std::max(max, e);
    sum += e;
    ++n;
  }
  double mean() const { return sum / static_cast<double>(n); }
  std::string cell() const { return fmt::format("{:.3f} / {:.4f}", max, sum / static_cast<double>(n)); }
};

Err measure(const gm::Quant& q, gm::Form form, int bits, const std::function<int(int)>& code) {
  const int qmin = bits == 8 ? -128 : -32768, qmax = bits == 8 ? 127 : 32767;
  Err e;
  for (int x = qmin; x <= qmax; ++x) e.add(std::abs(code(x) - gm::reference(q, form, x, qmin, qmax)));
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  gm::Int16Shape shape{64, 2};
  if (argc == 3) shape = {std::atoi(argv[1]), std::atoi(argv[2])};
  for (int bits : {8, 16}) {
    const int qmin = bits == 8 ? -128 : -32768, qmax = bits == 8 ? 127 : 32767;
    fmt::print("\n#### int{}: every one of the {} input codes{}\n\n", bits, bits == 8 ? 256 : 65536,
               bits == 16 ? fmt::format(" (Strata: {} segments, degree {})", shape.segments, shape.degree) : std::string());
    fmt::print("Error in output LSBs against float64, maximum / mean. I-BERT and Edge-MoE approximate the erf form and are measured against it.\n\n");
    fmt::print("| quantization (input range) | Strata erf | Strata tanh | I-BERT i-GELU | Edge-MoE |\n|---|---|---|---|---|\n");
    double worst = 0;
    int below[2] = {0, 0}, equal[2] = {0, 0}, above[2] = {0, 0}, n_cases = 0;
    for (const Case& c : cases(bits)) {
      std::vector<std::string> cells;
      Err strata_erf;
      for (gm::Form form : {gm::Form::erf, gm::Form::tanh}) {
        Err e;
        if (bits == 8) {
          const auto t = gm::int8_table(c.q, form);
          e = measure(c.q, form, 8, [&](int x) { return gm::int8_eval(t, static_cast<std::int8_t>(x)); });
        } else {
          const auto p = gm::int16_program(c.q, form, shape);
          e = measure(c.q, form, 16, [&](int x) { return gm::int16_eval(p, shape, static_cast<std::int16_t>(x)); });
        }
        if (form == gm::Form::erf) strata_erf = e;
        worst = std::max(worst, e.max);
        cells.push_back(e.cell());
      }
      const Err base[2] = {measure(c.q, gm::Form::erf, bits, [&](int x) { return gm::ibert_code(c.q, x, qmin, qmax); }),
                           measure(c.q, gm::Form::erf, bits, [&](int x) { return gm::edge_moe_code(c.q, x, qmin, qmax); })};
      for (int i = 0; i < 2; ++i) {
        cells.push_back(base[i].cell());
        // Compared on the maximum, then on the mean, to 1e-9 LSB.
        const double dm = strata_erf.max - base[i].max, da = strata_erf.mean() - base[i].mean();
        const int cmp = std::abs(dm) > 1e-9 ? (dm < 0 ? -1 : 1) : std::abs(da) > 1e-9 ? (da < 0 ? -1 : 1) : 0;
        (cmp < 0 ? below : cmp > 0 ? above : equal)[i]++;
      }
      ++n_cases;
      fmt::print("| {} | {} |\n", c.name, fmt::join(cells, " | "));
    }
    fmt::print("\nStrata's largest error over these int{} cases: {:.3f} LSB (target {}). Against each baseline (erf form, on the maximum, "
               "then the mean): I-BERT {} better, {} equal, {} worse of {}; Edge-MoE {} better, {} equal, {} worse of {}.\n",
               bits, worst, bits == 8 ? "0.5: correctly rounded" : "2", below[0], equal[0], above[0], n_cases, below[1], equal[1], above[1], n_cases);
  }
  // The int16 shapes a config can choose, at two quantizations.
  fmt::print("\n#### int16 segment shapes (erf form)\n\n| segments x degree | coefficient words per form |");
  const std::vector<Case> some{cases(16)[2], cases(16)[5]};
  for (const Case& c : some) fmt::print(" {} |", c.name);
  fmt::print("\n|---|---|");
  for (std::size_t i = 0; i < some.size(); ++i) fmt::print("---|");
  fmt::print("\n");
  for (gm::Int16Shape s : {gm::Int16Shape{256, 1}, gm::Int16Shape{64, 2}, gm::Int16Shape{32, 2}, gm::Int16Shape{32, 3}, gm::Int16Shape{16, 3}}) {
    fmt::print("| {} x {} | {} |", s.segments, s.degree, s.segments * (s.degree + 1));
    for (const Case& c : some) {
      try {
        const auto p = gm::int16_program(c.q, gm::Form::erf, s);
        fmt::print(" {} |", measure(c.q, gm::Form::erf, 16, [&](int x) { return gm::int16_eval(p, s, static_cast<std::int16_t>(x)); }).cell());
      } catch (const std::invalid_argument& e) {
        fmt::print(" not programmable: {} |", e.what());
      }
    }
    fmt::print("\n");
  }
  return 0;
}
