// The SoC of this build's config in Verilator, driven through its AXI4-Lite
// host port: the firmware booted from the host, pulse_cnn run through the
// firmware and compared bit for bit with the golden model (every layer's
// tensor and the whole network's outputs), malformed jobs answered with
// their error codes, bad host addresses answered with DECERR/SLVERR, and
// random host accesses under back-pressure checked against a memory model.
// --seed=N replays the random parts; STRATA_SOC_TRACE=FILE writes a waveform.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdlib>
#include <map>
#include <random>
#include <string>

#include "nn/nn_map.h"
#include "rv32_params.h"
#include "runtime/compiler.h"
#include "runtime/example_models.h"
#include "runtime/runner.h"
#include "soc/soc_device.h"
#include "soc/soc_map.h"
#include "soc/soc_sim.h"
#include "soc_config.h"

namespace {

namespace gn = strata::golden::nn;
namespace soc = strata::soc;
namespace nn = strata::nn;
using strata::sim::Answer;
using strata::sim::SocDevice;
using strata::sim::SocSim;

std::uint64_t g_seed = 1;

const strata::SocConfig& config() {
  static const strata::SocConfig c = strata::load_config(STRATA_SOC_CONFIG);
  return c;
}

// One SoC for the tests that run the firmware (booting it once).
SocSim& sim() {
  static SocSim s(std::getenv("STRATA_SOC_TRACE") ? std::getenv("STRATA_SOC_TRACE") : "", g_seed, 20);
  return s;
}
SocDevice& device() {
  static SocDevice d(sim(), STRATA_SOC_FIRMWARE, strata::rv32_iss_params(*config().rv32));
  return d;
}

const gn::Model& model() {
  static const gn::Model m = strata::runtime::pulse_cnn(3);
  return m;
}
const strata::runtime::Program& program() {
  static const strata::runtime::Program p = strata::runtime::compile(config(), model());
  return p;
}

TEST(SocBoot, FirmwareLoadedThroughTheHostPortAnswersAPing) {
  SocDevice& d = device();
  EXPECT_NE(sim().console().find("strata soc firmware"), std::string::npos) << sim().console();
  const Answer a = d.job(soc::Command::ping, 0, 0, 77, 1'000'000);
  EXPECT_EQ(a.result, soc::Result::ok);
  EXPECT_EQ(a.tag, 77u);
  EXPECT_EQ(a.words[1], soc::kFirmwareVersion);
  const auto info = sim().read(soc::reg_address("SOC_INFO"));
  EXPECT_EQ(info.resp, soc::kRespOkay);
  EXPECT_EQ(info.data >> 24, static_cast<std::uint32_t>(soc::kInterfaceVersion));
  EXPECT_EQ((info.data >> 16) & 0xFFu, static_cast<std::uint32_t>(soc::kMsgWords));
  EXPECT_EQ(sim().read(soc::reg_address("CORE_CTRL")).data & soc::kCoreCtrlReset, 0u);
}

// pulse_cnn through the firmware: every layer alone, then the whole
// network as one list, every tensor compared with the golden model.
TEST(SocRun, PulseCnnThroughTheFirmwareBitExact) {
  SocDevice& d = device();
  const gn::Tensor input = strata::runtime::random_input(model(), g_seed);
  const auto report = strata::runtime::run_model(d, config(), model(), program(), input, 2'000'000);
  for (const auto& l : report.layers) {
    EXPECT_FALSE(l.mismatch) << l.name << ": " << l.mismatch->tensor << "[" << l.mismatch->position << "][" << l.mismatch->channel
                             << "] device " << l.mismatch->device << " golden " << l.mismatch->golden;
    EXPECT_GT(l.cycles, 0u) << l.name;
  }
  EXPECT_FALSE(report.network_mismatch) << report.network_mismatch->tensor << "[" << report.network_mismatch->position << "]["
                                        << report.network_mismatch->channel << "]";
  EXPECT_EQ(report.layers.size(), model().layers.size());
  // The firmware's answer agrees with the engine's own registers.
  const Answer& a = d.last_answer();
  EXPECT_EQ(a.result, soc::Result::ok);
  EXPECT_EQ(a.words[1], sim().read(soc::nn_reg_address(nn::register_index("CYCLES"))).data);
  EXPECT_EQ(a.words[3] >> 16, sim().read(soc::nn_reg_address(nn::register_index("LAYERS"))).data);
  EXPECT_EQ(a.words[3] >> 16, model().layers.size());
  EXPECT_GT(a.words[2], a.words[1]) << "the core's cycles of the job cover the engine's run";
  EXPECT_LT(a.words[2], a.words[1] + 1000) << "the firmware woke on the engine's interrupt (not at the job's budget)";
  fmt::print("pulse_cnn through the firmware: network {} engine cycles, {} core cycles in the job, {} host cycles door to answer\n", a.words[1],
             a.words[2], a.host_cycles);
}

// A host that polls F2H_DOORBELL back to back (no wait between its reads),
// so that its accesses meet the firmware's to the same registers, on a
// fresh SoC under back-pressure: the whole network bit-exact.
TEST(SocRun, PollingHostSharesTheRegistersWithTheFirmware) {
  SocSim s("", g_seed + 3, 30);
  SocDevice d(s, STRATA_SOC_FIRMWARE, strata::rv32_iss_params(*config().rv32), false, 0);
  const gn::Tensor input = strata::runtime::random_input(model(), g_seed + 2);
  const auto golden = gn::run(model(), input);
  strata::runtime::load_program(d, config(), program());
  strata::runtime::write_tensor(d, program().tensors.at(model().input), input);
  const Answer a = d.job(soc::Command::run, program().network_desc, 0, 99, 5'000'000);
  ASSERT_EQ(a.result, soc::Result::ok);
  EXPECT_EQ(a.tag, 99u);
  for (const auto& o : model().outputs) {
    const auto mm = strata::runtime::compare(o, strata::runtime::read_tensor(d, program().tensors.at(o)), golden.at(o));
    EXPECT_FALSE(mm) << o << "[" << mm->position << "][" << mm->channel << "] device " << mm->device << " golden " << mm->golden;
  }
  EXPECT_FALSE(s.irq()) << "irq_o without CORE_CTRL.HOST_IRQ_EN";
}

// A descriptor list at `addr`: `desc`, then the end of the list.
void put_list(SocDevice& d, std::uint32_t addr, std::vector<std::uint32_t> desc) {
  desc.resize(2 * nn::kDescriptorWords, 0);
  for (std::size_t i = 0; i < desc.size(); ++i) d.write_mem(nn::region_base(nn::Region::ctrl) + addr + static_cast<std::uint32_t>(i), desc[i]);
}
// The descriptor of the program's first layer.
std::vector<std::uint32_t> first_layer() {
  const auto at = program().layers.front().desc_addr;
  return {program().ctrl.begin() + at, program().ctrl.begin() + at + nn::kDescriptorWords};
}

TEST(SocJobs, MalformedJobsAreAnsweredWithTheirErrorCodes) {
  SocDevice& d = device();
  strata::runtime::load_program(d, config(), program());  // the test stands alone
  const int ctrl_words = config().nn->ctrl_words;
  // The activation memory before the malformed jobs: none of them may write it.
  const auto act_image = [&d] {
    std::vector<std::uint32_t> v;
    for (int i = 0; i < config().nn->act_words; ++i) v.push_back(d.read_mem(nn::region_base(nn::Region::act) + static_cast<std::uint32_t>(i)));
    return v;
  };
  const auto act_before = act_image();
  {  // no such command
    const Answer a = d.job_raw(9, 0, 0, 11, 1'000'000);
    EXPECT_EQ(a.result, soc::Result::bad_command);
    EXPECT_EQ(a.tag, 11u);
    EXPECT_EQ(a.words[1], 9u);
  }
  {  // a list outside the control memory
    const Answer a = d.job(soc::Command::run, static_cast<std::uint32_t>(ctrl_words - nn::kDescriptorWords + 1), 0, 12, 1'000'000);
    EXPECT_EQ(a.result, soc::Result::bad_address);
    EXPECT_EQ(a.tag, 12u);
    const Answer b = d.job(soc::Command::run, 0xFFFFFFF0u, 0, 13, 1'000'000);
    EXPECT_EQ(b.result, soc::Result::bad_address);
  }
  // The last free descriptors of the control memory (the program's lists lie below).
  const auto spare = static_cast<std::uint32_t>(ctrl_words - 2 * nn::kDescriptorWords);
  ASSERT_GE(spare, program().ctrl.size()) << "the program leaves no room for the test's descriptors";
  struct Bad {
    const char* what;
    const char* field;
    std::int64_t value;
    nn::Error error;
  };
  std::uint32_t tag = 14;
  for (const Bad& b : {Bad{"an unknown opcode", "op", 15, nn::Error::bad_op}, Bad{"an add, which this engine leaves out", "op", 4, nn::Error::bad_op},
                       Bad{"no output positions", "out_len", 0, nn::Error::bad_shape}, Bad{"a format the engine lacks", "fmt", 5, nn::Error::bad_format}}) {
    auto desc = first_layer();
    nn::set_field(desc, b.field, b.value);
    put_list(d, spare, desc);
    const Answer a = d.job(soc::Command::run, spare, 0, ++tag, 1'000'000);
    EXPECT_EQ(a.result, soc::Result::engine_error) << b.what;
    EXPECT_EQ(a.error, static_cast<std::uint32_t>(b.error)) << b.what;
    EXPECT_EQ(a.tag, tag) << b.what;
    EXPECT_EQ(a.words[3] & 0xFFFFu, spare) << b.what << ": ERR_DESC";
    EXPECT_EQ(a.words[3] >> 16, 0u) << b.what << ": LAYERS";
  }
  EXPECT_TRUE(act_image() == act_before) << "a malformed job wrote the activation memory";
  {  // a budget too short for the whole network: timeout, and the next job still runs
    const Answer a = d.job(soc::Command::run, program().network_desc, 200, 30, 1'000'000);
    EXPECT_EQ(a.result, soc::Result::timeout);
    EXPECT_EQ(a.tag, 30u);
  }
  // The timed-out run goes on: the engine ignores its memories until it ends.
  for (int i = 0; sim().read(soc::nn_reg_address(nn::register_index("STATUS"))).data & nn::kStatusBusy; ++i) {
    ASSERT_LT(i, 100000) << "the engine never finished the timed-out run";
    sim().run(16);
  }
  // After all of these the SoC still runs the model bit-exact.
  const gn::Tensor input = strata::runtime::random_input(model(), g_seed + 1);
  const auto golden = gn::run(model(), input);
  strata::runtime::write_tensor(d, program().tensors.at(model().input), input);
  const Answer ok = d.job(soc::Command::run, program().network_desc, 0, 17, 50'000'000);
  ASSERT_EQ(ok.result, soc::Result::ok);
  for (const auto& o : model().outputs) {
    const auto got = strata::runtime::read_tensor(d, program().tensors.at(o));
    const auto mm = strata::runtime::compare(o, got, golden.at(o));
    EXPECT_FALSE(mm) << o << "[" << mm->position << "][" << mm->channel << "] device " << mm->device << " golden " << mm->golden;
  }
}

// The host resets the core in the middle of a job: the engine's run goes
// on, the firmware boots again from IMEM (readable by the host while the
// core is held), and the next jobs are answered, bit-exact.
TEST(SocJobs, CoreResetDuringAJobLeavesTheSocUsable) {
  SocDevice& d = device();
  strata::runtime::load_program(d, config(), program());
  const gn::Tensor input = strata::runtime::random_input(model(), g_seed + 4);
  const auto golden = gn::run(model(), input);
  strata::runtime::write_tensor(d, program().tensors.at(model().input), input);
  const std::uint32_t ctrl = soc::reg_address("CORE_CTRL");
  const auto banners = [] {
    std::size_t n = 0;
    for (std::size_t at = 0; (at = sim().console().find("strata soc firmware", at)) != std::string::npos; ++at) ++n;
    return n;
  };
  const std::size_t before = banners();
  ASSERT_EQ(sim().write(soc::msg_address("H2F_MSG0"), static_cast<std::uint32_t>(soc::Command::run)), soc::kRespOkay);
  ASSERT_EQ(sim().write(soc::msg_address("H2F_MSG1"), program().network_desc), soc::kRespOkay);
  ASSERT_EQ(sim().write(soc::msg_address("H2F_MSG2"), 0), soc::kRespOkay);
  ASSERT_EQ(sim().write(soc::reg_address("H2F_DOORBELL"), 1), soc::kRespOkay);
  sim().run(2000);
  EXPECT_EQ(sim().read(soc::reg_address("H2F_DOORBELL")).data & 1u, 0u) << "the firmware took the job";
  EXPECT_NE(sim().read(soc::nn_reg_address(nn::register_index("STATUS"))).data & nn::kStatusBusy, 0u) << "the engine runs it";
  ASSERT_EQ(sim().write(ctrl, soc::kCoreCtrlReset | soc::kCoreCtrlHostIrqEn), soc::kRespOkay);
  sim().run(100);
  const auto w0 = sim().read(0);
  EXPECT_EQ(w0.resp, soc::kRespOkay) << "IMEM is the host's while the core is in reset";
  const auto img = strata::golden::rv32::read_elf(STRATA_SOC_FIRMWARE, strata::rv32_iss_params(*config().rv32));
  const auto& text = img.segments.front();
  ASSERT_EQ(text.addr, 0u);
  EXPECT_EQ(w0.data, std::uint32_t{text.bytes[0]} | std::uint32_t{text.bytes[1]} << 8 | std::uint32_t{text.bytes[2]} << 16 | std::uint32_t{text.bytes[3]} << 24);
  ASSERT_EQ(sim().write(ctrl, soc::kCoreCtrlHostIrqEn), soc::kRespOkay);
  for (int i = 0; banners() == before; ++i) {
    ASSERT_LT(i, 1000) << "the firmware did not boot again";
    sim().run(10);
  }
  EXPECT_FALSE(sim().irq()) << "the lost job has no answer";
  const Answer p = d.job(soc::Command::ping, 0, 0, 41, 1'000'000);
  EXPECT_EQ(p.result, soc::Result::ok);
  // The engine's run went on; the next job waits for it, then runs.
  for (int i = 0; sim().read(soc::nn_reg_address(nn::register_index("STATUS"))).data & nn::kStatusBusy; ++i) {
    ASSERT_LT(i, 100000);
    sim().run(16);
  }
  strata::runtime::write_tensor(d, program().tensors.at(model().input), input);
  const Answer a = d.job(soc::Command::run, program().network_desc, 0, 42, 5'000'000);
  ASSERT_EQ(a.result, soc::Result::ok);
  for (const auto& o : model().outputs) {
    const auto mm = strata::runtime::compare(o, strata::runtime::read_tensor(d, program().tensors.at(o)), golden.at(o));
    EXPECT_FALSE(mm) << o << "[" << mm->position << "][" << mm->channel << "] device " << mm->device << " golden " << mm->golden;
  }
}

TEST(SocAxi, BadAddressesAreAnsweredWithDecerrAndRefusedAccessesWithSlverr) {
  SocSim& s = sim();
  device();  // booted: the core runs
  const auto& n = *config().nn;
  const std::uint32_t dmem_end = soc::kDmemBase + static_cast<std::uint32_t>(config().rv32->dmem_bytes);
  const std::uint32_t imem_end = static_cast<std::uint32_t>(config().rv32->imem_bytes);
  for (std::uint32_t a : {0x30000000u, 0xFFFFFFFCu, dmem_end, imem_end, soc::kSysBase, soc::kSysBase + 4, soc::kSocRegBase + 0x40,
                          soc::kNnRegBase + 0x40, 0x20003000u, soc::kNnCtrlBase + 4u * static_cast<std::uint32_t>(n.ctrl_words),
                          soc::kNnActBase + 4u * static_cast<std::uint32_t>(n.act_words),
                          soc::kNnWeightBase + 4u * static_cast<std::uint32_t>(n.channels() * n.weight_words), 0x21000000u}) {
    const auto r = s.read(a);
    EXPECT_EQ(r.resp, soc::kRespDecerr) << fmt::format("read 0x{:08x}", a);
    EXPECT_EQ(r.data, 0u) << fmt::format("read 0x{:08x}", a);
    EXPECT_EQ(s.write(a, 0x12345678u), soc::kRespDecerr) << fmt::format("write 0x{:08x}", a);
  }
  // IMEM belongs to the host only while the core is in reset.
  EXPECT_EQ(s.read(0).resp, soc::kRespSlverr);
  EXPECT_EQ(s.write(0, 0), soc::kRespSlverr);
  // Registers the host may only read.
  for (const char* r : {"SOC_INFO", "FW_IRQ_EN", "FW_IRQ_STATUS"})
    EXPECT_EQ(s.write(soc::reg_address(r), 0), soc::kRespSlverr) << r;
  for (const char* r : {"STATUS", "CYCLES", "HWINFO"})
    EXPECT_EQ(s.write(soc::nn_reg_address(nn::register_index(r)), 0), soc::kRespSlverr) << r;
  // A partial write outside DMEM.
  EXPECT_EQ(s.write(soc::kNnActBase, 0x1111u, 0x3), soc::kRespSlverr);
  const std::uint32_t core_ctrl = s.read(soc::reg_address("CORE_CTRL")).data;
  EXPECT_EQ(s.write(soc::reg_address("CORE_CTRL"), core_ctrl, 0x1), soc::kRespSlverr);
  EXPECT_EQ(s.write(soc::kSocRegBase + 4u * (soc::kRegWindowWords - 1), 0), soc::kRespSlverr) << "no SoC register there";
  // What is allowed still answers OKAY, and the refused writes changed nothing.
  EXPECT_EQ(s.read(soc::kNnActBase).resp, soc::kRespOkay);
  EXPECT_EQ(s.read(soc::nn_reg_address(nn::register_index("HWINFO"))).data >> 24, static_cast<std::uint32_t>(nn::kInterfaceVersion));
  const Answer a = device().job(soc::Command::ping, 0, 0, 21, 1'000'000);
  EXPECT_EQ(a.result, soc::Result::ok);
}

// Random reads and writes of IMEM, DMEM (byte lanes), the activation memory
// and the mailbox's words (in DMEM) under random back-pressure on every channel, on
// a fresh SoC with the core in reset, against a model of the memories.
TEST(SocAxi, RandomAccessesUnderBackPressureMatchAMemoryModel) {
  SocSim s("", g_seed + 7, 40);
  std::mt19937_64 rng(g_seed);
  const auto& c = config();
  std::map<std::uint32_t, std::uint32_t> mem;
  const std::uint32_t imem_words = static_cast<std::uint32_t>(c.rv32->imem_bytes / 4);
  const std::uint32_t dmem_words = static_cast<std::uint32_t>(c.rv32->dmem_bytes / 4), act_words = static_cast<std::uint32_t>(c.nn->act_words);
  auto pick = [&]() -> std::pair<std::uint32_t, std::uint32_t> {  // address, mask of the bits kept
    switch (std::uniform_int_distribution<int>(0, 4)(rng)) {
      case 4: return {4u * std::uniform_int_distribution<std::uint32_t>(0, imem_words - 1)(rng), 0xFFFFFFFFu};  // the core is in reset
      case 0: return {soc::kDmemBase + 4u * std::uniform_int_distribution<std::uint32_t>(0, 15)(rng), 0xFFFFFFFFu};
      case 1: return {soc::kDmemBase + 4u * std::uniform_int_distribution<std::uint32_t>(0, dmem_words - 1)(rng), 0xFFFFFFFFu};
      case 2: return {soc::kNnActBase + 4u * std::uniform_int_distribution<std::uint32_t>(0, act_words - 1)(rng), 0xFFFFu};
      default: return {soc::msg_address(fmt::format("{}_MSG{}", rng() & 1u ? "H2F" : "F2H", std::uniform_int_distribution<int>(0, 3)(rng))), 0xFFFFFFFFu};
    }
  };
  int reads = 0;
  for (int i = 0; i < 3000; ++i) {
    const auto [addr, keep] = pick();
    if (std::bernoulli_distribution(0.5)(rng)) {
      const std::uint32_t v = static_cast<std::uint32_t>(rng());
      std::uint32_t strb = 0xF;
      if (addr >> 28 == 1 && mem.count(addr) && std::bernoulli_distribution(0.3)(rng)) strb = std::uniform_int_distribution<std::uint32_t>(0, 15)(rng);
      ASSERT_EQ(s.write(addr, v, strb), soc::kRespOkay) << fmt::format("write 0x{:08x} (seed {})", addr, g_seed);
      std::uint32_t lanes = 0;
      for (int b = 0; b < 4; ++b)
        if (strb >> b & 1u) lanes |= 0xFFu << (8 * b);
      std::uint32_t& m = mem[addr];
      m = ((m & ~lanes) | (v & lanes)) & keep;
    } else if (mem.count(addr)) {
      const auto r = s.read(addr);
      ASSERT_EQ(r.resp, soc::kRespOkay) << fmt::format("read 0x{:08x}", addr);
      ASSERT_EQ(r.data, mem[addr]) << fmt::format("read 0x{:08x} after {} accesses (seed {})", addr, i, g_seed);
      ++reads;
    }
  }
  EXPECT_GT(reads, 500);
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--seed=", 0) == 0) g_seed = std::stoull(a.substr(7));
  }
  fmt::print("soc_cosim: config {}, seed {}\n", STRATA_SOC_CONFIG, g_seed);
  return RUN_ALL_TESTS();
}
