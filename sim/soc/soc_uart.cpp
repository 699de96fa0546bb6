// The UART host bridge of this build's config (a uart section) in
// Verilator, through a bit-level UART on the SoC's pins (uart_sim.h): a
// model run through the firmware over the serial line bit-exact with the
// golden model; DECERR and SLVERR answered with their codes as the AXI4-Lite
// port answers them; a bad command byte and a frame cut short answered with
// their error bytes and making no access; the UART and the AXI4-Lite master
// at once, against a memory model. --seed=N replays the random parts.
#include <gtest/gtest.h>

#include <fmt/format.h>

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
#include "soc/soc_uart.h"
#include "soc/uart_sim.h"
#include "soc_config.h"

namespace {

namespace gn = strata::golden::nn;
namespace soc = strata::soc;
namespace nn = strata::nn;
using strata::sim::SocDevice;
using strata::sim::SocSim;
using strata::sim::UartPort;
using strata::sim::UartSim;

std::uint64_t g_seed = 1;

const strata::SocConfig& config() {
  static const strata::SocConfig c = strata::load_config(STRATA_SOC_CONFIG);
  return c;
}
int cpb() { return strata::uart_clocks_per_bit(config()); }
// Long enough for any answer: the frame timeout and the answer's bytes.
std::uint64_t answer_wait() { return static_cast<std::uint64_t>(cpb()) * (soc::kFrameTimeoutBits + 200); }

// The answer bytes to `frame`, and that nothing else follows within a frame timeout.
std::vector<std::uint8_t> exchange(UartSim& u, const std::vector<std::uint8_t>& frame, int answer_bytes) {
  u.send(frame);
  std::vector<std::uint8_t> a;
  for (int i = 0; i < answer_bytes; ++i) {
    const auto b = u.receive(answer_wait());
    if (!b) break;
    a.push_back(*b);
  }
  const auto extra = u.receive(answer_wait());
  EXPECT_FALSE(extra) << fmt::format("a byte 0x{:02x} after the answer", extra.value_or(0));
  return a;
}

// A small pulse_cnn (64 samples) through the firmware, every word over the UART.
TEST(SocUart, ModelThroughTheFirmwareOverTheUartBitExact) {
  SocSim s;
  UartSim u(s, cpb());
  UartPort port(u, cpb());
  SocDevice d(port, STRATA_SOC_FIRMWARE, strata::rv32_iss_params(*config().rv32), false);
  const gn::Model model = strata::runtime::pulse_cnn(3, 64);
  const auto program = strata::runtime::compile(config(), model);
  const gn::Tensor input = strata::runtime::random_input(model, g_seed);
  const auto report = strata::runtime::run_model(d, config(), model, program, input, 2'000'000);
  for (const auto& l : report.layers)
    EXPECT_FALSE(l.mismatch) << l.name << ": " << l.mismatch->tensor << "[" << l.mismatch->position << "][" << l.mismatch->channel << "] device "
                             << l.mismatch->device << " golden " << l.mismatch->golden;
  EXPECT_FALSE(report.network_mismatch);
  EXPECT_EQ(report.layers.size(), model.layers.size());
  EXPECT_EQ(d.last_answer().result, soc::Result::ok);
  // The same run's engine cycles, read over AXI4-Lite.
  EXPECT_EQ(d.last_answer().words[1], s.read(soc::nn_reg_address(nn::register_index("CYCLES"))).data);
  fmt::print("pulse_cnn (64 samples) over the UART at {} clocks per bit: {} SoC cycles\n", cpb(), s.cycles());
}

// Every refused access answers over the UART what it answers over AXI4-Lite
// (DECERR outside the map, SLVERR for what the host may not do), with read
// data zero, and changes nothing.
TEST(SocUart, DecerrAndSlverrAreAnsweredWithTheirCodes) {
  SocSim s;
  UartSim u(s, cpb());
  UartPort port(u, cpb());
  const auto& n = *config().nn;
  const std::uint32_t dmem_end = soc::kDmemBase + static_cast<std::uint32_t>(config().rv32->dmem_bytes);
  for (std::uint32_t a : {0x30000000u, 0xFFFFFFFCu, dmem_end, soc::kSysBase, soc::kSocRegBase + 0x40, 0x20003000u,
                          soc::kNnActBase + 4u * static_cast<std::uint32_t>(n.act_words)}) {
    const auto r = port.read(a);
    EXPECT_EQ(r.resp, soc::kRespDecerr) << fmt::format("read 0x{:08x}", a);
    EXPECT_EQ(r.resp, s.read(a).resp) << fmt::format("read 0x{:08x}", a);
    EXPECT_EQ(r.data, 0u) << fmt::format("read 0x{:08x}", a);
    EXPECT_EQ(port.write(a, 0x12345678u), soc::kRespDecerr) << fmt::format("write 0x{:08x}", a);
  }
  // A partial write outside DMEM, writes to registers the host may only read.
  const std::uint32_t act = soc::kNnActBase + 8;
  ASSERT_EQ(port.write(act, 0x1357u), soc::kRespOkay);
  EXPECT_EQ(port.write(act, 0xFFFFu, 0x3), soc::kRespSlverr);
  EXPECT_EQ(s.write(act, 0xFFFFu, 0x3), soc::kRespSlverr);
  for (const char* r : {"SOC_INFO", "FW_IRQ_STATUS"}) EXPECT_EQ(port.write(soc::reg_address(r), 1), soc::kRespSlverr) << r;
  EXPECT_EQ(port.write(soc::nn_reg_address(nn::register_index("STATUS")), 0), soc::kRespSlverr);
  // IMEM while the core runs.
  ASSERT_EQ(port.write(soc::reg_address("CORE_CTRL"), 0), soc::kRespOkay);
  const auto im = port.read(4);
  EXPECT_EQ(im.resp, soc::kRespSlverr);
  EXPECT_EQ(im.data, 0u);
  EXPECT_EQ(port.write(4, 1), soc::kRespSlverr);
  // Nothing changed; what is allowed answers OKAY with its data.
  const auto r = port.read(act);
  EXPECT_EQ(r.resp, soc::kRespOkay);
  EXPECT_EQ(r.data, 0x1357u);
  EXPECT_EQ(port.read(soc::msg_address("F2H_MSG0")).data, s.read(soc::msg_address("F2H_MSG0")).data);
  EXPECT_EQ(port.read(soc::reg_address("SOC_INFO")).data >> 24, static_cast<std::uint32_t>(soc::kInterfaceVersion));
}

// A first byte that is no command: the bytes after it (here a whole write
// frame) are dropped until the line is idle, then one kAnsBadCommand; no
// access is made, and the next frame works.
TEST(SocUart, BadCommandByteIsAnsweredAndMakesNoAccess) {
  SocSim s;
  UartSim u(s, cpb());
  UartPort port(u, cpb());
  const std::uint32_t w = soc::kDmemBase + 0x40;
  ASSERT_EQ(s.write(w, 0xA5A5A5A5u), soc::kRespOkay);
  for (std::uint8_t bad : {std::uint8_t{0x00}, std::uint8_t{0x21}, std::uint8_t{0x30}, std::uint8_t{soc::kAnsWrite}, std::uint8_t{0xFF}}) {
    auto frame = strata::sim::write_frame(w, 0x11111111u * bad, 0xF);
    frame.insert(frame.begin(), bad);
    const auto a = exchange(u, frame, 1);
    ASSERT_EQ(a.size(), 1u) << fmt::format("no answer to command byte 0x{:02x}", bad);
    EXPECT_EQ(a[0], soc::kAnsBadCommand) << fmt::format("command byte 0x{:02x}", bad);
    EXPECT_EQ(s.read(w).data, 0xA5A5A5A5u) << fmt::format("the dropped frame after 0x{:02x} made an access", bad);
  }
  EXPECT_EQ(port.write(w, 0x5A5A5A5Au), soc::kRespOkay);
  EXPECT_EQ(s.read(w).data, 0x5A5A5A5Au);
}

// A frame cut short (a write without its last data bytes, a read without
// its last address byte): kAnsTimeout after the frame timeout, no access.
TEST(SocUart, TruncatedFrameTimesOutWithoutAccess) {
  SocSim s;
  UartSim u(s, cpb());
  UartPort port(u, cpb());
  const std::uint32_t w = soc::kDmemBase + 0x44;
  ASSERT_EQ(s.write(w, 0x0F0F0F0Fu), soc::kRespOkay);
  for (int keep = 1; keep < soc::kWriteFrameBytes; keep += 3) {
    auto frame = strata::sim::write_frame(w, 0xDEADBEEFu, 0xF);
    frame.resize(static_cast<std::size_t>(keep));
    const std::uint64_t t0 = s.cycles();
    const auto a = exchange(u, frame, 1);
    ASSERT_EQ(a.size(), 1u) << "no answer to a write frame of " << keep << " bytes";
    EXPECT_EQ(a[0], soc::kAnsTimeout) << keep << " bytes";
    EXPECT_GE(s.cycles() - t0, static_cast<std::uint64_t>(cpb()) * soc::kFrameTimeoutBits) << "answered before the frame timeout";
    EXPECT_EQ(s.read(w).data, 0x0F0F0F0Fu) << "a write frame of " << keep << " bytes made an access";
  }
  auto rd = strata::sim::read_frame(w);
  rd.pop_back();
  const auto a = exchange(u, rd, soc::kReadAnswerBytes);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0], soc::kAnsTimeout);
  const auto r = port.read(w);
  EXPECT_EQ(r.resp, soc::kRespOkay);
  EXPECT_EQ(r.data, 0x0F0F0F0Fu);
}

// The UART bridge and the AXI4-Lite master at once (random back-pressure on
// AXI): random DMEM writes with random byte strobes and reads from both, each
// master on its own words, against a memory model; every UART access
// overlaps AXI accesses, so the two masters meet at the bus.
TEST(SocUart, UartAndAxiTogetherMatchAMemoryModel) {
  SocSim s("", g_seed, 30);
  UartSim u(s, cpb());
  std::mt19937_64 rng(g_seed);
  std::map<std::uint32_t, std::uint32_t> mem;
  for (std::uint32_t i = 0; i < 32; ++i) {
    const std::uint32_t v = static_cast<std::uint32_t>(rng());
    ASSERT_EQ(s.write(soc::kDmemBase + 4 * i, v), soc::kRespOkay);
    mem[soc::kDmemBase + 4 * i] = v;
  }
  const auto lanes = [](std::uint32_t strb) {
    std::uint32_t m = 0;
    for (int b = 0; b < 4; ++b)
      if (strb >> b & 1u) m |= 0xFFu << (8 * b);
    return m;
  };
  int uart_reads = 0, axi_accesses = 0;
  for (int i = 0; i < 40; ++i) {
    const std::uint32_t ua = soc::kDmemBase + 4 * std::uniform_int_distribution<std::uint32_t>(0, 15)(rng);  // the UART's words
    const bool uwrite = std::bernoulli_distribution(0.5)(rng);
    const std::uint32_t uv = static_cast<std::uint32_t>(rng()), ustrb = std::uniform_int_distribution<std::uint32_t>(0, 15)(rng);
    u.send(uwrite ? strata::sim::write_frame(ua, uv, ustrb) : strata::sim::read_frame(ua));
    const int want = uwrite ? soc::kWriteAnswerBytes : soc::kReadAnswerBytes;
    // AXI accesses to the other words until the UART's answer is in.
    while (u.pending() < static_cast<std::size_t>(want)) {
      const std::uint32_t aa = soc::kDmemBase + 64 + 4 * std::uniform_int_distribution<std::uint32_t>(0, 15)(rng);
      if (std::bernoulli_distribution(0.5)(rng)) {
        const std::uint32_t v = static_cast<std::uint32_t>(rng()), strb = std::uniform_int_distribution<std::uint32_t>(0, 15)(rng);
        ASSERT_EQ(s.write(aa, v, strb), soc::kRespOkay);
        mem[aa] = (mem[aa] & ~lanes(strb)) | (v & lanes(strb));
      } else {
        const auto r = s.read(aa);
        ASSERT_EQ(r.resp, soc::kRespOkay);
        ASSERT_EQ(r.data, mem[aa]) << fmt::format("AXI read 0x{:08x} (seed {})", aa, g_seed);
      }
      ++axi_accesses;
      ASSERT_LT(axi_accesses, 100000) << "no UART answer";
    }
    const auto a0 = u.receive(1);
    ASSERT_TRUE(a0);
    if (uwrite) {
      ASSERT_EQ(*a0, soc::kAnsWrite | soc::kRespOkay);
      mem[ua] = (mem[ua] & ~lanes(ustrb)) | (uv & lanes(ustrb));
    } else {
      ASSERT_EQ(*a0, soc::kAnsRead | soc::kRespOkay);
      std::uint32_t d = 0;
      for (int b = 0; b < 4; ++b) d |= std::uint32_t{*u.receive(1)} << (8 * b);
      ASSERT_EQ(d, mem[ua]) << fmt::format("UART read 0x{:08x} (seed {})", ua, g_seed);
      ++uart_reads;
    }
  }
  for (const auto& [addr, v] : mem) EXPECT_EQ(s.read(addr).data, v) << fmt::format("0x{:08x} (seed {})", addr, g_seed);
  EXPECT_GT(uart_reads, 5);
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--seed=", 0) == 0) g_seed = std::stoull(a.substr(7));
  }
  fmt::print("soc_uart: config {}, seed {}, {} clocks per bit\n", STRATA_SOC_CONFIG, g_seed, cpb());
  return RUN_ALL_TESTS();
}
