// The Slurm executor: one job array (sbatch), one task per point, each task
// running `strata sweep-point DIR`; followed with squeue until every task has
// ended, then asked of sacct where the cluster keeps accounting.
#include <fmt/format.h>
#include <unistd.h>

#include <csignal>

#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "sweep/executor.h"
#include "sweep/point.h"
#include "sweep/process.h"

namespace strata::sweep {

namespace fs = std::filesystem;

namespace {

// Set by SIGINT or SIGTERM while the executor follows its array: it then
// cancels the array (its tasks would otherwise run on, unwatched).
volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int) { g_interrupted = 1; }

// Installs on_interrupt for SIGINT and SIGTERM for its lifetime.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = 0;
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
  }
  ~InterruptGuard() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

const std::set<std::string> kEnded{"COMPLETED", "FAILED",   "CANCELLED", "TIMEOUT",       "NODE_FAIL", "PREEMPTED",
                                   "BOOT_FAIL", "DEADLINE", "REVOKED",   "OUT_OF_MEMORY", "SPECIAL_EXIT"};

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) v.push_back(l);
  return v;
}

std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> f;
  std::string cur;
  for (char c : line) {
    if (c == '|') {
      f.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  f.push_back(cur);
  return f;
}

// The array indices of a squeue job id's suffix: "3", or "[2-5,7%1]".
std::vector<std::size_t> task_indices(std::string s) {
  std::vector<std::size_t> out;
  if (!s.empty() && s.front() == '[') {
    s = s.substr(1, s.find(']') == std::string::npos ? std::string::npos : s.find(']') - 1);
    s = s.substr(0, s.find('%'));
  }
  std::istringstream in(s);
  for (std::string part; std::getline(in, part, ',');) {
    const auto dash = part.find('-');
    const std::string a = part.substr(0, dash), b = dash == std::string::npos ? a : part.substr(dash + 1);
    if (a.empty() || b.empty() || a.find_first_not_of("0123456789") != std::string::npos || b.find_first_not_of("0123456789") != std::string::npos)
      continue;
    for (auto i = std::stoul(a); i <= std::stoul(b) && out.size() < 1000000; ++i) out.push_back(i);
  }
  return out;
}

// "CANCELLED by 0" -> "CANCELLED"
std::string base_state(const std::string& s) { return s.substr(0, s.find(' ')); }

class SlurmExecutor final : public Executor {
 public:
  explicit SlurmExecutor(ExecutorOptions o) : o_(std::move(o)) {}
  std::string name() const override { return "slurm"; }

  std::vector<JobOutcome> run(const std::vector<fs::path>& dirs) override {
    std::vector<JobOutcome> out(dirs.size());
    if (dirs.empty()) return out;
    fs::create_directories(o_.work);
    std::string list;
    for (const auto& d : dirs) list += d.string() + "\n";
    write_atomically(o_.work / "points.txt", list);
    const fs::path script = o_.work / "array.sh";
    std::string s = "#!/bin/bash\n# One task per sweep point: line SLURM_ARRAY_TASK_ID + 1 of points.txt.\n";
    s += "#SBATCH --job-name=strata-sweep\n";
    s += fmt::format("#SBATCH --output={}/task-%A_%a.out\n", o_.work.string());
    s += fmt::format("#SBATCH --array=0-{}%{}\n", dirs.size() - 1, std::max(1, o_.jobs));
    s += "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n";
    if (!o_.slurm.partition.empty()) s += fmt::format("#SBATCH --partition={}\n", o_.slurm.partition);
    if (!o_.slurm.time.empty()) s += fmt::format("#SBATCH --time={}\n", o_.slurm.time);
    if (!o_.slurm.mem.empty()) s += fmt::format("#SBATCH --mem={}\n", o_.slurm.mem);
    s += fmt::format("dir=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {})\n", quoted((o_.work / "points.txt").string()));
    s += fmt::format("exec {} sweep-point \"$dir\"\n", quoted(o_.strata.string()));
    write_atomically(script, s);
    fs::permissions(script, fs::perms::owner_exec, fs::perm_options::add);

    const Captured sub = capture({"sbatch", "--parsable", script.string()});
    if (sub.status != 0) throw std::runtime_error(fmt::format("sbatch {} failed (exit {}): {}", script.string(), sub.status, sub.out));
    const auto sub_lines = lines(sub.out);
    const std::string job = sub_lines.empty() ? "" : sub_lines.back().substr(0, sub_lines.back().find(';'));
    if (job.empty() || job.find_first_not_of("0123456789") != std::string::npos)
      throw std::runtime_error(fmt::format("sbatch printed no job id: {}", sub.out));
    job_ = job;
    fmt::print(stderr, "strata: sweep: submitted job array {} ({} task(s), at most {} at once)\n", job, dirs.size(), std::max(1, o_.jobs));
    for (std::size_t i = 0; i < dirs.size(); ++i) out[i] = {"PENDING", fmt::format("slurm job {}_{}", job, i), (o_.work / fmt::format("task-{}_{}.out", job, i)).string()};

    const InterruptGuard guard;
    std::vector<bool> ended(dirs.size(), false);
    std::size_t n_ended = 0;
    int failures = 0, absent = 0;
    auto mark = [&](std::size_t i, const std::string& state) {
      out[i].state = state;
      if (!ended[i] && kEnded.count(base_state(state))) {
        ended[i] = true;
        ++n_ended;
        if (o_.on_done) o_.on_done(i, out[i]);
      }
    };
    while (n_ended < dirs.size()) {
      if (g_interrupted) {
        (void)capture({"scancel", job});
        throw std::runtime_error(fmt::format("interrupted: job array {} cancelled; run the sweep again with --resume", job));
      }
      const Captured q = capture({"squeue", "-h", "-r", "-t", "all", "-j", job, "-o", "%i|%T"});
      if (q.status != 0) {
        if (++failures > 30) throw std::runtime_error(fmt::format("squeue keeps failing (exit {}): {}", q.status, q.out));
      } else {
        failures = 0;
        const auto ls = lines(q.out);
        absent = ls.empty() ? absent + 1 : 0;
        std::vector<bool> listed(dirs.size(), false);
        for (const auto& l : ls) {
          const auto f = fields(l);
          if (f.size() < 2) continue;
          const auto us = f[0].find('_');
          if (us == std::string::npos || f[0].substr(0, us) != job) continue;
          for (const auto i : task_indices(f[0].substr(us + 1)))
            if (i < dirs.size()) {
              listed[i] = true;
              mark(i, f[1]);
            }
        }
        // A pending task that is cancelled leaves the array at once, without
        // an ended record of its own (the others stay listed until MinJobAge).
        if (!ls.empty())
          for (std::size_t i = 0; i < dirs.size(); ++i)
            if (!listed[i] && !ended[i]) mark(i, "CANCELLED while pending (gone from the queue)");
        // Gone from the queue (the controller forgets ended jobs after MinJobAge).
        if (absent >= 3) break;
      }
      if (n_ended < dirs.size()) std::this_thread::sleep_for(std::chrono::seconds(o_.slurm.poll_seconds));
    }
    // Accounting, where the cluster has it, knows the final state and exit code.
    const Captured acct = capture({"sacct", "-n", "-P", "-X", "-j", job, "-o", "JobID,State,ExitCode"});
    if (acct.status == 0)
      for (const auto& l : lines(acct.out)) {
        const auto f = fields(l);
        const auto us = f[0].find('_');
        if (f.size() < 3 || us == std::string::npos) continue;
        const std::string idx = f[0].substr(us + 1);
        if (idx.empty() || idx.find_first_not_of("0123456789") != std::string::npos) continue;
        const auto i = static_cast<std::size_t>(std::stoul(idx));
        if (i < dirs.size()) {
          mark(i, base_state(f[1]));
          out[i].state = fmt::format("{} (exit code {})", base_state(f[1]), f[2]);
        }
      }
    for (std::size_t i = 0; i < dirs.size(); ++i)
      if (!ended[i]) mark(i, out[i].state == "PENDING" ? "UNKNOWN (left the queue unseen)" : out[i].state + " (last seen)");
    return out;
  }

 private:
  ExecutorOptions o_;
  std::string job_;
};

}  // namespace

std::unique_ptr<Executor> make_slurm_executor(const ExecutorOptions& o) { return std::make_unique<SlurmExecutor>(o); }

}  // namespace strata::sweep
