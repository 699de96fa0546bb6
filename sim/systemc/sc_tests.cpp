// The SoC in the SystemC example platform, driven through its TLM-2.0
// target socket: the AXI responses as TLM responses (DECERR an address
// error, SLVERR a generic error), accesses the port cannot carry refused,
// byte enables as byte lanes, transactions that take the SoC's cycles, and
// pulse_cnn through the firmware bit-exact with the golden model. The tests
// run inside the platform's host thread (a transaction waits for the
// clock), each on a freshly reset SoC. --seed=N replays the random input.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>

#include "rv32_params.h"
#include "runtime/compiler.h"
#include "runtime/example_models.h"
#include "runtime/runner.h"
#include "soc/soc_device.h"
#include "soc/soc_map.h"
#include "soc_config.h"
#include "systemc/platform.h"

namespace {

namespace gn = strata::golden::nn;
namespace soc = strata::soc;
using strata::sim::Platform;

std::uint64_t g_seed = 1;
Platform* g_vp = nullptr;

const strata::SocConfig& config() {
  static const strata::SocConfig c = strata::load_config(STRATA_SOC_CONFIG);
  return c;
}

class Systemc : public ::testing::Test {
 protected:
  void SetUp() override { g_vp->reset(); }
  static Platform& vp() { return *g_vp; }
  // One access through the initiator socket; returns the TLM response.
  static tlm::tlm_response_status write(std::uint32_t addr, std::uint32_t word, std::uint32_t strb = 0xF) {
    return vp().host.transport(tlm::TLM_WRITE_COMMAND, addr, word, strb);
  }
  static tlm::tlm_response_status read(std::uint32_t addr, std::uint32_t& word, std::uint32_t strb = 0xF) {
    return vp().host.transport(tlm::TLM_READ_COMMAND, addr, word, strb);
  }
  // A payload of any shape, sent as it is.
  static tlm::tlm_response_status send(tlm::tlm_generic_payload& p) {
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    vp().host.socket->b_transport(p, delay);
    return p.get_response_status();
  }
};

TEST_F(Systemc, DecerrIsAnAddressErrorAndSlverrAGenericError) {
  const auto& n = *config().nn;
  for (std::uint32_t a : {0x30000000u, 0xFFFFFFFCu, soc::kSysBase, soc::kSocRegBase + 0x40, soc::kNnRegBase + 0x40,
                          soc::kNnActBase + 4u * static_cast<std::uint32_t>(n.act_words), 0x21000000u}) {
    std::uint32_t w = 0xDEADBEEFu;
    EXPECT_EQ(read(a, w), tlm::TLM_ADDRESS_ERROR_RESPONSE) << fmt::format("read 0x{:08x}", a);
    EXPECT_EQ(w, 0u) << fmt::format("read 0x{:08x}: DECERR's read data", a);
    EXPECT_EQ(write(a, 0x12345678u), tlm::TLM_ADDRESS_ERROR_RESPONSE) << fmt::format("write 0x{:08x}", a);
  }
  // Registers the host may only read, and a partial write outside DMEM: SLVERR.
  for (const char* r : {"SOC_INFO", "FW_IRQ_EN", "FW_IRQ_STATUS"}) EXPECT_EQ(write(soc::reg_address(r), 0), tlm::TLM_GENERIC_ERROR_RESPONSE) << r;
  EXPECT_EQ(write(soc::kNnActBase, 0x1111u, 0x3), tlm::TLM_GENERIC_ERROR_RESPONSE);
  // IMEM while the core runs (an endless `j .`): SLVERR; while it is held in reset: the host's.
  EXPECT_EQ(write(soc::kImemBase, 0x0000006Fu), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(write(soc::reg_address("CORE_CTRL"), 0), tlm::TLM_OK_RESPONSE);
  std::uint32_t w = 0;
  EXPECT_EQ(read(soc::kImemBase, w), tlm::TLM_GENERIC_ERROR_RESPONSE);
  EXPECT_EQ(write(soc::reg_address("CORE_CTRL"), soc::kCoreCtrlReset), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(write(soc::kImemBase, 0x00100073u), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(read(soc::kImemBase, w), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(w, 0x00100073u);
  EXPECT_EQ(read(soc::reg_address("SOC_INFO"), w), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(w >> 24, static_cast<std::uint32_t>(soc::kInterfaceVersion));
}

// What the host port cannot carry is refused before it reaches the pins.
TEST_F(Systemc, OtherLengthsAndUnalignedAddressesAreRefused) {
  unsigned char data[8] = {};
  tlm::tlm_generic_payload p;
  p.set_command(tlm::TLM_WRITE_COMMAND);
  p.set_data_ptr(data);
  p.set_address(soc::kDmemBase);
  p.set_data_length(8);
  p.set_streaming_width(8);
  EXPECT_EQ(send(p), tlm::TLM_BURST_ERROR_RESPONSE);
  p.set_data_length(2);
  p.set_streaming_width(2);
  EXPECT_EQ(send(p), tlm::TLM_BURST_ERROR_RESPONSE);
  p.set_data_length(4);
  p.set_streaming_width(4);
  p.set_address(soc::kDmemBase + 2);
  EXPECT_EQ(send(p), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  p.set_address(soc::kDmemBase);
  EXPECT_EQ(send(p), tlm::TLM_OK_RESPONSE);
}

// Byte i of the payload is the byte at address + i, written only where it
// is enabled; a read fills only the enabled bytes of the payload.
TEST_F(Systemc, ByteEnablesAreTheByteLanesOfDmem) {
  const std::uint32_t a = soc::kDmemBase + 0x40;
  const std::uint32_t base = 0x11223344u, v = 0xA1B2C3D4u;
  for (std::uint32_t strb = 0; strb < 16; ++strb) {
    ASSERT_EQ(write(a, base), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(write(a, v, strb), tlm::TLM_OK_RESPONSE) << "strb " << strb;
    std::uint32_t expect = 0;
    for (int b = 0; b < 4; ++b) expect |= (((strb >> b) & 1u) ? v : base) & (0xFFu << (8 * b));
    std::uint32_t w = 0;
    ASSERT_EQ(read(a, w), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(w, expect) << fmt::format("after a write of 0x{:08x} with byte enables 0x{:x} over 0x{:08x}", v, strb, base);
    std::uint32_t partial = 0xEEEEEEEEu, keep = 0;
    for (int b = 0; b < 4; ++b) keep |= ((strb >> b) & 1u) ? 0u : 0xFFu << (8 * b);
    ASSERT_EQ(read(a, partial, strb), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(partial, (expect & ~keep) | (0xEEEEEEEEu & keep)) << fmt::format("a read with byte enables 0x{:x}", strb);
  }
  // The word's bytes at their addresses: the byte at a + 1 read as DMEM's byte 1.
  ASSERT_EQ(write(a, 0x00000000u), tlm::TLM_OK_RESPONSE);
  unsigned char byte = 0x5A, enables[4] = {TLM_BYTE_DISABLED, TLM_BYTE_ENABLED, TLM_BYTE_DISABLED, TLM_BYTE_DISABLED};
  unsigned char data[4] = {0, byte, 0, 0};
  tlm::tlm_generic_payload p;
  p.set_command(tlm::TLM_WRITE_COMMAND);
  p.set_address(a);
  p.set_data_ptr(data);
  p.set_data_length(4);
  p.set_streaming_width(4);
  p.set_byte_enable_ptr(enables);
  p.set_byte_enable_length(4);
  ASSERT_EQ(send(p), tlm::TLM_OK_RESPONSE);
  std::uint32_t w = 0;
  ASSERT_EQ(read(a, w), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(w, std::uint32_t{byte} << 8);
}

// A transaction is carried out on the pins: it takes SoC cycles, and the
// simulated time is those cycles of the clock.
TEST_F(Systemc, TransactionsTakeTheSocsCycles) {
  const std::uint64_t c0 = vp().host.cycles();
  const sc_core::sc_time t0 = sc_core::sc_time_stamp();
  std::uint32_t w = 0;
  for (int i = 0; i < 10; ++i) ASSERT_EQ(read(soc::kDmemBase, w), tlm::TLM_OK_RESPONSE);
  const std::uint64_t cycles = vp().host.cycles() - c0;
  EXPECT_GE(cycles, 20u) << "an AXI4-Lite read takes at least an address and a data cycle";
  EXPECT_EQ(sc_core::sc_time_stamp() - t0, vp().host.period() * static_cast<double>(cycles));
  vp().host.run(7);
  EXPECT_EQ(vp().host.cycles() - c0, cycles + 7);
}

// pulse_cnn through the firmware (booted through the socket, its answers
// waited for on irq_o): every layer alone, then the whole network, every
// tensor bit-exact with the golden model.
TEST_F(Systemc, PulseCnnThroughTheFirmwareBitExact) {
  const gn::Model model = strata::runtime::pulse_cnn(3);
  const auto program = strata::runtime::compile(config(), model);
  strata::sim::SocDevice dev(vp().port, STRATA_SOC_FIRMWARE, strata::rv32_iss_params(*config().rv32));
  EXPECT_NE(vp().console().find("strata soc firmware"), std::string::npos) << vp().console();
  const gn::Tensor input = strata::runtime::random_input(model, g_seed);
  const auto report = strata::runtime::run_model(dev, config(), model, program, input, 2'000'000);
  for (const auto& l : report.layers) EXPECT_FALSE(l.mismatch) << l.name << ": " << l.mismatch->tensor << "[" << l.mismatch->position << "][" << l.mismatch->channel << "]";
  EXPECT_FALSE(report.network_mismatch) << "the whole network, seed " << g_seed;
  EXPECT_TRUE(report.ok());
  const strata::sim::Answer& a = dev.last_answer();
  EXPECT_EQ(a.result, soc::Result::ok);
  EXPECT_GT(a.words[1], 1000u) << "the engine's cycles";
  EXPECT_GE(a.host_cycles, a.words[1]) << "the host waited for the engine's run";
  EXPECT_LT(a.host_cycles, a.words[1] + 1000u) << "the answer came soon after the engine's run";
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--seed=", 0) == 0) g_seed = std::stoull(a.substr(7));
  }
  fmt::print("sc_tests: config {}, seed {}\n", STRATA_SOC_CONFIG, g_seed);
  int result = 1;
  Platform vp("vp", [&](strata::sim::TlmHostPort&) { result = RUN_ALL_TESTS(); });
  g_vp = &vp;
  vp.run();
  return result;
}
