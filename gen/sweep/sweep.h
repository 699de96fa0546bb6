// `strata sweep`: plan the points of a sweep file, run the ones that need
// running on an executor, record the points that ended without a result,
// and write the reports.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "sweep/sweep_file.h"

namespace strata::sweep {

struct SweepOptions {
  std::string executor = "local";  // local or slurm
  int jobs = 0;                    // 0: the number of cores (local), no limit but the array's size (slurm)
  bool resume = false;             // skip the points whose result is ok
  bool report_only = false;        // run nothing: write the reports of the results there are
  std::filesystem::path strata;    // the strata binary the jobs run
  std::filesystem::path plot_script;  // scripts/sweep_plot.py; empty: no plots
};

struct SweepSummary {
  std::size_t points = 0, skipped = 0, ran = 0, ok = 0, failed = 0;
};

SweepSummary run_sweep(const SweepSpec& s, const SweepOptions& o);

}  // namespace strata::sweep
