// Malformed descriptors and the engine's status registers: a valid one-layer
// program with one descriptor field (or DESC_BASE) corrupted at a time must
// stop the engine with the right error code (STATUS[15:8], ERR_DESC), never
// write outside the activation memory or outside the layer's own output, and
// leave no state behind (the next valid run is bit-exact). Also HWINFO, the
// CYCLES/MACS/STALLS/LAYERS counters and irq_o.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "nn/nn_fixture.h"

namespace strata::nn_test {
namespace {

using runtime::DeviceError;
using runtime::Placement;
using runtime::Program;
using Desc = std::vector<std::uint32_t>;

constexpr std::uint64_t kBudget = 2'000'000;

const NnConfig& nc() { return *config().nn; }
int G() { return nc().channels(); }

int reg(const char* name) { return nn::register_index(name); }
std::uint32_t act_addr(int i) { return nn::region_base(nn::Region::act) + static_cast<std::uint32_t>(i); }
std::uint32_t ctrl_addr(std::int64_t i) { return nn::region_base(nn::Region::ctrl) + static_cast<std::uint32_t>(i); }

// The known contents of the activation memory before every error run.
std::uint16_t pattern(int i) { return static_cast<std::uint16_t>(0xA5C3u ^ (static_cast<unsigned>(i) * 0x9E37u)); }

struct Status {
  std::uint32_t raw = 0;
  bool busy() const { return raw & nn::kStatusBusy; }
  bool done() const { return raw & nn::kStatusDone; }
  nn::Error error() const { return static_cast<nn::Error>((raw >> nn::kStatusErrorShift) & 0xff); }
};
Status status() { return {device().read_reg(reg("STATUS"))}; }
unsigned code(nn::Error e) { return static_cast<unsigned>(e); }

// A compiled one-layer model, its input and its own descriptor.
struct Layer {
  gn::Model model;
  gn::Tensor input;
  Program prog;
  std::uint32_t desc_addr = 0;
  Desc desc;
};

Layer make_layer(gn::LayerKind kind, gn::Padding pad, int out_ch, std::uint64_t seed = 7) {
  Rng r(seed);
  Layer L;
  const int in_len = 8, in_ch = 3, kernel = kind == gn::LayerKind::dense ? 1 : 3;
  L.model = one_layer_model(r, kind, in_len, in_ch, out_ch, kernel, 1, 1, pad);
  L.input = random_tensor(r, in_len, in_ch);
  L.prog = compile(config(), L.model);
  L.desc_addr = L.prog.layers.at(0).desc_addr;
  L.desc.assign(L.prog.ctrl.begin() + L.desc_addr, L.prog.ctrl.begin() + L.desc_addr + nn::kDescriptorWords);
  return L;
}
// conv1d [8, 3] -> [6, G + 1], kernel 3: two channel groups, two channel pairs per tap.
Layer conv(gn::Padding pad = gn::Padding::valid) { return make_layer(gn::LayerKind::conv1d, pad, G() + 1); }

std::int64_t f(const Desc& d, const char* name) { return nn::get_field(d, name); }

void write_desc(std::int64_t addr, const Desc& d) {
  for (int i = 0; i < nn::kDescriptorWords; ++i) device().write_mem(ctrl_addr(addr + i), d[static_cast<std::size_t>(i)]);
}

// Loads the program, fills the whole activation memory with the pattern and
// writes the input; returns the activation memory image that makes.
std::vector<std::uint16_t> prepare(const Layer& L) {
  runtime::load_program(device(), config(), L.prog);
  std::vector<std::uint16_t> img(static_cast<std::size_t>(nc().act_words));
  for (int i = 0; i < nc().act_words; ++i) {
    img[static_cast<std::size_t>(i)] = pattern(i);
    device().write_mem(act_addr(i), pattern(i));
  }
  const Placement& in = L.prog.tensors.at(L.model.input);
  const auto words = runtime::pack_tensor(L.input);
  for (std::size_t i = 0; i < words.size(); ++i) img[static_cast<std::size_t>(in.base) + i] = words[i];
  runtime::write_tensor(device(), in, L.input);
  return img;
}

std::vector<std::uint16_t> read_act() {
  std::vector<std::uint16_t> img(static_cast<std::size_t>(nc().act_words));
  for (int i = 0; i < nc().act_words; ++i) img[static_cast<std::size_t>(i)] = static_cast<std::uint16_t>(device().read_mem(act_addr(i)));
  return img;
}

// The activation words a descriptor's layer may write: output position o,
// channel c at out_base + o * out_row + c / 2, inside the memory.
std::vector<bool> output_words(const Desc& d) {
  std::vector<bool> w(static_cast<std::size_t>(nc().act_words), false);
  for (std::int64_t o = 0; o < f(d, "out_len"); ++o)
    for (std::int64_t c = 0; c < f(d, "out_channels"); ++c) {
      const std::int64_t a = f(d, "out_base") + o * f(d, "out_row") + c / 2;
      if (a < nc().act_words) w[static_cast<std::size_t>(a)] = true;
    }
  return w;
}

// Every word the layer may not write still holds what it held before.
void expect_untouched(const std::string& what, const std::vector<std::uint16_t>& before, const std::vector<bool>& writable) {
  const auto after = read_act();
  int changed = 0;
  for (std::size_t i = 0; i < after.size(); ++i)
    if (after[i] != before[i] && !writable[i]) {
      if (++changed <= 8)
        ADD_FAILURE() << what << ": activation word " << i << " outside the layer's output changed: " << fmt::format("0x{:04x} -> 0x{:04x}", before[i], after[i]);
    }
  EXPECT_EQ(changed, 0) << what << ": activation words written outside the layer's output";
}

struct ErrorRun {
  bool threw = false;
  std::string message;
  Status st;
  std::uint32_t err_desc = 0, layers = 0, cycles = 0, macs = 0;
};

ErrorRun run_expecting_error(std::uint32_t desc_base) {
  ErrorRun e;
  try {
    runtime::run_list(device(), desc_base, kBudget);
  } catch (const DeviceError& ex) {
    e.threw = true;
    e.message = ex.what();
  }
  e.st = status();
  e.err_desc = device().read_reg(reg("ERR_DESC"));
  e.layers = device().read_reg(reg("LAYERS"));
  e.cycles = device().read_reg(reg("CYCLES"));
  e.macs = device().read_reg(reg("MACS"));
  return e;
}

// The checks every error run makes: DeviceError naming the error, STATUS
// DONE set, BUSY clear, the code; ERR_DESC; LAYERS.
void expect_error_run(const std::string& what, const ErrorRun& e, nn::Error want, std::uint32_t want_err_desc, std::uint32_t want_layers) {
  EXPECT_TRUE(e.threw) << what << ": run_list returned normally; STATUS " << fmt::format("0x{:x}", e.st.raw);
  EXPECT_NE(e.message.find(nn::to_string(want)), std::string::npos) << what << ": message does not name '" << nn::to_string(want) << "': " << e.message;
  EXPECT_NE(e.message.find(fmt::format("error {} (", code(want))), std::string::npos) << what << ": " << e.message;
  EXPECT_TRUE(e.st.done()) << what << ": STATUS.DONE clear after the error";
  EXPECT_FALSE(e.st.busy()) << what << ": STATUS.BUSY set after the error";
  EXPECT_EQ(code(e.st.error()), code(want)) << what << ": STATUS error code " << code(e.st.error()) << " (" << nn::to_string(e.st.error()) << "), want "
                                            << code(want) << " (" << nn::to_string(want) << ")";
  EXPECT_EQ(e.err_desc, want_err_desc) << what << ": ERR_DESC";
  EXPECT_EQ(e.layers, want_layers) << what << ": LAYERS";
}

// The layer still runs bit-exact after the error: no state survives it.
void expect_recovers(const Layer& L, const std::string& what) {
  expect_bit_exact(L.model, L.input, what + ": the valid layer right after the error");
  EXPECT_EQ(code(status().error()), 0u) << what << ": error code left after a valid run";
}

// Corrupts the layer's descriptor with `corrupt`, runs it from a patterned
// activation memory and checks the error, the memory and the recovery.
// `may_write`: the error can come after some outputs (then the layer's
// output words, as the corrupted descriptor places them, may change).
void check_descriptor_error(const std::string& what, const Layer& L, const std::function<void(Desc&)>& corrupt, nn::Error want, bool may_write) {
  SCOPED_TRACE(what);
  Desc bad = L.desc;
  corrupt(bad);
  const auto before = prepare(L);
  write_desc(L.desc_addr, bad);
  const ErrorRun e = run_expecting_error(L.desc_addr);
  expect_error_run(what, e, want, L.desc_addr, 0);
  expect_untouched(what, before, may_write ? output_words(bad) : std::vector<bool>(before.size(), false));
  expect_recovers(L, what);
}

void check_field_error(const Layer& L, const char* field, std::int64_t v, nn::Error want, bool may_write) {
  check_descriptor_error(fmt::format("{} = {} (was {})", field, v, f(L.desc, field)), L, [&](Desc& d) { nn::set_field(d, field, v); }, want, may_write);
}

TEST(NnErrors, HwinfoMatchesConfig) {
  const std::uint32_t hw = device().read_reg(reg("HWINFO"));
  EXPECT_EQ(hw & 0xff, static_cast<std::uint32_t>(nc().pes));
  EXPECT_EQ((hw >> 8) & 0xff, static_cast<std::uint32_t>(nc().aus_per_pe));
  EXPECT_EQ((hw >> 16) & 0xff, static_cast<std::uint32_t>(nn::kLanes));
  EXPECT_EQ(hw >> 24, static_cast<std::uint32_t>(nn::kInterfaceVersion)) << "interface version";
}

TEST(NnErrors, UnknownOpcodeIsBadOp) {
  const Layer L = conv();
  for (std::int64_t op : {7, 15}) check_field_error(L, "op", op, nn::Error::bad_op, false);
}

// The opcodes of the pools an engine leaves out (nn.ops) stop it at
// decode, as does a multiply-accumulate layer whose groups read apart
// (grp_pairs != 0, a depthwise layer) on an engine without depthwise layers.
TEST(NnErrors, OperationsTheEngineLacksAreBadOp) {
  using gn::LayerKind;
  const Layer L = conv();
  int checked = 0;
  if (!nn_has_op(config(), LayerKind::max_pool)) {
    check_field_error(L, "op", static_cast<std::int64_t>(nn::Op::max_pool), nn::Error::bad_op, false);
    ++checked;
  }
  if (!nn_has_op(config(), LayerKind::avg_pool) && !nn_has_op(config(), LayerKind::global_avg_pool)) {
    check_field_error(L, "op", static_cast<std::int64_t>(nn::Op::avg_pool), nn::Error::bad_op, false);
    ++checked;
  }
  if (!nn_has_op(config(), LayerKind::depthwise_conv1d)) {
    for (std::int64_t v : {1, 0xffff}) check_field_error(L, "grp_pairs", v, nn::Error::bad_op, false);
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "the engine has every pool and depthwise layers";
}

// An engine of int8 layers alone has no bias beat: a descriptor asking for
// one (bias_act != 0) stops it at decode.
TEST(NnErrors, BiasBeatWithoutOtherFormatsIsBadFormat) {
  if (nn::layer_formats(config()).size() > 1) GTEST_SKIP() << "the engine runs posit8 layers, whose dot products end with a bias beat";
  const Layer L = conv();
  for (std::int64_t v : {1, 0x8000, 0xffff}) check_field_error(L, "bias_act", v, nn::Error::bad_format, false);
}

// Every format code the engine does not run, and a read-out of an int8
// layer, stop it at decode.
TEST(NnErrors, LayerFormatTheEngineLacksIsBadFormat) {
  const Layer L = conv();
  const auto ok = nn::layer_formats(config());
  for (unsigned code = 0; code < (1u << golden::kFormatCodeBits); ++code)
    if (!golden::enabled_format(ok, code)) check_field_error(L, "fmt", code, nn::Error::bad_format, false);
  check_field_error(L, "readout", 1, nn::Error::bad_format, false);
}

// The add of a residual block (conv1d [8, 3] -> [8, 3], then x + y): every
// limit of its descriptor stops the engine before it writes.
Layer residual_add() {
  Rng r(11);
  Layer L;
  L.model = residual_model(r, 8, 3, 3);
  L.input = random_tensor(r, 8, 3);
  L.prog = compile(config(), L.model);
  L.desc_addr = L.prog.layers.at(1).desc_addr;
  L.desc.assign(L.prog.ctrl.begin() + L.desc_addr, L.prog.ctrl.begin() + L.desc_addr + nn::kDescriptorWords);
  return L;
}

TEST(NnErrors, AddDescriptorLimitsStopTheEngine) {
  if (!nc().residual_add) {
    // Without the add unit, op 4 is an unknown opcode.
    const Layer L = conv();
    check_field_error(L, "op", static_cast<std::int64_t>(nn::Op::add), nn::Error::bad_op, false);
    return;
  }
  const Layer L = residual_add();
  check_field_error(L, "out_len", 0, nn::Error::bad_shape, false);
  check_field_error(L, "readout", 1, nn::Error::bad_format, false);
  check_field_error(L, "fmt", static_cast<unsigned>(golden::Format::int4), nn::Error::bad_format, false);
  check_field_error(L, "in2_base", nc().act_words, nn::Error::input_range, false);  // the first read of the second input
  check_field_error(L, "in_start", nc().act_words, nn::Error::input_range, false);  // the first read of the first input
  // The parameters fit, the second table runs off the control memory.
  check_field_error(L, "param_base", nc().ctrl_words - 3 * G() - 1, nn::Error::ctrl_range, false);
}

// A gelu layer [8, 3]: every limit of its descriptor stops the engine.
TEST(NnErrors, GeluDescriptorLimitsStopTheEngine) {
  if (!config().gelu) {
    // Without the GELU unit, op 5 is an unknown opcode.
    check_field_error(conv(), "op", static_cast<std::int64_t>(nn::Op::gelu), nn::Error::bad_op, false);
    return;
  }
  Rng r(13);
  Layer L;
  L.model = gelu_model(r, 8, 3, false);
  L.input = random_tensor(r, 8, 3);
  L.prog = compile(config(), L.model);
  L.desc_addr = L.prog.layers.at(0).desc_addr;
  L.desc.assign(L.prog.ctrl.begin() + L.desc_addr, L.prog.ctrl.begin() + L.desc_addr + nn::kDescriptorWords);
  check_field_error(L, "in_len", 0, nn::Error::bad_shape, false);
  check_field_error(L, "unit_ch", 0, nn::Error::bad_shape, false);
  check_field_error(L, "readout", 1, nn::Error::bad_format, false);
  check_field_error(L, "fmt", static_cast<unsigned>(golden::Format::int4), nn::Error::bad_format, false);
  check_field_error(L, "param_base", nc().ctrl_words - 10, nn::Error::ctrl_range, false);  // the table runs off the control memory
  check_field_error(L, "in_start", nc().act_words, nn::Error::input_range, false);
  check_field_error(L, "in_start", -1, nn::Error::input_range, false);
  check_field_error(L, "in_row", nc().act_words, nn::Error::input_range, true);    // position 1 is past the end
  check_field_error(L, "out_base", nc().act_words - 1, nn::Error::output_range, true);  // channel 2 of position 0 is past the end
}

// A softmax layer [4, 3]: every limit of its descriptor stops the engine.
TEST(NnErrors, SoftmaxDescriptorLimitsStopTheEngine) {
  if (!config().softmax) {
    check_field_error(conv(), "op", static_cast<std::int64_t>(nn::Op::softmax), nn::Error::bad_op, false);
    return;
  }
  Rng r(17);
  Layer L;
  L.model = softmax_model(r, 4, 3, false, config().softmax->algorithms.front());
  L.input = random_tensor(r, 4, 3);
  L.prog = compile(config(), L.model);
  L.desc_addr = L.prog.layers.at(0).desc_addr;
  L.desc.assign(L.prog.ctrl.begin() + L.desc_addr, L.prog.ctrl.begin() + L.desc_addr + nn::kDescriptorWords);
  check_field_error(L, "in_len", 0, nn::Error::bad_shape, false);
  check_field_error(L, "unit_ch", 0, nn::Error::bad_shape, false);
  check_field_error(L, "unit_ch", config().softmax->max_length + 1, nn::Error::bad_shape, false);
  check_field_error(L, "readout", 1, nn::Error::bad_format, false);
  check_field_error(L, "sm_alg", 3, nn::Error::bad_format, false);
  check_field_error(L, "in_start", nc().act_words, nn::Error::input_range, false);
  check_field_error(L, "in_row", nc().act_words, nn::Error::input_range, true);
  check_field_error(L, "out_base", nc().act_words - 1, nn::Error::output_range, true);
}

TEST(NnErrors, ZeroCountsAreBadShape) {
  const Layer L = conv();
  for (const char* fld : {"kernel", "in_pairs", "out_len", "groups", "grp_channels"}) check_field_error(L, fld, 0, nn::Error::bad_shape, false);
}

// kernel * in_pairs > au.max_accumulations. Limits are checked as the
// beats go out and the first one reached stops the engine: every beat reads
// its own weight word, so when the weight memory is shorter than
// au.max_accumulations (every shipped config) the over-long dot product runs
// off the weight memory first (weight_range); otherwise it is bad_shape. No
// output may be written either way (no dot product ends).
TEST(NnErrors, DotProductLongerThanMaxAccumulationsStopsTheEngine) {
  const Layer L = conv();
  const std::int64_t max = static_cast<std::int64_t>(config().au.max_accumulations);
  const std::int64_t pairs = f(L.desc, "in_pairs");
  const std::int64_t room = nc().weight_words - f(L.desc, "w_base");
  const nn::Error first = max < room ? nn::Error::bad_shape : nn::Error::weight_range;
  check_field_error(L, "kernel", max / pairs + 1, first, false);
  check_field_error(L, "in_pairs", max + 1, first, false);
  check_descriptor_error(fmt::format("kernel = in_pairs = 65535 (max_accumulations {})", max), L,
                         [](Desc& d) {
                           nn::set_field(d, "kernel", 65535);
                           nn::set_field(d, "in_pairs", 65535);
                         },
                         first, false);
}

TEST(NnErrors, InputReadsOutsideActivationMemoryAreInputRange) {
  const Layer L = conv();  // valid padding: pad_left 0
  ASSERT_EQ(f(L.desc, "pad_left"), 0);
  const std::int64_t row = f(L.desc, "in_row"), len = f(L.desc, "in_len"), A = nc().act_words;
  check_field_error(L, "in_start", -1, nn::Error::input_range, false);
  check_field_error(L, "in_start", -row, nn::Error::input_range, false);
  check_field_error(L, "in_start", std::numeric_limits<std::int32_t>::min(), nn::Error::input_range, false);
  check_field_error(L, "in_start", A - 1, nn::Error::input_range, false);  // the second channel pair is word act_words
  check_field_error(L, "in_start", A, nn::Error::input_range, false);
  check_field_error(L, "in_start", std::numeric_limits<std::int32_t>::max(), nn::Error::input_range, false);
  // Only the last input position lies beyond: the first outputs may be written.
  check_field_error(L, "in_start", A - row * len + row, nn::Error::input_range, true);
}

TEST(NnErrors, NegativeReadsBeyondThePaddingAreInputRange) {
  const Layer L = conv(gn::Padding::same);
  ASSERT_GT(f(L.desc, "pad_left"), 0);
  ASSERT_EQ(L.prog.tensors.at("x").base, 0) << "the input is expected at word 0";
  // One position more below word 0 than the padding covers: input position 0
  // reads word -in_row (in the first dot product, before any output).
  check_field_error(L, "in_start", f(L.desc, "in_start") - f(L.desc, "in_row"), nn::Error::input_range, false);
}

// A negative in_start is fine while every negative position is padding.
TEST(NnErrors, NegativeInStartWithinThePaddingIsValid) {
  Layer L = conv(gn::Padding::same);
  ASSERT_EQ(L.prog.tensors.at("x").base, 0) << "the input is expected at word 0";
  ASSERT_LT(f(L.desc, "in_start"), 0);
  expect_bit_exact(L.model, L.input, "same padding, input at word 0");
}

TEST(NnErrors, OutputWritesOutsideActivationMemoryAreOutputRange) {
  const Layer L = conv();
  const std::int64_t row = f(L.desc, "out_row"), A = nc().act_words;
  check_field_error(L, "out_base", A, nn::Error::output_range, true);
  check_field_error(L, "out_base", A - 1, nn::Error::output_range, true);
  check_field_error(L, "out_base", A - 2 * row, nn::Error::output_range, true);  // positions 0 and 1 fit
  check_field_error(L, "out_base", 65535, nn::Error::output_range, true);
  check_field_error(L, "out_row", A, nn::Error::output_range, true);  // position 1 at out_base + act_words
  check_descriptor_error("out_base = act_words - 1, out_row = 1", L,
                         [&](Desc& d) {
                           nn::set_field(d, "out_base", A - 1);
                           nn::set_field(d, "out_row", 1);
                         },
                         nn::Error::output_range, true);
}

TEST(NnErrors, WeightReadsOutsideWeightMemoryAreWeightRange) {
  const Layer L = conv();
  const std::int64_t W = nc().weight_words;
  check_field_error(L, "w_base", W, nn::Error::weight_range, false);
  check_field_error(L, "w_base", W - 1, nn::Error::weight_range, false);
  check_field_error(L, "w_base", 65535, nn::Error::weight_range, false);
  ASSERT_GE(f(L.desc, "groups"), 2);
  check_field_error(L, "w_group_stride", W, nn::Error::weight_range, true);  // group 0 runs, group 1 reads beyond
}

TEST(NnErrors, ParameterReadsOutsideControlMemoryAreCtrlRange) {
  const Layer L = conv();
  const std::int64_t C = nc().ctrl_words;
  check_field_error(L, "param_base", C, nn::Error::ctrl_range, false);
  check_field_error(L, "param_base", C - 1, nn::Error::ctrl_range, false);
  check_field_error(L, "param_base", 65535, nn::Error::ctrl_range, false);
  ASSERT_GE(f(L.desc, "groups"), 2);
  check_field_error(L, "param_base", C - nn::kParamWords * G(), nn::Error::ctrl_range, true);  // group 0's fit, group 1's do not
}

TEST(NnErrors, DescriptorBeyondControlMemoryIsCtrlRange) {
  const Layer L = conv();
  const std::int64_t C = nc().ctrl_words;
  for (std::int64_t base : {C - nn::kDescriptorWords + 1, C - 1, C, std::int64_t{0x7fffffff}, std::int64_t{0xffffffff}}) {
    const std::string what = fmt::format("DESC_BASE = {}", base);
    SCOPED_TRACE(what);
    const auto before = prepare(L);
    const ErrorRun e = run_expecting_error(static_cast<std::uint32_t>(base));
    expect_error_run(what, e, nn::Error::ctrl_range, static_cast<std::uint32_t>(base), 0);
    expect_untouched(what, before, std::vector<bool>(before.size(), false));
    expect_recovers(L, what);
  }
}

// A list without an end descriptor at the top of the control memory: the
// layer completes (bit-exact), then the next fetch runs off the memory.
TEST(NnErrors, ListRunningOffControlMemoryIsCtrlRangeAfterTheLayer) {
  const Layer L = conv();
  const std::int64_t base = nc().ctrl_words - nn::kDescriptorWords;
  ASSERT_LE(static_cast<std::int64_t>(L.prog.ctrl.size()), base);
  const auto before = prepare(L);
  write_desc(base, L.desc);
  const ErrorRun e = run_expecting_error(static_cast<std::uint32_t>(base));
  expect_error_run("descriptor at the top of the control memory", e, nn::Error::ctrl_range, static_cast<std::uint32_t>(nc().ctrl_words), 1);
  expect_untouched("descriptor at the top", before, output_words(L.desc));
  const auto gold = gn::run(L.model, L.input).at("y");
  const auto mm = runtime::compare("y", runtime::read_tensor(device(), L.prog.tensors.at("y")), gold);
  EXPECT_FALSE(mm) << "output of the completed layer: [" << mm->position << "][" << mm->channel << "] device " << mm->device << " golden " << mm->golden;
  expect_recovers(L, "descriptor at the top");
}

// The error in the second descriptor of a list: ERR_DESC names it, LAYERS
// counts the first, whose output stays correct.
TEST(NnErrors, ErrorInSecondDescriptorNamesItAndKeepsTheFirstLayer) {
  const Layer L = conv();
  Desc bad = L.desc;
  nn::set_field(bad, "op", 7);
  const auto before = prepare(L);
  write_desc(L.desc_addr + nn::kDescriptorWords, bad);  // replaces the end descriptor
  const ErrorRun e = run_expecting_error(L.desc_addr);
  expect_error_run("op 7 in the second descriptor", e, nn::Error::bad_op, L.desc_addr + nn::kDescriptorWords, 1);
  expect_untouched("op 7 in the second descriptor", before, output_words(L.desc));
  const auto gold = gn::run(L.model, L.input).at("y");
  const auto mm = runtime::compare("y", runtime::read_tensor(device(), L.prog.tensors.at("y")), gold);
  EXPECT_FALSE(mm) << "first layer's output: [" << mm->position << "][" << mm->channel << "] device " << mm->device << " golden " << mm->golden;
  expect_recovers(L, "op 7 in the second descriptor");
}

// Every memory used right up to its last word: no range check is off by one.
TEST(NnErrors, LastWordsOfEveryMemoryAreInRange) {
  const Layer L = conv();
  const Placement out0 = L.prog.tensors.at("y");
  const Placement in0 = L.prog.tensors.at("x");
  const int params = static_cast<int>(f(L.desc, "groups")) * G() * nn::kParamWords;
  const int w_words = static_cast<int>(L.prog.weights.at(0).size());
  Placement out = out0, in = in0;
  out.base = nc().act_words - out.words();
  in.base = out.base - in.words();
  const int param_base = nc().ctrl_words - params, w_base = nc().weight_words - w_words;
  Desc d = L.desc;
  nn::set_field(d, "in_start", in.base);
  nn::set_field(d, "out_base", out.base);
  nn::set_field(d, "param_base", param_base);
  nn::set_field(d, "w_base", w_base);
  runtime::load_program(device(), config(), L.prog);
  const int old_params = static_cast<int>(f(L.desc, "param_base"));
  for (int i = 0; i < params; ++i) device().write_mem(ctrl_addr(param_base + i), L.prog.ctrl.at(static_cast<std::size_t>(old_params + i)));
  for (int a = 0; a < G(); ++a)
    for (int i = 0; i < w_words; ++i) device().write_mem(nn::weight_address(nc(), a, w_base + i), L.prog.weights[static_cast<std::size_t>(a)][static_cast<std::size_t>(i)]);
  const std::uint32_t desc_at = static_cast<std::uint32_t>(param_base - 2 * nn::kDescriptorWords);
  write_desc(desc_at, d);
  write_desc(desc_at + nn::kDescriptorWords, Desc(nn::kDescriptorWords, 0));
  runtime::write_tensor(device(), in, L.input);
  ASSERT_NO_THROW(runtime::run_list(device(), desc_at, kBudget));
  const auto mm = runtime::compare("y", runtime::read_tensor(device(), out), gn::run(L.model, L.input).at("y"));
  EXPECT_FALSE(mm) << "[" << mm->position << "][" << mm->channel << "] device " << mm->device << " golden " << mm->golden;
}

// Runs a list by hand, polling STATUS every cycle; returns the cycles from
// the START write until STATUS read DONE.
std::uint64_t run_polled(std::uint32_t desc_base, std::uint32_t ctrl) {
  device().write_reg(reg("DESC_BASE"), desc_base);
  device().write_reg(reg("CTRL"), ctrl);
  for (std::uint64_t n = 1; n < kBudget; ++n)
    if (status().done()) return n;
  ADD_FAILURE() << "the engine did not finish";
  return 0;
}

// MACS = beats x lanes x (PEs x AUs per PE), beats = out_len x groups x
// kernel x in_pairs (padded beats included); LAYERS 1; STALLS < CYCLES;
// CYCLES the cycles from START to DONE.
TEST(NnErrors, CountersOfAKnownLayer) {
  struct K {
    gn::LayerKind kind;
    gn::Padding pad;
    int out_ch;
  };
  for (const K& k : {K{gn::LayerKind::conv1d, gn::Padding::valid, G() + 1}, K{gn::LayerKind::conv1d, gn::Padding::same, 2 * G() + 1},
                     K{gn::LayerKind::depthwise_conv1d, gn::Padding::same, 0}, K{gn::LayerKind::dense, gn::Padding::valid, 3}}) {
    if (!nn_has_op(config(), k.kind)) continue;  // nn.ops leaves it out
    const Layer L = make_layer(k.kind, k.pad, k.out_ch);
    const std::string what = describe(L.model);
    SCOPED_TRACE(what);
    prepare(L);
    const std::uint64_t beats = static_cast<std::uint64_t>(f(L.desc, "out_len") * f(L.desc, "groups") * f(L.desc, "kernel") * f(L.desc, "in_pairs"));
    const std::uint64_t polled = run_polled(L.desc_addr, nn::kCtrlStart);
    const std::uint64_t cycles = device().read_reg(reg("CYCLES")), macs = device().read_reg(reg("MACS"));
    const std::uint64_t stalls = device().read_reg(reg("STALLS")), layers = device().read_reg(reg("LAYERS"));
    fmt::print("  {}: beats {} MACS {} CYCLES {} (polled {}) STALLS {}\n", what, beats, macs, cycles, polled, stalls);
    EXPECT_EQ(macs, beats * nn::kLanes * static_cast<std::uint64_t>(G())) << what << ": beats " << beats;
    EXPECT_EQ(layers, 1u);
    EXPECT_GE(cycles, beats) << "at most one beat per cycle";
    EXPECT_LT(stalls, cycles);
    // STATUS is read one access (one cycle) at a time: DONE is seen within
    // a couple of cycles of the end of the run.
    EXPECT_LE(cycles, polled + 1);
    EXPECT_GE(cycles + 3, polled);
    EXPECT_EQ(code(status().error()), 0u);
    const auto mm = runtime::compare("y", runtime::read_tensor(device(), L.prog.tensors.at("y")), gn::run(L.model, L.input).at("y"));
    EXPECT_FALSE(mm) << what;
  }
}

TEST(NnErrors, StartClearsDoneAndTheErrorCode) {
  const Layer L = conv();
  Desc bad = L.desc;
  nn::set_field(bad, "op", 7);
  prepare(L);
  write_desc(L.desc_addr, bad);
  (void)run_expecting_error(L.desc_addr);
  ASSERT_EQ(code(status().error()), code(nn::Error::bad_op));
  write_desc(L.desc_addr, L.desc);
  device().write_reg(reg("DESC_BASE"), L.desc_addr);
  device().write_reg(reg("CTRL"), nn::kCtrlStart);
  const Status s = status();
  EXPECT_TRUE(s.busy()) << "BUSY right after START";
  EXPECT_FALSE(s.done()) << "DONE right after START";
  EXPECT_EQ(code(s.error()), 0u) << "error code right after START";
  device().wait_done(kBudget);
  const Status e = status();
  EXPECT_TRUE(e.done());
  EXPECT_FALSE(e.busy());
  EXPECT_EQ(code(e.error()), 0u);
}

// irq_o = STATUS.DONE && CTRL.IRQ_EN, for a clean run and for an error.
TEST(NnErrors, IrqFollowsDoneWhenEnabled) {
  const Layer L = conv();
  auto irq = [] { return device().model().irq_o != 0; };
  prepare(L);
  for (bool error : {false, true}) {
    SCOPED_TRACE(error ? "error run" : "clean run");
    Desc d = L.desc;
    if (error) nn::set_field(d, "w_base", nc().weight_words);
    write_desc(L.desc_addr, d);
    device().write_reg(reg("DESC_BASE"), L.desc_addr);
    device().write_reg(reg("CTRL"), nn::kCtrlStart | nn::kCtrlIrqEn);
    EXPECT_FALSE(irq()) << "irq_o while running";
    EXPECT_TRUE(status().busy());
    EXPECT_FALSE(irq());
    // A register read returns the state at the access (the clock edge it
    // ends with); irq_o sampled before the read shows the same state.
    for (std::uint64_t n = 0; n < kBudget; ++n) {
      const bool i = irq();
      const Status st = status();
      ASSERT_EQ(i, st.done()) << "irq_o differs from STATUS.DONE with IRQ_EN set, cycle " << n;
      if (st.done()) break;
    }
    EXPECT_TRUE(irq()) << "irq_o with DONE and IRQ_EN";
    EXPECT_EQ(code(status().error()), error ? code(nn::Error::weight_range) : 0u);
    device().write_reg(reg("CTRL"), 0);
    EXPECT_TRUE(status().done());
    EXPECT_FALSE(irq()) << "irq_o with IRQ_EN clear";
    device().write_reg(reg("CTRL"), nn::kCtrlIrqEn);
    EXPECT_TRUE(irq()) << "irq_o after setting IRQ_EN while DONE";
    EXPECT_TRUE(status().done()) << "writing CTRL without START keeps DONE";
  }
  // Without IRQ_EN irq_o stays low through a whole run.
  write_desc(L.desc_addr, L.desc);
  device().write_reg(reg("DESC_BASE"), L.desc_addr);
  device().write_reg(reg("CTRL"), nn::kCtrlStart);
  for (std::uint64_t n = 0; n < kBudget; ++n) {
    ASSERT_FALSE(irq()) << "irq_o with IRQ_EN clear, cycle " << n;
    if (status().done()) break;
  }
  EXPECT_FALSE(irq()) << "irq_o with DONE but IRQ_EN clear";
  device().write_reg(reg("CTRL"), 0);
}

}  // namespace
}  // namespace strata::nn_test
