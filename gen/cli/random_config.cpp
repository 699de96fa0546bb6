#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <random>

#include "cli/commands.h"
#include "cli/tools.h"
#include "config/config.h"

namespace strata::cli {

namespace {

// A valid config drawn uniformly over the schema's choices (log-uniform for
// the accumulation count). Uses its own integer arithmetic on mt19937_64 so
// the same seed gives the same config with every standard library.
// --gelu: a GELU unit alone (no engine), drawn from its own stream so the
// configs without the flag stay those of earlier versions.
GeluConfig random_gelu(std::uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0x6765'6c75'0000'0000ull);
  auto below = [&](std::uint64_t n) { return rng() % n; };
  GeluConfig g;
  const auto types = 1 + below(3), forms = 1 + below(3);  // bit masks, non-empty
  g.types.clear();
  g.forms.clear();
  if (types & 1) g.types.push_back(GeluType::int8);
  if (types & 2) g.types.push_back(GeluType::int16);
  if (forms & 1) g.forms.push_back(golden::gelu::Form::erf);
  if (forms & 2) g.forms.push_back(golden::gelu::Form::tanh);
  g.segments = ConfigLimits::gelu_segments_min << below(5);
  g.degree = 1 + static_cast<int>(below(ConfigLimits::gelu_degree_max));
  return g;
}

SocConfig random_config(std::uint64_t seed, const std::string& name, bool force_nn, bool gelu) {
  std::mt19937_64 rng(seed);
  auto below = [&](std::uint64_t n) { return rng() % n; };
  SocConfig c;
  c.name = name;
  c.au.formats.clear();
  while (c.au.formats.empty())
    for (const auto& f : golden::kFormats)
      if (below(2)) c.au.formats.push_back(f.format);
  const int log2k = static_cast<int>(below(25));  // 1 .. 2^24
  c.au.max_accumulations = (std::uint64_t{1} << log2k) + below(std::uint64_t{1} << log2k) * (log2k < 24);
  c.au.pipeline_stages = static_cast<int>(below(ConfigLimits::pipeline_stages_max + 1));
  c.au.share = below(2);
  c.au.isolate = below(2);
  c.au.multipliers = below(2) ? Multipliers::dsp : Multipliers::lut;
  c.synth.clock_mhz = static_cast<double>(6 + below(60));
  // Half the configs (or all with --nn) build the network engine, which
  // needs int8 and dot products long enough for small layers.
  if (gelu) {
    c.gelu = random_gelu(seed);
    return c;
  }
  if (force_nn || below(2)) {
    if (std::find(c.au.formats.begin(), c.au.formats.end(), golden::Format::int8) == c.au.formats.end()) {
      c.au.formats.push_back(golden::Format::int8);
      std::sort(c.au.formats.begin(), c.au.formats.end());
    }
    c.au.max_accumulations = std::max<std::uint64_t>(c.au.max_accumulations, 256);
    NnConfig n;
    n.pes = 1 + static_cast<int>(below(4));
    n.aus_per_pe = 1 + static_cast<int>(below(4));
    n.act_words = 1 << (9 + below(5));
    n.weight_words = 1 << (9 + below(4));
    n.ctrl_words = 1 << (9 + below(3));
    // Drawn last, so that the draws above stay those of earlier versions.
    if (n.channels() <= kIce40Sprams && below(2)) n.weight_memory = WeightMemory::ice40_spram;
    n.residual_add = below(2);
    c.nn = n;
  }
  return c;
}

// A config with a softmax unit only: non-empty subsets of the algorithms and
// types, a log-uniform max_length.
SocConfig random_softmax_config(std::uint64_t seed, const std::string& name) {
  namespace sm = golden::softmax;
  std::mt19937_64 rng(seed);
  auto below = [&](std::uint64_t n) { return rng() % n; };
  SocConfig c;
  c.name = name;
  SoftmaxConfig s;
  auto subset = [&](auto& v, const auto& all) {
    v.clear();
    while (v.empty())
      for (auto e : all)
        if (below(2)) v.push_back(e);
  };
  subset(s.algorithms, std::vector{sm::Algorithm::three_pass, sm::Algorithm::online, sm::Algorithm::two_pass});
  subset(s.in_types, std::vector{sm::InType::int8, sm::InType::int16});
  subset(s.out_types, std::vector{sm::OutType::uint8, sm::OutType::uint16, sm::OutType::int8});
  const int log2l = static_cast<int>(below(15));  // 1 .. 2^14
  s.max_length = static_cast<int>((1 << log2l) + below(static_cast<std::uint64_t>(1) << log2l) * (log2l < 14));
  c.softmax = s;
  c.synth.clock_mhz = static_cast<double>(6 + below(30));
  return c;
}

}  // namespace

void add_random_config(CLI::App& app) {
  auto* cmd = app.add_subcommand("random-config", "Print a random valid config (for sweeps and tests)");
  auto seed = std::make_shared<std::uint64_t>(1);
  auto name = std::make_shared<std::string>("rand");
  auto out = std::make_shared<std::string>();
  auto nn = std::make_shared<bool>(false);
  auto gelu = std::make_shared<bool>(false);
  auto softmax = std::make_shared<bool>(false);
  cmd->add_option("--seed", *seed, "random seed")->required();
  cmd->add_option("--name", *name, "config name");
  cmd->add_option("-o,--output", *out, "write to this file instead of stdout");
  auto* nn_flag = cmd->add_flag("--nn", *nn, "always include a network engine (nn section)");
  auto* gelu_flag = cmd->add_flag("--gelu", *gelu, "a GELU unit alone (gelu section, no engine)")->excludes(nn_flag);
  cmd->add_flag("--softmax", *softmax, "a softmax unit alone (softmax section, no nn)")->excludes(nn_flag)->excludes(gelu_flag);
  cmd->callback([seed, name, out, nn, gelu, softmax] {
    const SocConfig c = *softmax ? random_softmax_config(*seed, *name) : random_config(*seed, *name, *nn, *gelu);
    const std::string text =
        fmt::format("# strata random-config --seed {}{}\n{}", *seed, *nn ? " --nn" : *gelu ? " --gelu" : *softmax ? " --softmax" : "", to_yaml(c));
    parse_config(text, "<random-config>");  // it must be valid, with a valid name
    if (out->empty())
      std::cout << text;
    else
      write_file(*out, text);
  });
}

}  // namespace strata::cli
