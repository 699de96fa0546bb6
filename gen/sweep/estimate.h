// `strata estimate`: LUT, FF, carry, DSP, BRAM and SPRAM of a config on a
// target without synthesis, from a linear model over analytical features of
// the config (docs/sweep.md, "The estimate model"): counts of AUs per
// format, accumulator and pipeline widths, engine counters, memories from
// their sizes in the target's block RAM geometry. The coefficients are
// fitted to a sweep's table by non-negative, relatively weighted least
// squares and kept in a JSON file (gen/sweep/estimate_coefficients.json).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"

namespace strata::sweep {

// (feature name, value) in a fixed order; the same list for every config.
std::vector<std::pair<std::string, double>> features(const SocConfig& c, const std::string& target);

// The resources an estimate gives, in table order.
const std::vector<std::string>& estimated_resources();

// resource -> predicted count (rounded to the nearest integer, never negative).
// Throws std::runtime_error if `coefficients` has no model of `target`.
std::map<std::string, long> estimate(const SocConfig& c, const std::string& target, const nlohmann::json& coefficients);

// One measured point: its config, and target -> resource -> count.
struct Sample {
  SocConfig config;
  std::map<std::string, std::map<std::string, double>> measured;
};

// The coefficients fitted to `samples` (every target and resource measured).
nlohmann::json fit(const std::vector<Sample>& samples, const std::string& source);

// Reads a sweep's report.csv: the rows with measured resources, their configs (the `config`
// column, relative to the CSV's directory) and target.resource columns.
std::vector<Sample> read_table(const std::string& csv_path);

// Markdown: per target and resource, the number of points and the median,
// 90th-percentile and largest relative error |estimate - real| / max(real, 1).
std::string error_table(const std::vector<Sample>& samples, const nlohmann::json& coefficients);

}  // namespace strata::sweep
