// Where the points of a sweep run. An executor takes the directories of the
// points to run (each prepared by write_point) and runs `strata sweep-point
// DIR` for each, somewhere; it returns when every one has ended. A point's
// own result.json is written by sweep-point; an executor reports only what
// it saw of each job (its state and why it ended), for the points that end
// without a result.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sweep/sweep_file.h"

namespace strata::sweep {

struct JobOutcome {
  std::string state;   // e.g. COMPLETED, FAILED, CANCELLED, exit 1, signal 9
  std::string detail;  // e.g. "slurm job 12_3", "pid 4711"
  std::string log;     // the executor's own log of the job
};

struct ExecutorOptions {
  std::filesystem::path strata;  // the strata binary each job runs
  std::filesystem::path work;    // a directory for the executor's own files
  int jobs = 1;                  // at most this many points at once
  SlurmSettings slurm;
  // Called (from the executor's thread) when a point's job has ended.
  std::function<void(std::size_t index, const JobOutcome&)> on_done;
};

class Executor {
 public:
  virtual ~Executor() = default;
  virtual std::string name() const = 0;
  // Runs every point; outcome i belongs to dirs[i].
  virtual std::vector<JobOutcome> run(const std::vector<std::filesystem::path>& dirs) = 0;
};

std::unique_ptr<Executor> make_local_executor(const ExecutorOptions& o);
std::unique_ptr<Executor> make_slurm_executor(const ExecutorOptions& o);

}  // namespace strata::sweep
