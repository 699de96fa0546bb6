// The SoC's software-visible interface, as data: the memory map seen by the
// RV32 core and by the host port (AXI4-Lite), the SoC registers (core reset,
// doorbells, mailbox) and the mailbox protocol between host and firmware.
// The generator builds the SoC's decoders and register block from these
// tables, the firmware and the runtime use them through regmap.h and this
// header, and `strata gen` prints them in manifest.json and regmap.md
// (docs/blocks/soc.md holds the same tables).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"

namespace strata::soc {

// HW version of the SoC glue, SOC_INFO[31:24] (2: the mailbox words in DMEM).
inline constexpr int kInterfaceVersion = 2;

// Byte addresses (the same for the core and the host).
inline constexpr std::uint32_t kImemBase = 0x00000000u;
inline constexpr std::uint32_t kDmemBase = 0x10000000u;
inline constexpr std::uint32_t kMmioBase = 0x20000000u;
inline constexpr int kMmioAddrBits = 24;  // the core's MMIO region: 16 MiB from kMmioBase
inline constexpr std::uint32_t kSysBase = 0x20000000u;      // console, exit, irq, timer (docs/blocks/rv32.md)
inline constexpr std::uint32_t kSocRegBase = 0x20001000u;   // SoC registers (below)
inline constexpr std::uint32_t kNnRegBase = 0x20002000u;    // the engine's registers, word i at +4i
inline constexpr std::uint32_t kNnCtrlBase = 0x20400000u;   // the engine's control memory, word i at +4i
inline constexpr std::uint32_t kNnActBase = 0x20800000u;    // activation memory (bits 15:0 of each word)
inline constexpr std::uint32_t kNnWeightBase = 0x20C00000u; // weight memories: AU a word w at +4(a * weight_words + w)
inline constexpr int kNnWindowAddrBits = 22;                // each engine memory window: 4 MiB
inline constexpr int kRegWindowWords = 16;                  // SoC and engine register pages

// Who may access something, from one side (host or core).
enum class Access { none, read, read_write, write1_set, write1_clear };
std::string to_string(Access a);

struct Region {
  std::string name;
  std::uint32_t base;
  std::uint32_t bytes;
  std::string host, core;  // how each side may access it
  std::string doc;
};
std::vector<Region> regions(const SocConfig& c);

struct Register {
  std::string name;
  int index;            // word index from kSocRegBase
  int width;            // bits kept (0: a constant or a live status, no storage)
  std::uint32_t reset;  // value after reset
  Access host, core;
  std::string doc;
};
const std::vector<Register>& registers();
const Register& reg(const std::string& name);
inline std::uint32_t reg_address(const std::string& name) { return kSocRegBase + 4u * static_cast<std::uint32_t>(reg(name).index); }

// CORE_CTRL bits.
inline constexpr std::uint32_t kCoreCtrlReset = 1u << 0;    // 1: the core (and its timer) is held in reset
inline constexpr std::uint32_t kCoreCtrlHostIrqEn = 1u << 1;  // irq_o follows F2H_DOORBELL

// The mailbox: kMsgWords words each way, in DMEM from kMailboxBase (plain
// memory, which the firmware's link.ld leaves out; the doorbells are SoC
// registers). The host writes a job into H2F_MSG0..3 and writes 1 to
// H2F_DOORBELL; the firmware (woken by the mailbox interrupt) reads the
// job, writes 1 to H2F_DOORBELL to take it, runs it, writes its answer
// into F2H_MSG0..3 and writes 1 to F2H_DOORBELL; the host (polling
// F2H_DOORBELL or taking irq_o) reads the answer and writes 1 to
// F2H_DOORBELL to clear it.
inline constexpr int kMsgWords = 4;
inline constexpr std::uint32_t kMailboxBase = kDmemBase;
inline constexpr std::uint32_t kMailboxBytes = 2u * kMsgWords * 4u;
struct MessageWord {
  std::string name;  // H2F_MSGk or F2H_MSGk
  int index;         // word index from kMailboxBase
  std::string doc;
};
const std::vector<MessageWord>& message_words();
std::uint32_t msg_address(const std::string& name);

enum class Command : std::uint32_t { run = 1, ping = 2 };
struct CommandInfo {
  std::string name;
  Command code;
  std::string doc;
};
const std::vector<CommandInfo>& commands();

enum class Result : std::uint32_t {
  ok = 0,
  bad_command = 1,   // H2F_MSG0 is no command
  bad_address = 2,   // the descriptor list does not lie inside the control memory
  engine_error = 3,  // the engine stopped with an error: its code in F2H_MSG0[15:8]
  timeout = 4,       // the engine did not finish within the job's cycle budget
};
inline constexpr Result kLastResult = Result::timeout;
std::string to_string(Result r);
std::string name(Result r);

// F2H_MSG0 fields.
inline constexpr int kAnswerErrorShift = 8;  // [15:8] the engine's error code
inline constexpr int kAnswerTagShift = 16;   // [31:16] the job's tag (H2F_MSG3[15:0])
// The firmware's version, F2H_MSG1 of a ping's answer.
inline constexpr std::uint32_t kFirmwareVersion = 1;
// A job's budget of 0 means this many cycles.
inline constexpr std::uint32_t kDefaultBudget = 100000000u;

// The host byte address of a word of the engine's host memory map
// (nn/nn_map.h: word address, region in [31:28]).
std::uint32_t host_address_of_nn_word(std::uint32_t nn_word_address);
// The host byte address of engine register `index`.
inline std::uint32_t nn_reg_address(int index) { return kNnRegBase + 4u * static_cast<std::uint32_t>(index); }

// AXI4-Lite response codes.
inline constexpr std::uint32_t kRespOkay = 0, kRespSlverr = 2, kRespDecerr = 3;

nlohmann::json interface_json(const SocConfig& c);
// The STRATA_SOC_* part of regmap.h (the same names for every SoC config,
// so that one firmware source serves them all).
std::string regmap_header(const SocConfig& c);
std::string interface_markdown(const SocConfig& c);

}  // namespace strata::soc
