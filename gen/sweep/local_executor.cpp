// The local executor: a pool of at most `jobs` child processes.
#include <fmt/format.h>
#include <sys/wait.h>

#include <map>

#include "sweep/executor.h"
#include "sweep/process.h"

namespace strata::sweep {

namespace {

class LocalExecutor final : public Executor {
 public:
  explicit LocalExecutor(ExecutorOptions o) : o_(std::move(o)) {}
  std::string name() const override { return "local"; }

  std::vector<JobOutcome> run(const std::vector<std::filesystem::path>& dirs) override {
    std::vector<JobOutcome> out(dirs.size());
    std::map<pid_t, std::size_t> running;
    std::size_t next = 0;
    while (next < dirs.size() || !running.empty()) {
      while (next < dirs.size() && static_cast<int>(running.size()) < std::max(1, o_.jobs)) {
        const auto log = dirs[next] / "job.log";
        std::filesystem::remove(log);
        const pid_t pid = spawn({o_.strata.string(), "sweep-point", dirs[next].string()}, log);
        out[next] = {"RUNNING", fmt::format("pid {}", pid), log.string()};
        running[pid] = next++;
      }
      int status = 0;
      const pid_t pid = ::waitpid(-1, &status, 0);
      if (pid < 0) continue;
      const auto it = running.find(pid);
      if (it == running.end()) continue;
      const std::size_t i = it->second;
      running.erase(it);
      const int code = exit_code(status);
      out[i].state = WIFSIGNALED(status) ? fmt::format("killed by signal {}", WTERMSIG(status))
                     : code == 0        ? "COMPLETED"
                                        : fmt::format("exit {}", code);
      if (o_.on_done) o_.on_done(i, out[i]);
    }
    return out;
  }

 private:
  ExecutorOptions o_;
};

}  // namespace

std::unique_ptr<Executor> make_local_executor(const ExecutorOptions& o) { return std::make_unique<LocalExecutor>(o); }

}  // namespace strata::sweep
