// Switching activity of a generated AU per multiply-accumulate, the dynamic
// power proxy of the benchmark: the Verilated AU (built with
// --coverage-toggle) runs random dot products of one format at a time, still
// checked against the golden model, and every toggle of every signal bit of
// every module is counted. Prints one JSON object per format.
//
//   au_toggles [--beats=N] [--seed=N]
#include <fmt/format.h>
#include <verilated_cov.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>

#include "au/au_harness.h"
#include "au_duts.h"
#include "config/config.h"

namespace {

using namespace strata;

// Sum of the toggle counters in a Verilator coverage file.
std::uint64_t toggle_count(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::uint64_t sum = 0;
  std::string line;
  const std::regex count(R"(' (\d+)$)");
  std::smatch m;
  while (std::getline(in, line))
    if (line.rfind("C '", 0) == 0 && line.find("toggle") != std::string::npos && std::regex_search(line, m, count)) sum += std::stoull(m[1]);
  return sum;
}

template <class Model>
int measure(const SocConfig& c, std::uint64_t beats, std::uint64_t seed) {
  const std::filesystem::path dat = std::filesystem::temp_directory_path() / fmt::format("strata-toggles-{}.dat", ::getpid());
  for (golden::Format f : c.au.formats) {
    const auto& fi = golden::info(f);
    sim::AuHarness<Model> h(au_spec(c), seed);
    std::mt19937_64 rng(seed);
    h.context().coveragep()->zero();  // count from here: reset and start-up do not count
    const std::uint64_t start = h.cycles();
    for (std::uint64_t i = 0; i < beats; ++i) {
      std::uint16_t w[2] = {0, 0};
      for (auto& x : w)
        for (int l = 0; l < fi.lanes; ++l) {
          unsigned code = static_cast<unsigned>(rng()) & ((1u << fi.lane_bits) - 1);
          if (fi.has_nar && code == 1u << (fi.lane_bits - 1)) code = 0;  // real operands only
          x = static_cast<std::uint16_t>(x | code << (l * fi.lane_bits));
        }
      h.send({w[0], w[1], static_cast<unsigned>(f), i % 16 == 15});
    }
    const std::uint64_t cycles = h.cycles() - start;
    h.drain();
    if (!h.ok()) {
      fmt::print(stderr, "au_toggles: {} {}: {}\n", c.name, fi.name, h.failure());
      return 1;
    }
    h.context().coveragep()->write(dat.c_str());
    const std::uint64_t toggles = toggle_count(dat);
    const double macs = static_cast<double>(beats) * fi.lanes;
    fmt::print("{{\"config\": \"{}\", \"format\": \"{}\", \"beats\": {}, \"cycles\": {}, \"macs_per_cycle\": {:.3f}, \"toggles\": {}, "
               "\"toggles_per_mac\": {:.2f}}}\n",
               c.name, fi.name, beats, cycles, macs / static_cast<double>(cycles), toggles, static_cast<double>(toggles) / macs);
  }
  std::filesystem::remove(dat);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t beats = 20000, seed = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--beats=", 8) == 0)
      beats = std::stoull(argv[i] + 8);
    else if (std::strncmp(argv[i], "--seed=", 7) == 0)
      seed = std::stoull(argv[i] + 7);
    else {
      fmt::print(stderr, "au_toggles: unknown argument '{}'; allowed: --beats=N, --seed=N\n", argv[i]);
      return 2;
    }
  }
  int rc = 0;
  try {
#define STRATA_MEASURE(MODEL, PATH) rc |= measure<MODEL>(load_config(PATH), beats, seed);
    STRATA_DUTS(STRATA_MEASURE)
  } catch (const std::exception& e) {
    fmt::print(stderr, "au_toggles: {}\n", e.what());
    return 2;
  }
  return rc;
}
