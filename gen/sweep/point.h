// The points of a sweep: the config of each (the base config with the axes'
// values set), its key (the hash of the canonical config), its directory,
// and running the stages of one point (`strata sweep-point DIR`).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "sweep/sweep_file.h"

namespace strata::sweep {

// The YAML text of `base` with each (dotted key, value) set, sections
// created where missing.
std::string apply_overrides(const YAML::Node& base, const std::vector<std::pair<std::string, YAML::Node>>& values);

struct Point {
  std::vector<int> indices;  // the sweep's point numbers that have this config (duplicates share a point)
  nlohmann::json values;     // axis key -> value (JSON)
  std::string key;           // config_hash of the valid config, or "invalid-<hash of its text>"
  bool valid = true;         // the config parses and passes every rule
  std::string config_text;   // canonical YAML (valid) or the YAML as the axes made it
  std::filesystem::path dir; // output/points/<key>
};

// Every point of the sweep, duplicates merged, in the order of their first index.
std::vector<Point> plan(const SweepSpec& s);

// Creates each point's directory with config.yaml and point.json (the stages
// and their settings). Leaves result.json alone.
void write_point(const SweepSpec& s, const Point& p);

// A point is complete when its result.json says ok.
bool complete(const std::filesystem::path& dir);

// Writes `j` to dir/result.json through a temporary file and a rename.
void write_result(const std::filesystem::path& dir, const nlohmann::json& j);
// The result of a point, or null if it has none (or it cannot be read).
nlohmann::json read_result(const std::filesystem::path& dir);

// Runs the stages of the point in `dir` with the strata binary `strata`,
// each as a `strata` subcommand whose output is appended to dir/log.txt;
// writes dir/result.json. Returns true if every stage passed.
bool run_point(const std::filesystem::path& dir, const std::filesystem::path& strata);

// Writes a file through a temporary sibling and a rename.
void write_atomically(const std::filesystem::path& file, const std::string& text);
std::string read_text(const std::filesystem::path& file);

}  // namespace strata::sweep
