#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <vector>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/tools.h"
#include "config/config.h"
#include "elaborate.h"
#include "ir/emit_sv.h"
#include "strata_version.h"

namespace strata::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// One synthesis target: the yosys command and, for iCE40, nextpnr's device.
struct Target {
  std::string name;
  std::string pcf;  // constraints/ file of a board with this device, if any
  std::string yosys_synth;  // without -top
  std::string dsp_on, dsp_off;  // flags added to map multipliers to DSP blocks, or to keep them in LUTs
  std::string nextpnr_device;  // empty: yosys estimate only
  std::string package;
  // yosys cell type prefix -> resource column
  std::vector<std::pair<std::string, std::string>> cells;
  std::string cell_lib;  // yosys's models of the device's primitives
  // The device has this vendor primitive (so its simulation model is not synthesized).
  bool has_primitive(const std::string& primitive) const {
    return std::any_of(cells.begin(), cells.end(), [&](const auto& c) { return c.first == primitive; });
  }
};

const std::vector<Target>& targets() {
  static const std::vector<Target> t{
      {"ice40-up5k", "icebreaker.pcf", "synth_ice40", " -dsp", "", "--up5k", "sg48",
       {{"SB_LUT4", "lut"}, {"SB_DFF", "ff"}, {"SB_CARRY", "carry"}, {"SB_MAC16", "dsp"}, {"SB_RAM40_4K", "bram"}, {"SB_SPRAM256KA", "spram"}},
       "+/ice40/cells_sim.v"},
      {"ice40-hx8k", "", "synth_ice40", "", "", "--hx8k", "ct256",
       {{"SB_LUT4", "lut"}, {"SB_DFF", "ff"}, {"SB_CARRY", "carry"}, {"SB_RAM40_4K", "bram"}},
       "+/ice40/cells_sim.v"},
      {"xc7", "", "synth_xilinx -family xc7 -flatten", "", " -nodsp", "", "",
       {{"LUT", "lut"}, {"FD", "ff"}, {"CARRY4", "carry"}, {"DSP48E1", "dsp"}, {"RAMB18E1", "bram"}, {"RAMB36E1", "bram"}, {"RAM", "lutram"}}, ""},
      {"ecp5", "", "synth_ecp5", "", " -nodsp", "", "",
       {{"LUT4", "lut"}, {"TRELLIS_FF", "ff"}, {"CCU2C", "carry"}, {"MULT18X18D", "dsp"}, {"DP16KD", "bram"}, {"TRELLIS_DPR16X4", "lutram"}}, ""},
      {"gowin", "", "synth_gowin", "", "", "", "",
       {{"LUT", "lut"}, {"DFF", "ff"}, {"ALU", "carry"}, {"MULT", "dsp"}, {"SDP", "bram"}, {"DP", "bram"}, {"RAM16", "lutram"}}, ""},
  };
  return t;
}

const std::vector<std::string> kColumns{"lut", "ff", "carry", "dsp", "bram", "spram", "lutram"};

std::map<std::string, long> count(const Target& t, const json& cells_by_type) {
  std::map<std::string, long> r;
  for (const auto& col : kColumns) r[col] = 0;
  for (const auto& [type, n] : cells_by_type.items())
    for (const auto& [prefix, col] : t.cells)
      if (type.rfind(prefix, 0) == 0) {
        r[col] += n.get<long>();
        break;
      }
  return r;
}

struct SynthOptions {
  std::string config;
  std::string target = "ice40-up5k";
  std::string out;
  int seed = 1;
  int seeds = 1;
  double freq = 0;
  bool no_dsp = false;
  bool no_place = false;
  std::string top;  // a module of the design to synthesize instead of its top
};

void synth(const SynthOptions& o) {
  const SocConfig c = load_config(o.config);
  const Target* t = nullptr;
  for (const auto& x : targets())
    if (x.name == o.target) t = &x;
  const fs::path dir = fs::absolute(o.out.empty() ? fs::path("build") / c.name / ("synth-" + o.target) : fs::path(o.out));
  const ir::Design d = elaborate(c);
  const std::string top = o.top.empty() ? d.top() : o.top;
  if (d.find(top) == nullptr) {
    std::vector<std::string> names;
    for (const auto& m : d.modules()) names.push_back(m.name);
    throw CLI::ValidationError("--top", fmt::format("{}: the design of '{}' has no such module; allowed: {}", top, c.name, fmt::join(names, ", ")));
  }
  write_tree(dir / "design", render(c, d));
  const ir::Module wrap = synth_wrapper(*d.find(top));
  const ir::EmitHeader header{fmt::format("{} {}", kGeneratorName, generator_version()), c.name, config_hash(c)};
  write_file(dir / "wrap" / (wrap.name + ".sv"), ir::emit_sv(wrap, header));

  // au.multipliers chooses DSP blocks or LUTs; --no-dsp forces LUTs.
  const bool dsp = c.au.multipliers == Multipliers::dsp && !o.no_dsp;
  const std::string synth_cmd = t->yosys_synth + (dsp ? t->dsp_on : t->dsp_off);
  // A vendor primitive the device has is yosys's cell (declared by its cell
  // library for `hierarchy -check`), not its simulation model.
  std::string script, lib;
  for (const auto& v : d.verbatim())
    if (v.primitive_model && t->has_primitive(v.name)) lib = fmt::format("read_verilog -lib {}\n", t->cell_lib);
  script = lib + "read_verilog -sv";
  for (const auto& v : d.verbatim())
    if (!v.primitive_model || !t->has_primitive(v.name)) script += " design/rtl/" + v.file;
  for (const auto& m : d.modules()) script += " design/rtl/" + m.name + ".sv";
  script += " wrap/" + wrap.name + ".sv\n";
  script += fmt::format("hierarchy -check -top {}\n", wrap.name);
  script += fmt::format("setattr -mod -set keep_hierarchy 1 {}\n", top);
  script += fmt::format("{} -top {}\nwrite_json synth.json\n", synth_cmd, wrap.name);
  script += "tee -q -o stat.json stat -json\n";
  write_file(dir / "synth.ys", script);
  const fs::path log = dir / "synth.log";
  fs::remove(log);
  run_step(fmt::format("yosys {} for {}", synth_cmd, t->name), {"yosys", "-q", "-l", "yosys.log", "-s", "synth.ys"}, log, dir);

  json stat = json::parse(read_file(dir / "stat.json"));
  const json& mods = stat.at("modules");
  auto find_mod = [&](const std::string& name) -> const json& {
    for (const auto& [k, v] : mods.items())
      if (k == name || k == "\\" + name) return v;
    throw CliError(fmt::format("yosys statistics have no module {}", name));
  };
  json report;
  report["config"] = c.name;
  report["config_hash"] = config_hash(c);
  report["target"] = t->name;
  report["top"] = top;
  report["dsp_mapping"] = dsp;
  report["resources"] = count(*t, find_mod(top).at("num_cells_by_type"));
  report["resources_with_wrapper"] = count(*t, stat.at("design").at("num_cells_by_type"));
  report["tools"]["yosys"] = tool_version("yosys", "-V");

  if (!t->nextpnr_device.empty() && !o.no_place) {
    const double freq = o.freq > 0 ? o.freq : c.synth.clock_mhz;
    std::vector<std::string> pins{"--pcf-allow-unconstrained"};
    if (!t->pcf.empty()) pins = {"--pcf", (fs::path(STRATA_SOURCE_DIR) / "constraints" / t->pcf).string()};
    // One placement per seed; Fmax is the median over the seeds.
    std::vector<std::pair<double, int>> runs;  // (fmax, seed)
    json pnr;
    for (int seed = o.seed; seed < o.seed + o.seeds; ++seed) {
      const std::string tag = std::to_string(seed);
      std::vector<std::string> argv{"nextpnr-ice40", t->nextpnr_device, "--package", t->package, "--json", "synth.json", "--asc",
                                    "design-seed" + tag + ".asc", "--freq", fmt::format("{}", freq), "--timing-allow-fail", "--seed", tag,
                                    "--report", "pnr-seed" + tag + ".json", "-q", "-l", "nextpnr-seed" + tag + ".log"};
      argv.insert(argv.end(), pins.begin(), pins.end());
      run_step(fmt::format("nextpnr-ice40 place and route ({} {}, target {} MHz, seed {})", t->nextpnr_device.substr(2), t->package, freq, seed),
               argv, log, dir);
      pnr = json::parse(read_file(dir / ("pnr-seed" + tag + ".json")));
      double fmax = 0;
      for (const auto& [clk, f] : pnr.at("fmax").items())
        if (clk.find("clk") != std::string::npos) fmax = f.at("achieved").get<double>();
      runs.emplace_back(fmax, seed);
    }
    std::sort(runs.begin(), runs.end());
    const auto& median = runs[runs.size() / 2];  // odd counts: the middle run; even: the upper middle
    fs::copy_file(dir / fmt::format("design-seed{}.asc", median.second), dir / "design.asc", fs::copy_options::overwrite_existing);
    json by_seed = json::object();
    for (const auto& [f, seed] : runs) by_seed[std::to_string(seed)] = f;
    report["placed"] = {{"device", t->nextpnr_device.substr(2)},
                        {"package", t->package},
                        {"seeds", by_seed.size()},
                        {"fmax_by_seed", by_seed},
                        {"median_seed", median.second},
                        {"logic_cells", pnr.at("utilization").at("ICESTORM_LC").at("used")},
                        {"logic_cells_available", pnr.at("utilization").at("ICESTORM_LC").at("available")},
                        {"fmax_mhz", median.first},
                        {"target_mhz", freq}};
    report["tools"]["nextpnr"] = tool_version("nextpnr-ice40", "--version");
  }
  write_file(dir / "report.json", report.dump(2) + "\n");

  const auto& r = report["resources"];
  std::string md = fmt::format("| config | target | LUT | FF | carry | DSP | BRAM | SPRAM | Fmax (MHz) |\n|---|---|---|---|---|---|---|---|---|\n");
  md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", c.name, t->name, r["lut"].get<long>(), r["ff"].get<long>(),
                    r["carry"].get<long>(), r["dsp"].get<long>(), r["bram"].get<long>(), r["spram"].get<long>(),
                    !report.contains("placed")         ? std::string("n/a (not placed)")
                    : report["placed"]["seeds"] == 1    ? fmt::format("{:.1f}", report["placed"]["fmax_mhz"].get<double>())
                                                        : fmt::format("{:.1f} (median of {} seeds)", report["placed"]["fmax_mhz"].get<double>(),
                                                                      report["placed"]["seeds"].get<int>()));
  write_file(dir / "report.md", md);
  fmt::print("{}", md);
  progress(fmt::format("synthesis report: {}", (dir / "report.json").string()));
}

}  // namespace

void add_synth(CLI::App& app) {
  auto* cmd = app.add_subcommand("synth", "Synthesize a config with yosys (and place and route iCE40 targets with nextpnr)");
  auto o = std::make_shared<SynthOptions>();
  std::vector<std::string> names;
  for (const auto& t : targets()) names.push_back(t.name);
  cmd->add_option("CONFIG", o->config, "config file (YAML)")->required();
  cmd->add_option("--target", o->target, "FPGA target; iCE40 targets are placed and routed, the others are yosys estimates")
      ->check(CLI::IsMember(names))
      ->capture_default_str();
  cmd->add_option("-o,--output", o->out, "work directory (default build/<name>/synth-<target>)");
  cmd->add_option("--seed", o->seed, "first nextpnr placement seed")->capture_default_str();
  cmd->add_option("--seeds", o->seeds, "place with this many seeds (--seed, --seed+1, ...) and report the median Fmax")
      ->check(CLI::Range(1, 25))
      ->capture_default_str();
  cmd->add_option("--freq", o->freq, "nextpnr timing target in MHz (default: the config's synth.clock_mhz)")->check(CLI::Range(1.0, 1000.0));
  cmd->add_option("--top", o->top, "synthesize this module of the design (and what it instantiates) instead of the design's top");
  cmd->add_flag("--no-dsp", o->no_dsp, "keep multipliers in LUTs even when the config's au.multipliers is dsp");
  cmd->add_flag("--no-place", o->no_place, "yosys only: resources without nextpnr's placement (no Fmax)");
  cmd->callback([o] { synth(*o); });
}

}  // namespace strata::cli
