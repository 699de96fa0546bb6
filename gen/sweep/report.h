// The table of a sweep: one row per point with its axis values, resources and
// Fmax per synthesis target, cycles per inference and inferences per second
// where measured, and the Pareto front marked. Written as report.csv,
// report.json and report.md in the sweep's output directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sweep/point.h"
#include "sweep/sweep_file.h"

namespace strata::sweep {

// The resource columns of each target, in table order.
const std::vector<std::string>& resource_columns();

struct Row {
  Point point;
  nlohmann::json result;  // result.json, or null
  double cost = -1;        // LUTs of the first synthesis target; < 0: not measured
  double perf = -1;        // inferences/s, else Fmax (MHz) of the first target; < 0: not measured
  bool pareto = false;
};

struct Table {
  std::vector<std::string> axes;
  std::vector<std::string> targets;
  std::string cost_name, perf_name;  // the Pareto objectives (empty perf: no front)
  std::vector<Row> rows;
};

Table make_table(const SweepSpec& s, const std::vector<Point>& points);
// Marks the rows that no other row beats in both objectives (fewer LUTs and
// more performance, one of them strictly).
void mark_pareto(Table& t);

std::string to_csv(const Table& t);
std::string to_markdown(const Table& t, const std::string& title);
nlohmann::json to_json(const Table& t);

// Writes report.csv, report.json and report.md into `dir`, each atomically.
void write_reports(const Table& t, const std::filesystem::path& dir, const std::string& title);

}  // namespace strata::sweep
