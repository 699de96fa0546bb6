#include "sweep/sweep.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "sweep/executor.h"
#include "sweep/point.h"
#include "sweep/process.h"
#include "sweep/report.h"

namespace strata::sweep {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// One sweep at a time per output directory.
class DirLock {
 public:
  explicit DirLock(const fs::path& dir) {
    fs::create_directories(dir);
    fd_ = ::open((dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX | LOCK_NB) != 0)
      throw std::runtime_error(fmt::format("{}: another sweep is running in this directory", dir.string()));
  }
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

SweepSummary run_sweep(const SweepSpec& s, const SweepOptions& o) {
  DirLock lock(s.output);
  const auto points = plan(s);
  SweepSummary sum;
  sum.points = points.size();
  std::vector<fs::path> dirs;
  std::vector<const Point*> to_run;
  if (o.report_only) {
    const Table t = make_table(s, points);
    for (const auto& r : t.rows) (r.result.is_object() && r.result.value("status", "") == "ok" ? sum.ok : sum.failed)++;
    write_reports(t, s.output, fmt::format("Sweep {}", s.name));
    fmt::print(stderr, "strata: sweep '{}': reports of {} point(s) ({} ok) written to {}/report.{{md,csv,json}}; nothing run\n", s.name, points.size(),
               sum.ok, s.output.string());
    return sum;
  }
  for (const auto& p : points) {
    write_point(s, p);
    if (o.resume && complete(p.dir)) {
      ++sum.skipped;
      continue;
    }
    fs::remove(p.dir / "result.json");  // a point that ends without writing one is recorded below
    dirs.push_back(p.dir);
    to_run.push_back(&p);
  }
  std::size_t duplicates = 0;
  for (const auto& p : points) duplicates += p.indices.size() - 1;
  fmt::print(stderr, "strata: sweep '{}': {} point(s){}, {} to run, {} complete (skipped); executor {}\n", s.name, points.size(),
             duplicates ? fmt::format(" ({} duplicate config(s) merged)", duplicates) : "", dirs.size(), sum.skipped, o.executor);

  ExecutorOptions eo;
  eo.strata = o.strata;
  eo.work = s.output / o.executor;
  eo.jobs = o.jobs > 0 ? o.jobs : (o.executor == "local" ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) : static_cast<int>(dirs.size()));
  eo.slurm = s.slurm;
  std::size_t done = 0;
  eo.on_done = [&](std::size_t i, const JobOutcome& out) {
    const json r = read_result(dirs[i]);
    const std::string st = r.is_object() ? r.value("status", "?") : "no result (" + out.state + ")";
    fmt::print(stderr, "strata: sweep: [{}/{}] point {} {}: {}{}\n", ++done, dirs.size(), fmt::join(to_run[i]->indices, "+"), to_run[i]->key, st,
               r.is_object() && r.contains("reason") ? " - " + r["reason"].get<std::string>() : "");
  };
  auto executor = o.executor == "slurm" ? make_slurm_executor(eo) : make_local_executor(eo);
  const auto t0 = std::chrono::steady_clock::now();
  const auto outcomes = executor->run(dirs);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // A job that ended without a result (cancelled, killed, lost): record why.
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    ++sum.ran;
    const json r = read_result(dirs[i]);
    if (r.is_object()) continue;
    json f;
    f["key"] = to_run[i]->key;
    f["values"] = to_run[i]->values;
    f["indices"] = to_run[i]->indices;
    f["status"] = "failed";
    f["failed_stage"] = "executor";
    f["reason"] = fmt::format("{} job ended without a result: {} ({})", executor->name(), outcomes[i].state, outcomes[i].detail);
    f["executor_log"] = outcomes[i].log;
    write_result(dirs[i], f);
  }
  Table t = make_table(s, points);
  for (const auto& r : t.rows) {
    if (r.result.is_object() && r.result.value("status", "") == "ok")
      ++sum.ok;
    else
      ++sum.failed;
  }
  write_reports(t, s.output, fmt::format("Sweep {}", s.name));
  json timing{{"executor", o.executor}, {"jobs", eo.jobs}, {"points_run", dirs.size()}, {"wall_seconds", secs}};
  if (!dirs.empty()) write_atomically(s.output / "timing.json", timing.dump(2) + "\n");  // the last sweep that ran something
  if (!o.plot_script.empty() && !t.targets.empty()) {
    // Debian's python3 has Debian's matplotlib (a python3 earlier in PATH may not).
    const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    const int rc = run_logged({python, o.plot_script.string(), (s.output / "report.json").string(), s.output.string()}, s.output / "plot.log");
    if (rc != 0) fmt::print(stderr, "strata: sweep: warning: the plots were not drawn (exit {}); see {}\n", rc, (s.output / "plot.log").string());
  }
  fmt::print(stderr, "strata: sweep '{}': {} ok, {} failed, {} skipped; {:.1f} s; reports {}/report.{{md,csv,json}}\n", s.name, sum.ok, sum.failed,
             sum.skipped, secs, s.output.string());
  return sum;
}

}  // namespace strata::sweep
