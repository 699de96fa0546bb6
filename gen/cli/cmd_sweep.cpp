// strata sweep SWEEP.yaml: run a design-space sweep (docs/sweep.md);
// strata sweep-point DIR: run the stages of one point (what each job runs).
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/tools.h"
#include "strata_version.h"
#include "sweep/point.h"
#include "sweep/process.h"
#include "sweep/sweep.h"

namespace strata::cli {

namespace fs = std::filesystem;

void add_sweep(CLI::App& app) {
  auto* cmd = app.add_subcommand("sweep", "Run a design-space sweep: generate, lint, co-simulate, synthesize, run each point (docs/sweep.md)");
  struct Options {
    std::string file, output, executor = "local", partition, time, mem;
    int jobs = 0;
    bool resume = false, no_plots = false, report_only = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("SWEEP", o->file, "sweep file (YAML)")->required();
  cmd->add_option("--executor", o->executor, "where the points run: a pool of local processes, or a Slurm job array")
      ->check(CLI::IsMember({"local", "slurm"}))
      ->capture_default_str();
  cmd->add_option("-j,--jobs", o->jobs, "points at once (default: local, the number of cores; slurm, every task of the array)")->check(CLI::Range(1, 4096));
  cmd->add_flag("--resume", o->resume, "skip the points whose result is complete (status ok); run the rest");
  cmd->add_option("-o,--output", o->output, "output directory (default build/sweep/<name>)");
  cmd->add_option("--partition", o->partition, "slurm: partition (overrides the sweep file's slurm.partition)");
  cmd->add_option("--time", o->time, "slurm: time limit of each task, e.g. 00:30:00 (overrides slurm.time)");
  cmd->add_option("--mem", o->mem, "slurm: memory of each task, e.g. 2G (overrides slurm.mem)");
  cmd->add_flag("--no-plots", o->no_plots, "do not draw the PNG plots");
  cmd->add_flag("--report-only", o->report_only, "run nothing: write the reports of the results the output directory has");
  cmd->callback([o] {
    sweep::SweepSpec s = sweep::load_sweep(o->file);
    s.output = fs::absolute(o->output.empty() ? fs::path("build") / "sweep" / s.name : fs::path(o->output));
    if (!o->partition.empty()) s.slurm.partition = o->partition;
    if (!o->time.empty()) s.slurm.time = o->time;
    if (!o->mem.empty()) s.slurm.mem = o->mem;
    sweep::SweepOptions so;
    so.executor = o->executor;
    so.jobs = o->jobs;
    so.resume = o->resume;
    so.report_only = o->report_only;
    so.strata = sweep::self_exe();
    if (!o->no_plots) so.plot_script = fs::path(STRATA_SOURCE_DIR) / "scripts" / "sweep_plot.py";
    const auto sum = sweep::run_sweep(s, so);
    if (sum.failed > 0) throw CliError(fmt::format("sweep '{}': {} of {} point(s) failed; see {}/report.md", s.name, sum.failed, sum.points, s.output.string()));
  });

  auto* point = app.add_subcommand("sweep-point", "Run the stages of one sweep point (the job each executor runs; writes DIR/result.json)");
  auto dir = std::make_shared<std::string>();
  point->add_option("DIR", *dir, "the point's directory (with point.json and config.yaml)")->required()->check(CLI::ExistingDirectory);
  point->callback([dir] {
    if (!sweep::run_point(*dir, sweep::self_exe())) throw CliError(fmt::format("point {} failed; see {}/result.json", *dir, *dir));
  });
}

}  // namespace strata::cli
