// strata sweep and strata estimate: the sweep file's errors, the plan of
// points, the local executor (points, a failing point, resume after an
// interruption, synthesis keyed by the config hash), the reports and the
// Pareto front, and the estimate's fit.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "support.h"
#include "sweep/estimate.h"
#include "sweep/point.h"
#include "sweep/report.h"
#include "sweep/sweep_file.h"

namespace strata::sweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_support::Outcome;
using test_support::slurp;

const fs::path kSource = STRATA_SOURCE;
const fs::path kBad = kSource / "tests" / "sweep" / "bad";

// The temporary directories of this run, removed at the end if every test passed.
std::vector<fs::path>& temporaries() {
  static std::vector<fs::path> v;
  return v;
}
class RemoveTemporaries : public ::testing::Environment {
 public:
  void TearDown() override {
    if (!::testing::UnitTest::GetInstance()->Passed()) return;
    for (const auto& d : temporaries()) fs::remove_all(d);
  }
};
[[maybe_unused]] const auto* const kRemoveTemporaries = ::testing::AddGlobalTestEnvironment(new RemoveTemporaries);

fs::path fresh(const std::string& tag) {
  const fs::path d = fs::temp_directory_path() / fmt::format("strata-test-sweep-{}-{}", ::getpid(), tag);
  fs::remove_all(d);
  fs::create_directories(d);
  temporaries().push_back(d);
  return d;
}

// A sweep file in `dir` over the default AU config.
fs::path write_sweep(const fs::path& dir, const std::string& body) {
  const fs::path f = dir / "sweep.yaml";
  std::ofstream(f) << fmt::format("base: {}\n", (kSource / "gen" / "configs" / "default.yaml").string()) << body;
  return f;
}

std::vector<std::vector<std::string>> csv(const fs::path& f) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(slurp(f));
  for (std::string l; std::getline(in, l);) {
    std::vector<std::string> cells;
    std::string cur;
    bool q = false;
    for (char c : l) {
      if (c == '"') q = !q;
      else if (c == ',' && !q) {
        cells.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    cells.push_back(cur);
    rows.push_back(cells);
  }
  return rows;
}

std::string column(const std::vector<std::vector<std::string>>& t, std::size_t row, const std::string& name) {
  for (std::size_t c = 0; c < t[0].size(); ++c)
    if (t[0][c] == name) return t.at(row).at(c);
  ADD_FAILURE() << "no column " << name;
  return "";
}

std::string expected_message(const fs::path& p) {
  const std::string text = slurp(p);
  const std::string tag = "# expect: ";
  if (text.rfind(tag, 0) != 0) return "";
  const auto eol = text.find('\n');
  return p.string() + ":" + text.substr(tag.size(), eol - tag.size());
}

// ---------------------------------------------------------------------------
// The sweep file

TEST(SweepFile, EveryBadFileGivesItsExactMessage) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(kBad)) {
    const fs::path p = e.path();
    const std::string expected = expected_message(p);
    ASSERT_FALSE(expected.empty()) << p << " has no '# expect:' first line";
    try {
      (void)load_sweep(p);
      ADD_FAILURE() << p << " was accepted";
    } catch (const ConfigError& err) {
      EXPECT_EQ(std::string(err.what()), expected);
    }
    ++n;
  }
  EXPECT_GE(n, 18u);
}

TEST(SweepFile, TheCommandLineReportsABadFileWithExitTwo) {
  const fs::path p = kBad / "05_axis_not_config_key.yaml";
  const Outcome r = test_support::run_strata("sweep " + p.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, expected_message(p) + "\n");
}

TEST(SweepFile, GridIsEveryCombinationLastAxisFastest) {
  const fs::path d = fresh("grid");
  SweepSpec s = load_sweep(write_sweep(d, "axes:\n  au.pipeline_stages: [0, 1, 2]\n  au.formats: [[int8], [int4, int8]]\nstages: [generate]\n"));
  s.output = d / "out";
  const auto points = plan(s);
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(points[0].values, json::parse(R"({"au.pipeline_stages": 0, "au.formats": ["int8"]})"));
  EXPECT_EQ(points[1].values, json::parse(R"({"au.pipeline_stages": 0, "au.formats": ["int4", "int8"]})"));
  EXPECT_EQ(points[5].values, json::parse(R"({"au.pipeline_stages": 2, "au.formats": ["int4", "int8"]})"));
  std::set<std::string> keys;
  for (const auto& p : points) {
    ASSERT_TRUE(p.valid);
    // The key is the hash of the point's canonical config.
    EXPECT_EQ(p.key, config_hash(parse_config(p.config_text, "x")));
    EXPECT_EQ(p.dir, s.output / "points" / p.key);
    keys.insert(p.key);
  }
  EXPECT_EQ(keys.size(), 6u);
  const SocConfig c = parse_config(points[4].config_text, "x");
  EXPECT_EQ(c.au.pipeline_stages, 2);
  EXPECT_EQ(c.au.formats, (std::vector<golden::Format>{golden::Format::int8}));
  EXPECT_EQ(c.au.max_accumulations, 1024u);  // from the base
}

TEST(SweepFile, RandomSamplesAreReplayableAndDuplicatesMerge) {
  const fs::path d = fresh("random");
  const std::string body = "axes:\n  au.pipeline_stages: [0, 1]\n  au.share: [true, false]\nsampling: random\nsamples: 12\nseed: 5\nstages: [generate]\n";
  SweepSpec s = load_sweep(write_sweep(d, body));
  s.output = d / "out";
  const auto a = plan(s), b = plan(s);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].key, b[i].key);
  // 12 samples of 4 possible configs: duplicates share one point.
  EXPECT_LE(a.size(), 4u);
  std::size_t indices = 0;
  for (const auto& p : a) indices += p.indices.size();
  EXPECT_EQ(indices, 12u);
}

TEST(SweepFile, AnAxisCreatesAMissingSection) {
  const fs::path d = fresh("section");
  SweepSpec s = load_sweep(write_sweep(d, "axes:\n  nn.pes: [1, 2]\nstages: [generate]\n"));
  s.output = d / "out";
  const auto points = plan(s);
  ASSERT_EQ(points.size(), 2u);
  const SocConfig c = parse_config(points[1].config_text, "x");
  ASSERT_TRUE(c.nn.has_value());
  EXPECT_EQ(c.nn->pes, 2);
}

// ---------------------------------------------------------------------------
// The local executor

TEST(SweepLocal, GenerateAndLintFourPoints) {
  const fs::path d = fresh("local");
  const fs::path f = write_sweep(d, "name: four\naxes:\n  au.pipeline_stages: [0, 1]\n  au.formats: [[int8], [int4, int8]]\nstages: [generate, lint]\n");
  const Outcome r = test_support::run_strata(fmt::format("sweep {} --jobs 2 -o {}", f.string(), (d / "out").string()));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("sweep 'four': 4 ok, 0 failed, 0 skipped"), std::string::npos) << r.err;
  const auto t = csv(d / "out" / "report.csv");
  ASSERT_EQ(t.size(), 5u);
  for (std::size_t i = 1; i < t.size(); ++i) {
    EXPECT_EQ(column(t, i, "status"), "ok");
    const fs::path dir = d / "out" / "points" / column(t, i, "key");
    const json res = json::parse(slurp(dir / "result.json"));
    EXPECT_EQ(res["status"], "ok");
    EXPECT_TRUE(res["stages"]["generate"]["ok"].get<bool>());
    EXPECT_TRUE(res["stages"]["lint"]["ok"].get<bool>());
    EXPECT_TRUE(fs::exists(dir / "design" / "manifest.json"));
    EXPECT_NE(slurp(dir / "log.txt").find("lint clean"), std::string::npos);
    // The point's directory is named by its config's hash.
    EXPECT_EQ(column(t, i, "key"), config_hash(load_config(dir / "config.yaml")));
  }
  EXPECT_EQ(column(t, 1, "au.formats"), "int8");
  EXPECT_EQ(column(t, 2, "au.formats"), "int4+int8");
  const std::string md = slurp(d / "out" / "report.md");
  EXPECT_NE(md.find("| point | key | status | au.pipeline_stages | au.formats |"), std::string::npos) << md;
  EXPECT_NE(md.find("4 point(s), 4 ok, 0 not."), std::string::npos) << md;
  const json j = json::parse(slurp(d / "out" / "report.json"));
  EXPECT_EQ(j["points"].size(), 4u);
}

TEST(SweepLocal, AFailingPointIsRecordedAndTheRestComplete) {
  const fs::path d = fresh("failing");
  // au.pipeline_stages: 3 breaks the rule "0 to 2".
  const fs::path f = write_sweep(d, "axes:\n  au.pipeline_stages: [1, 3, 0]\n  au.formats: [[int8]]\nstages: [generate, lint]\n");
  const Outcome r = test_support::run_strata(fmt::format("sweep {} --jobs 2 -o {}", f.string(), (d / "out").string()));
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("1 of 3 point(s) failed"), std::string::npos) << r.err;
  const auto t = csv(d / "out" / "report.csv");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(column(t, 1, "status"), "ok");
  EXPECT_EQ(column(t, 2, "status"), "failed");
  EXPECT_EQ(column(t, 3, "status"), "ok");
  const std::string reason = column(t, 2, "reason");
  EXPECT_EQ(reason, "config.yaml:5:20: error: au.pipeline_stages: 3 is out of range; allowed: an integer from 0 to 2");
  const fs::path dir = d / "out" / "points" / column(t, 2, "key");
  EXPECT_EQ(column(t, 2, "key").rfind("invalid-", 0), 0u);
  const json res = json::parse(slurp(dir / "result.json"));
  EXPECT_EQ(res["failed_stage"], "config");
  EXPECT_NE(slurp(dir / "log.txt").find("3 is out of range"), std::string::npos);
}

// Starts `strata ARGS` in its own process group; returns its pid.
pid_t start_strata(const std::vector<std::string>& args, const fs::path& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    std::freopen(log.c_str(), "w", stderr);
    std::freopen("/dev/null", "w", stdout);
    std::vector<char*> argv{const_cast<char*>(STRATA_EXE_PATH)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(STRATA_EXE_PATH, argv.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  return pid;
}

TEST(SweepLocal, ResumeAfterAnInterruptedSweepRunsOnlyTheRest) {
  const fs::path d = fresh("resume");
  const fs::path out = d / "out";
  const fs::path f = write_sweep(d, "axes:\n  au.pipeline_stages: [0, 1]\n  au.formats: [[int8], [int4, int8]]\nstages: [generate, lint]\n");
  SweepSpec s = load_sweep(f);
  s.output = out;
  const auto points = plan(s);
  ASSERT_EQ(points.size(), 4u);
  // One point at a time; stop the whole sweep (and its jobs) once the first is complete.
  const pid_t pid = start_strata({"sweep", f.string(), "--jobs", "1", "-o", out.string()}, d / "first.log");
  bool first_done = false;
  for (int i = 0; i < 1200 && !first_done; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    first_done = complete(points[0].dir);
  }
  ::kill(-pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(first_done) << slurp(d / "first.log");
  std::size_t done = 0;
  for (const auto& p : points) done += complete(p.dir);
  ASSERT_GE(done, 1u);
  ASSERT_LT(done, 4u) << "the sweep ended before it was interrupted";
  EXPECT_FALSE(fs::exists(out / "report.csv"));
  const std::string kept = slurp(points[0].dir / "result.json");

  const Outcome r = test_support::run_strata(fmt::format("sweep {} --jobs 2 --resume -o {}", f.string(), out.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find(fmt::format("4 point(s), {} to run, {} complete (skipped)", 4 - done, done)), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(fmt::format("4 ok, 0 failed, {} skipped", done)), std::string::npos) << r.err;
  EXPECT_EQ(slurp(points[0].dir / "result.json"), kept);  // not run again
  for (const auto& p : points) EXPECT_TRUE(complete(p.dir)) << p.key;
  const auto t = csv(out / "report.csv");
  EXPECT_EQ(t.size(), 5u);
}

TEST(SweepLocal, SynthesisIsKeyedByTheConfigHashAndNeverRepeated) {
  const fs::path d = fresh("synth");
  const fs::path out = d / "out";
  // One small AU, yosys only (xc7 is never placed, the UP5K not with place:
  // false): two sweeps of the same point.
  const fs::path f =
      write_sweep(d, "axes:\n  au.formats: [[int8]]\n  au.pipeline_stages: [0]\nstages: [synth]\nsynth:\n  targets: [xc7, ice40-up5k]\n  place: false\n");
  const std::string cmd = fmt::format("sweep {} -o {} --no-plots", f.string(), out.string());
  const Outcome first = test_support::run_strata(cmd);
  ASSERT_EQ(first.status, 0) << first.err;
  const auto t = csv(out / "report.csv");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_GT(std::stol(column(t, 1, "xc7.lut")), 0);
  EXPECT_GT(std::stol(column(t, 1, "xc7.ff")), 0);
  EXPECT_GT(std::stol(column(t, 1, "ice40-up5k.lut")), 0);
  EXPECT_EQ(column(t, 1, "ice40-up5k.fmax_mhz"), "");  // not placed
  const fs::path dir = out / "points" / column(t, 1, "key");
  EXPECT_FALSE(json::parse(slurp(dir / "synth-ice40-up5k" / "report.json")).contains("placed"));
  EXPECT_FALSE(fs::exists(dir / "synth-ice40-up5k" / "design.asc"));
  const auto stamp = fs::last_write_time(dir / "synth-xc7" / "synth.json");
  const Outcome second = test_support::run_strata(cmd);  // not --resume: the point runs again, its synthesis does not
  ASSERT_EQ(second.status, 0) << second.err;
  const json res = json::parse(slurp(dir / "result.json"));
  EXPECT_TRUE(res["stages"]["synth-xc7"]["reused"].get<bool>());
  EXPECT_TRUE(res["stages"]["synth-ice40-up5k"]["reused"].get<bool>());
  EXPECT_EQ(fs::last_write_time(dir / "synth-xc7" / "synth.json"), stamp);
  EXPECT_EQ(csv(out / "report.csv")[1], t[1]);
}

// ---------------------------------------------------------------------------
// Reports

Row row_with(double cost, double perf) {
  Row r;
  r.cost = cost;
  r.perf = perf;
  return r;
}

TEST(SweepReport, TheParetoFrontIsThePointsNoneBeats) {
  Table t;
  t.rows = {row_with(100, 10), row_with(200, 30), row_with(150, 5), row_with(200, 20), row_with(300, 30), row_with(-1, -1), row_with(100, 10)};
  mark_pareto(t);
  std::vector<bool> got;
  for (const auto& r : t.rows) got.push_back(r.pareto);
  // 150/5 is beaten by 100/10; 200/20 by 200/30; 300/30 by 200/30; equal points are both on the front.
  EXPECT_EQ(got, (std::vector<bool>{true, true, false, false, false, false, true}));
}

TEST(SweepReport, TablesFromResultsWithInferencesPerSecondAndTheFront) {
  // Three synthesized and run points (results written as sweep-point writes
  // them), one failed: the table, the inferences per second and the front.
  const fs::path d = fresh("report");
  SweepSpec s = load_sweep(write_sweep(d, "axes:\n  au.pipeline_stages: [0, 1, 2]\n  au.share: [true, false]\nstages: [synth, run]\nsynth:\n  targets: [ice40-up5k]\n"));
  s.output = d / "out";
  auto points = plan(s);
  ASSERT_EQ(points.size(), 6u);
  const double lut[] = {1000, 1200, 900, 1500};
  const double fmax[] = {20, 30, 10, 25};
  for (std::size_t i = 0; i < 4; ++i) {
    write_point(s, points[i]);
    json r{{"status", "ok"}, {"key", points[i].key}};
    r["synth"]["ice40-up5k"] = {{"lut", lut[i]}, {"ff", 100}, {"fmax_mhz", fmax[i]}};
    r["run"] = {{"cycles_per_inference", 10000}};
    write_result(points[i].dir, r);
  }
  write_point(s, points[4]);
  write_result(points[4].dir, json{{"status", "failed"}, {"reason", "synth-ice40-up5k failed (exit 1): too big"}});
  Table t = make_table(s, points);  // point 5 has no result: not run
  EXPECT_EQ(t.perf_name, "inferences per second (more is better)");
  // 1000/2000 and 1200/3000 and 900/1000 are on the front; 1500/2500 is beaten by 1200/3000.
  std::vector<bool> front;
  for (const auto& r : t.rows) front.push_back(r.pareto);
  EXPECT_EQ(front, (std::vector<bool>{true, true, true, false, false, false}));
  write_reports(t, s.output, "t");
  const auto rows = csv(s.output / "report.csv");
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(column(rows, 2, "inferences_per_s"), "3000.0");  // 30 MHz / 10000 cycles
  EXPECT_EQ(column(rows, 2, "ice40-up5k.lut"), "1200.00");
  EXPECT_EQ(column(rows, 2, "pareto"), "yes");
  EXPECT_EQ(column(rows, 4, "pareto"), "");
  EXPECT_EQ(column(rows, 5, "status"), "failed");
  EXPECT_EQ(column(rows, 5, "reason"), "synth-ice40-up5k failed (exit 1): too big");
  EXPECT_EQ(column(rows, 6, "status"), "not run");
  const json j = json::parse(slurp(s.output / "report.json"));
  EXPECT_EQ(j["points"][1]["inferences_per_s"].get<double>(), 3000.0);
  EXPECT_TRUE(j["points"][0]["pareto"].get<bool>());
  // The plot script draws the table (Debian's python3-matplotlib).
  const std::string plot = fmt::format("/usr/bin/python3 '{}' '{}' '{}' > '{}' 2>&1", (kSource / "scripts" / "sweep_plot.py").string(),
                                       (s.output / "report.json").string(), s.output.string(), (d / "plot.log").string());
  ASSERT_EQ(std::system(plot.c_str()), 0) << slurp(d / "plot.log");
  EXPECT_EQ(slurp(s.output / "pareto.png").substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

// ---------------------------------------------------------------------------
// The estimate

TEST(Estimate, FitRecoversALinearModelOfTheFeatures) {
  // Resources made by a known linear model of the features: the fit must find it.
  std::vector<Sample> samples;
  int n = 0;
  for (int pes : {1, 2, 3})
    for (int aus : {1, 2, 4})
      for (const char* formats : {"[int8]", "[int4, int8]", "[int8, int16]"}) {
        const SocConfig c = parse_config(fmt::format("name: p{}\nau:\n  formats: {}\nnn:\n  pes: {}\n  aus_per_pe: {}\n", n++, formats, pes, aus), "x");
        double lut = 0, ff = 0;
        for (const auto& [name, v] : features(c, "xc7")) {
          if (name == "base") lut += 50 * v;
          if (name == "au.int8") lut += 300 * v, ff += 40 * v;
          if (name == "au.int4") lut += 120 * v;
          if (name == "au.int16") lut += 700 * v;
          if (name == "nn.pes") ff += 90 * v;
        }
        samples.push_back({c, {{"xc7", {{"lut", lut}, {"ff", ff}}}}});
      }
  const json coef = fit(samples, "synthetic");
  // Features that always come together (int8 and the multipliers, here)
  // share their cost in any proportion; the predictions are what is fixed.
  const SocConfig probe = parse_config("name: q\nau:\n  formats: [int4, int8, int16]\nnn:\n  pes: 2\n  aus_per_pe: 3\n", "x");
  const auto e = estimate(probe, "xc7", coef);
  EXPECT_NEAR(static_cast<double>(e.at("lut")), 50 + 6 * (300 + 120 + 700), 2);
  EXPECT_NEAR(static_cast<double>(e.at("ff")), 6 * 40 + 2 * 90, 2);
  const std::string table = error_table(samples, coef);
  EXPECT_NE(table.find("| xc7 | lut | 27 | 0.0% | 0.0% |"), std::string::npos) << table;
}

TEST(Estimate, MemoriesAreCountedFromTheirSizes) {
  const SocConfig c = parse_config(
      "name: m\nau:\n  formats: [int8]\nnn:\n  pes: 2\n  aus_per_pe: 2\n  act_words: 2048\n  weight_words: 1024\n  ctrl_words: 1024\n  weight_memory: bram\n", "x");
  auto value = [](const std::vector<std::pair<std::string, double>>& f, const std::string& name) {
    for (const auto& [k, v] : f)
      if (k == name) return v;
    return -1.0;
  };
  // iCE40: 256 x 16 per block; act 2048/256 = 8, ctrl 1024/128 = 8, weights 4 x 1024/256 = 16.
  EXPECT_EQ(value(features(c, "ice40-up5k"), "mem.bram_blocks"), 32);
  // xc7: 1024 x 18 per RAMB18; act 2, ctrl 2, weights 4 x 1.
  EXPECT_EQ(value(features(c, "xc7"), "mem.bram_blocks"), 8);
}

TEST(Estimate, TheCommandPrintsTheShippedModelsEstimate) {
  const Outcome r = test_support::run_strata(fmt::format("estimate {} --target ice40-up5k", (kSource / "gen" / "configs" / "nn_small.yaml").string()));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("| config | target | bram | carry | dsp | ff | lut | spram |\n|---|---|---|---|---|---|---|---|\n| nn_small | ice40-up5k |", 0), 0u)
      << r.out;
}

}  // namespace
}  // namespace strata::sweep
