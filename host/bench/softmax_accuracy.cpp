// Accuracy of the softmax unit (golden model = the RTL, bit for bit) and of
// the published approximations against float64, on the same vectors: random
// vectors of many lengths, logit spreads and scales plus the adversarial set.
// Prints a Markdown table (scripts/bench_softmax.sh puts it in
// docs/results/softmax_gelu.md).
//   softmax_accuracy [--vectors=N] [--seed=N] [--max-length=N]
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "golden/softmax.h"
#include "golden/softmax_baselines.h"

namespace sm = strata::golden::softmax;

namespace {

struct Vec {
  std::vector<int> q;
  double scale;  // real scale of one logit step (the truth)
};

struct Stats {
  double max_err = 0, max_err_below = 0, sum_err = 0, max_sum_dev = 0, sum_sum_dev = 0;
  std::uint64_t rounded = 0;  // codes equal to float64's correctly rounded code
  std::uint64_t elements = 0, vectors = 0, mono_vectors = 0, mono_pairs = 0;
};

int lo_of(sm::InType t) { return t == sm::InType::int8 ? -128 : -32768; }
int hi_of(sm::InType t) { return t == sm::InType::int8 ? 127 : 32767; }

std::vector<Vec> vectors(sm::InType in, std::uint64_t n, int lmax, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Vec> out;
  const int lo = lo_of(in), hi = hi_of(in);
  const double per_step = in == sm::InType::int8 ? 1.0 : 1.0 / 256.0;
  auto scale = [&] {
    std::uniform_real_distribution<double> e(-12.0, 3.0);  // base-2 units per int8 step
    return std::exp2(e(rng)) * per_step / std::log2(std::exp(1.0));
  };
  for (std::uint64_t v = 0; v < n; ++v) {
    std::uniform_real_distribution<double> u(0.0, std::log2(lmax + 1.0));
    const std::size_t len = std::clamp<std::size_t>(static_cast<std::size_t>(std::exp2(u(rng))), 1, static_cast<std::size_t>(lmax));
    const int spreads[] = {0, 1, 3, 10, 40, 127, 1000, 65535};
    const int spread = spreads[rng() % (in == sm::InType::int8 ? 6 : 8)];
    const int centre = lo + static_cast<int>(rng() % static_cast<unsigned>(hi - lo + 1));
    Vec x{{}, scale()};
    for (std::size_t i = 0; i < len; ++i) {
      const int d = spread == 0 ? 0 : static_cast<int>(rng() % (2 * static_cast<unsigned>(spread) + 1)) - spread;
      x.q.push_back(std::clamp(centre + d, lo, hi));
    }
    out.push_back(std::move(x));
  }
  // Adversarial: all equal, one dominant, extremes, length 1 and L_max, at
  // a fine, a middle and a coarse scale.
  const std::size_t L = static_cast<std::size_t>(lmax);
  for (double s : {std::exp2(-12.0), std::exp2(-4.0), 1.0, 4.0}) {
    const double sc = s * per_step / std::log2(std::exp(1.0));
    for (std::size_t len : {std::size_t{1}, std::size_t{2}, std::min<std::size_t>(7, L), L}) {
      out.push_back({std::vector<int>(len, 0), sc});
      out.push_back({std::vector<int>(len, hi), sc});
      out.push_back({std::vector<int>(len, lo), sc});
      std::vector<int> dom(len, lo);
      dom[len / 2] = hi;
      out.push_back({dom, sc});
      std::vector<int> dom0(len, 0);
      dom0.back() = hi;
      out.push_back({dom0, sc});
      std::vector<int> alt(len);
      for (std::size_t i = 0; i < len; ++i) alt[i] = i % 2 ? hi : lo;
      out.push_back({alt, sc});
      std::vector<int> ramp(len);
      for (std::size_t i = 0; i < len; ++i) ramp[i] = std::clamp(hi - static_cast<int>(i), lo, hi);
      out.push_back({ramp, sc});
    }
  }
  return out;
}

std::vector<double> exact(const Vec& v) {
  const int m = *std::max_element(v.q.begin(), v.q.end());
  std::vector<double> e;
  double sum = 0;
  for (int x : v.q) sum += e.emplace_back(std::exp(v.scale * (x - m)));
  for (double& x : e) x /= sum;
  return e;
}

void account(Stats& st, const Vec& v, const std::vector<double>& ref, const std::vector<int>& codes, sm::OutType out) {
  double total = 0;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const double p = sm::probability(codes[i], out);
    const double e = std::abs(p - ref[i]);
    st.max_err = std::max(st.max_err, e);
    const int b = sm::out_bits(out);
    const double scaled = std::ldexp(ref[i], b);
    if (scaled < std::ldexp(1.0, b) - 0.5) st.max_err_below = std::max(st.max_err_below, e);  // below the clamp at 1 - 2^-B
    const int ideal = static_cast<int>(std::min(std::nearbyint(scaled), std::ldexp(1.0, b) - 1.0));
    st.rounded += (out == sm::OutType::int8 ? codes[i] + 128 : codes[i]) == ideal;
    st.sum_err += e;
    total += p;
  }
  st.elements += codes.size();
  st.vectors += 1;
  const double dev = std::abs(total - 1.0);
  st.max_sum_dev = std::max(st.max_sum_dev, dev);
  st.sum_sum_dev += dev;
  // Monotonicity: along increasing logits, codes never decrease.
  std::vector<std::size_t> idx(codes.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return v.q[a] < v.q[b]; });
  std::uint64_t bad = 0;
  int best = -1 << 20;  // largest code among strictly smaller logits
  std::size_t i = 0;
  while (i < idx.size()) {
    std::size_t j = i;
    int group_max = -1 << 20;
    while (j < idx.size() && v.q[idx[j]] == v.q[idx[i]]) {
      if (codes[idx[j]] < best) ++bad;
      group_max = std::max(group_max, codes[idx[j]]);
      ++j;
    }
    best = std::max(best, group_max);
    i = j;
  }
  st.mono_pairs += bad;
  st.mono_vectors += bad > 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t n = 100000, seed = 1;
  int lmax = 256;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--vectors=", 10) == 0)
      n = std::stoull(argv[i] + 10);
    else if (std::strncmp(argv[i], "--seed=", 7) == 0)
      seed = std::stoull(argv[i] + 7);
    else if (std::strncmp(argv[i], "--max-length=", 13) == 0)
      lmax = std::stoi(argv[i] + 13);
    else {
      fmt::print(stderr, "softmax_accuracy: unknown argument '{}'; allowed: --vectors=N, --seed=N, --max-length=N\n", argv[i]);
      return 2;
    }
  }
  using Method = std::function<std::vector<int>(const Vec&, sm::InType, sm::OutType)>;
  std::vector<std::pair<std::string, Method>> methods;
  for (auto a : {sm::Algorithm::three_pass, sm::Algorithm::online, sm::Algorithm::two_pass})
    methods.emplace_back(fmt::format("Strata {}", sm::name(a)),
                         [a](const Vec& v, sm::InType in, sm::OutType out) { return sm::run(v.q, a, in, sm::scale_for(v.scale), out); });
  // The floor of any method with these codes: float64 rounded to the code.
  methods.emplace_back("float64 rounded", [](const Vec& v, sm::InType, sm::OutType out) {
    std::vector<int> c;
    const int b = sm::out_bits(out);
    for (double p : exact(v)) {
      const int code = static_cast<int>(std::min(std::nearbyint(std::ldexp(p, b)), std::ldexp(1.0, b) - 1.0));
      c.push_back(out == sm::OutType::int8 ? code - 128 : code);
    }
    return c;
  });
  methods.emplace_back("I-BERT i-exp", [](const Vec& v, sm::InType, sm::OutType out) { return sm::ibert_softmax(v.q, v.scale, out); });
  methods.emplace_back("Edge-MoE", [](const Vec& v, sm::InType, sm::OutType out) { return sm::edge_moe_softmax(v.q, v.scale, out); });

  fmt::print("| input | output | method | max error (LSB) | max error below 1 - 2^-B (LSB) | codes = float64 rounded | max abs error | mean abs error | max abs(sum - 1) | mean abs(sum - 1) | monotonicity violations (vectors / pairs) |\n");
  fmt::print("|---|---|---|---|---|---|---|---|---|---|---|\n");
  std::uint64_t total_vectors = 0;
  for (auto in : {sm::InType::int8, sm::InType::int16}) {
    const auto vs = vectors(in, n, lmax, seed + static_cast<std::uint64_t>(in));
    total_vectors = vs.size();
    std::vector<std::vector<double>> refs;
    for (const auto& v : vs) refs.push_back(exact(v));
    for (auto out : {sm::OutType::uint8, sm::OutType::int8, sm::OutType::uint16}) {
      const double lsb = std::ldexp(1.0, -sm::out_bits(out));
      for (const auto& [name, run] : methods) {
        Stats st;
        for (std::size_t k = 0; k < vs.size(); ++k) account(st, vs[k], refs[k], run(vs[k], in, out), out);
        fmt::print("| {} | {} | {} | {:.3f} | {:.3f} | {:.4f}% | {:.3e} | {:.3e} | {:.3e} | {:.3e} | {} / {} |\n", sm::name(in), sm::name(out), name, st.max_err / lsb,
                   st.max_err_below / lsb, 100.0 * static_cast<double>(st.rounded) / static_cast<double>(st.elements), st.max_err, st.sum_err / static_cast<double>(st.elements), st.max_sum_dev, st.sum_sum_dev / static_cast<double>(st.vectors),
                   st.mono_vectors, st.mono_pairs);
      }
    }
  }
  fmt::print("\n{} vectors per input type ({} random of lengths 1 to {}, log-uniform, plus the adversarial set), seed {}.\n", total_vectors, n, lmax,
             seed);

  // Where each method holds: max error (uint8 LSB) at fixed scales, int8
  // logits uniform over the whole range, lengths 1 to L_max log-uniform.
  const std::vector<double> scales{1e-4, 1e-3, 1e-2, 0.05, 0.3, 1.0, 3.9, 4.5};
  fmt::print("\nMax error below 1 - 2^-8 (LSB) of uint8 codes by the real scale S of an int8 logit step ({} random vectors per scale, logits uniform over the int8 range):\n\n",
             std::max<std::uint64_t>(n / 20, 100));
  fmt::print("| method |");
  for (double sc : scales) fmt::print(" S = {} |", sc);
  fmt::print("\n|---|");
  for (std::size_t i = 0; i < scales.size(); ++i) fmt::print("---|");
  fmt::print("\n");
  std::vector<std::vector<Vec>> by_scale;
  std::mt19937_64 rng(seed + 7);
  for (double sc : scales) {
    std::vector<Vec> vs;
    for (std::uint64_t k = 0; k < std::max<std::uint64_t>(n / 20, 100); ++k) {
      std::uniform_real_distribution<double> u(0.0, std::log2(lmax + 1.0));
      const std::size_t len = std::clamp<std::size_t>(static_cast<std::size_t>(std::exp2(u(rng))), 1, static_cast<std::size_t>(lmax));
      Vec v{{}, sc};
      for (std::size_t i = 0; i < len; ++i) v.q.push_back(static_cast<int>(rng() % 256) - 128);
      vs.push_back(std::move(v));
    }
    by_scale.push_back(std::move(vs));
  }
  for (const auto& [name, run] : methods) {
    fmt::print("| {} |", name);
    for (const auto& vs : by_scale) {
      Stats st;
      for (const auto& v : vs) account(st, v, exact(v), run(v, sm::InType::int8, sm::OutType::uint8), sm::OutType::uint8);
      fmt::print(" {:.3f} |", st.max_err_below * 256);
    }
    fmt::print("\n");
  }
  return 0;
}
