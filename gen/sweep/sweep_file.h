// A sweep file (docs/sweep.md): a base config, the axes that change it, the
// stages each point runs and the executor's settings. Parsed and checked
// here; errors read like config errors: "FILE:LINE:COL: error: KEY: PROBLEM;
// allowed: WHAT" (thrown as ConfigError).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace strata::sweep {

enum class Stage { generate, lint, cosim, synth, run };
std::string to_string(Stage s);

// One axis: a config key (dotted path, e.g. nn.pes) and the values it takes.
// Each value is a YAML node (a scalar or a list, e.g. au.formats: [int8]).
struct Axis {
  std::string key;
  std::vector<YAML::Node> values;
};

struct SlurmSettings {
  std::string partition;  // empty: the cluster's default
  std::string time;       // sbatch --time, e.g. 00:30:00; empty: the partition's default
  std::string mem;        // sbatch --mem, e.g. 2G; empty: the default
  int poll_seconds = 2;   // how often squeue is asked
};

struct SweepSpec {
  std::filesystem::path file;    // the sweep file itself
  std::string name;
  std::filesystem::path base;    // the base config (absolute)
  std::filesystem::path output;  // where points and reports go (absolute)
  std::vector<Axis> axes;
  bool random = false;           // false: every combination (grid); true: `samples` random picks
  int samples = 0;
  std::uint64_t seed = 1;
  std::vector<Stage> stages;     // in execution order
  std::vector<std::string> synth_targets{"ice40-up5k"};
  int synth_seeds = 1;
  bool synth_place = true;       // false: yosys only (resources, no Fmax)
  std::uint64_t cosim_vectors = 2000;
  std::string run_model = "pulse_cnn";  // an example model name or a model file (absolute)
  SlurmSettings slurm;
  bool has(Stage s) const;
};

// The synthesis targets `strata synth` knows.
const std::vector<std::string>& synth_target_names();

SweepSpec parse_sweep(const std::string& yaml_text, const std::filesystem::path& file);
SweepSpec load_sweep(const std::filesystem::path& file);

}  // namespace strata::sweep
