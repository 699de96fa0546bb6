#include "soc/soc_map.h"

#include <fmt/format.h>

#include <stdexcept>

#include "nn/nn_map.h"
#include "soc/soc_uart.h"

namespace strata::soc {

std::string to_string(Access a) {
  switch (a) {
    case Access::none: return "-";
    case Access::read: return "read";
    case Access::read_write: return "read/write";
    case Access::write1_set: return "read, write 1 to set";
    case Access::write1_clear: return "read, write 1 to clear";
  }
  return "?";
}

std::vector<Region> regions(const SocConfig& c) {
  const Rv32Config& r = *c.rv32;
  const NnConfig& n = *c.nn;
  const auto words = [](int w) { return static_cast<std::uint32_t>(w) * 4u; };
  return {
      {"IMEM", kImemBase, static_cast<std::uint32_t>(r.imem_bytes), "read/write while CORE_CTRL.RESET is 1 (else SLVERR), whole words", "fetch",
       "the firmware"},
      {"DMEM", kDmemBase, static_cast<std::uint32_t>(r.dmem_bytes), "read/write, byte lanes", "load/store, any width", "the mailbox, then the firmware's data and stack"},
      {"MAILBOX", kMailboxBase, kMailboxBytes, "read/write (DMEM)", "load/store (DMEM)",
       "the mailbox words H2F_MSG0..3, F2H_MSG0..3: the first words of DMEM, outside the firmware's link.ld"},
      {"SYS", kSysBase, 0x20u, "- (DECERR)", "load/store", "console, exit, irq, mtime, mtimecmp of the core's system (docs/blocks/rv32.md); reset with the core"},
      {"SOC_REGS", kSocRegBase, words(kRegWindowWords), "per register (a write it may not make: SLVERR)", "per register",
       "core reset, doorbells, interrupt enable (the SoC registers)"},
      {"NN_REGS", kNnRegBase, words(kRegWindowWords), "read; write CTRL and DESC_BASE (others: SLVERR)", "load/store words",
       "the engine's registers (docs/blocks/nn.md), index i at +4i"},
      {"NN_CTRL", kNnCtrlBase, words(n.ctrl_words), "read/write, whole words", "load/store words",
       "the engine's control memory, word i at +4i (ignored while the engine is busy)"},
      {"NN_ACT", kNnActBase, words(n.act_words), "read/write, whole words", "load/store words",
       "the activation memory, word i (bits 15:0) at +4i (ignored while the engine is busy)"},
      {"NN_WEIGHT", kNnWeightBase, words(n.channels() * n.weight_words), "read/write, whole words", "load/store words",
       "the weight memories: AU a word w at +4(a * nn.weight_words + w) (ignored while the engine is busy)"},
  };
}

const std::vector<Register>& registers() {
  using A = Access;
  static const std::vector<Register> regs{
      {"SOC_INFO", 0, 0, 0, A::read, A::read,
       fmt::format("bits 31:24 SoC interface version ({}), 23:16 mailbox words each way ({}), 15:0 the mailbox's byte offset in DMEM ({})", kInterfaceVersion, kMsgWords,
                   kMailboxBase - kDmemBase)},
      {"CORE_CTRL", 1, 2, kCoreCtrlReset, A::read_write, A::read,
       "bit 0 RESET (1 after reset: the core and its timer are held in reset, IMEM is the host's), bit 1 HOST_IRQ_EN (irq_o follows F2H_DOORBELL)"},
      {"H2F_DOORBELL", 2, 1, 0, A::write1_set, A::write1_clear, "bit 0: a job waits in H2F_MSG0..3 (the host sets it, the firmware clears it when it takes the job)"},
      {"F2H_DOORBELL", 3, 1, 0, A::write1_clear, A::write1_set, "bit 0: an answer waits in F2H_MSG0..3 (the firmware sets it, the host clears it)"},
      {"FW_IRQ_EN", 4, 1, 0, A::read, A::read_write, "bit 0: H2F_DOORBELL raises the core's external interrupt (with the engine's irq, CTRL.IRQ_EN)"},
      {"FW_IRQ_STATUS", 5, 0, 0, A::read, A::read, "bit 0 H2F_DOORBELL and FW_IRQ_EN, bit 1 the engine's interrupt line"},
  };
  return regs;
}

const Register& reg(const std::string& name) {
  for (const auto& r : registers())
    if (r.name == name) return r;
  throw std::out_of_range("no SoC register " + name);
}

const std::vector<MessageWord>& message_words() {
  static const std::vector<MessageWord> w{
      {"H2F_MSG0", 0, "the command: 1 run, 2 ping"},
      {"H2F_MSG1", 1, "run: control-memory word address of the descriptor list"},
      {"H2F_MSG2", 2, "run: the budget in core cycles (0: 100,000,000); past it the answer is timeout"},
      {"H2F_MSG3", 3, "bits 15:0 the job's tag, returned in the answer"},
      {"F2H_MSG0", 4, "bits 7:0 the result, 15:8 the engine's error code (result engine_error), 31:16 the job's tag"},
      {"F2H_MSG1", 5, "run: the engine's CYCLES; ping: the firmware's version (1)"},
      {"F2H_MSG2", 6, "run: core cycles from taking the job to answering it"},
      {"F2H_MSG3", 7, "run: bits 15:0 the engine's ERR_DESC, 31:16 its LAYERS"},
  };
  return w;
}

std::uint32_t msg_address(const std::string& name) {
  for (const auto& w : message_words())
    if (w.name == name) return kMailboxBase + 4u * static_cast<std::uint32_t>(w.index);
  throw std::out_of_range("no mailbox word " + name);
}

const std::vector<CommandInfo>& commands() {
  static const std::vector<CommandInfo> c{
      {"run", Command::run, "run the descriptor list at H2F_MSG1 on the engine, with its interrupt, and answer with its result and counters"},
      {"ping", Command::ping, "answer ok with the firmware's version"},
  };
  return c;
}

std::string name(Result r) {
  switch (r) {
    case Result::ok: return "ok";
    case Result::bad_command: return "bad_command";
    case Result::bad_address: return "bad_address";
    case Result::engine_error: return "engine_error";
    case Result::timeout: return "timeout";
  }
  return fmt::format("result_{}", static_cast<unsigned>(r));
}

std::string to_string(Result r) {
  switch (r) {
    case Result::ok: return "the job ran to its end";
    case Result::bad_command: return "H2F_MSG0 is no command";
    case Result::bad_address: return "the descriptor list does not start inside the control memory (a descriptor's 16 words)";
    case Result::engine_error: return "the engine stopped with an error (its code in bits 15:8)";
    case Result::timeout: return "the engine did not finish within the job's budget";
  }
  return fmt::format("result {}", static_cast<unsigned>(r));
}

std::uint32_t host_address_of_nn_word(std::uint32_t a) {
  const std::uint32_t region = a >> nn::kRegionShift, offset = a & ((1u << nn::kRegionShift) - 1);
  if (region > 2 || offset >= (1u << (kNnWindowAddrBits - 2))) throw std::out_of_range(fmt::format("engine word address 0x{:08x} has no window", a));
  return kNnCtrlBase + (region << kNnWindowAddrBits) + 4u * offset;
}

nlohmann::json interface_json(const SocConfig& c) {
  nlohmann::json j;
  j["module"] = c.name + "_soc";
  j["version"] = kInterfaceVersion;
  j["host_port"] = "axi4_lite";
  j["mmio_bytes"] = std::uint32_t{1} << kMmioAddrBits;
  for (const auto& r : regions(c))
    j["regions"].push_back({{"name", r.name}, {"base", r.base}, {"bytes", r.bytes}, {"host", r.host}, {"core", r.core}, {"doc", r.doc}});
  for (const auto& r : registers())
    j["registers"].push_back({{"name", r.name}, {"index", r.index}, {"address", kSocRegBase + 4u * static_cast<std::uint32_t>(r.index)}, {"width", r.width},
                              {"reset", r.reset}, {"host", to_string(r.host)}, {"core", to_string(r.core)}, {"doc", r.doc}});
  for (const auto& w : message_words()) j["mailbox"]["words"].push_back({{"name", w.name}, {"address", msg_address(w.name)}, {"doc", w.doc}});
  for (const auto& cm : commands()) j["mailbox"]["commands"][cm.name] = {{"code", static_cast<unsigned>(cm.code)}, {"doc", cm.doc}};
  for (int r = 0; r <= static_cast<int>(kLastResult); ++r)
    j["mailbox"]["results"][name(static_cast<Result>(r))] = {{"code", r}, {"doc", to_string(static_cast<Result>(r))}};
  j["mailbox"]["default_budget"] = kDefaultBudget;
  j["axi_responses"] = {{"OKAY", kRespOkay}, {"SLVERR", kRespSlverr}, {"DECERR", kRespDecerr}};
  if (c.uart) j["uart"] = uart_json(c);
  return j;
}

namespace {
std::string upper(const std::string& s) {
  std::string u;
  for (char ch : s) u += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
  return u;
}
}  // namespace

std::string regmap_header(const SocConfig& c) {
  std::string s = fmt::format("\n// The SoC {}_soc: memory map (byte addresses, core and host), SoC registers, mailbox protocol.\n", c.name);
  s += fmt::format("#define STRATA_SOC_VERSION {}\n", kInterfaceVersion);
  for (const auto& r : regions(c))
    s += fmt::format("#define STRATA_SOC_{}_BASE 0x{:08x}u\n#define STRATA_SOC_{}_BYTES 0x{:x}u  // {}\n", r.name, r.base, r.name, r.bytes, r.doc);
  s += fmt::format("#define STRATA_SOC_NN_CTRL_WORDS {}\n#define STRATA_SOC_NN_ACT_WORDS {}\n#define STRATA_SOC_NN_WEIGHT_WORDS {}\n#define STRATA_SOC_NN_AUS {}\n",
                   c.nn->ctrl_words, c.nn->act_words, c.nn->weight_words, c.nn->channels());
  s += fmt::format("#define STRATA_SOC_NN_DESC_WORDS {}\n", nn::kDescriptorWords);
  for (const auto& r : nn::registers()) s += fmt::format("#define STRATA_SOC_NN_{} 0x{:08x}u\n", r.name, nn_reg_address(r.index));
  s += fmt::format("#define STRATA_SOC_NN_CTRL_START 0x{:x}u\n#define STRATA_SOC_NN_CTRL_IRQ_EN 0x{:x}u\n#define STRATA_SOC_NN_STATUS_BUSY 0x{:x}u\n"
                   "#define STRATA_SOC_NN_STATUS_DONE 0x{:x}u\n#define STRATA_SOC_NN_STATUS_ERROR_SHIFT {}\n",
                   nn::kCtrlStart, nn::kCtrlIrqEn, nn::kStatusBusy, nn::kStatusDone, nn::kStatusErrorShift);
  s += "// SoC registers.\n";
  for (const auto& r : registers())
    s += fmt::format("#define STRATA_SOC_{} 0x{:08x}u  // host {}, core {}: {}\n", r.name, kSocRegBase + 4u * static_cast<std::uint32_t>(r.index), to_string(r.host),
                     to_string(r.core), r.doc);
  s += fmt::format("#define STRATA_SOC_CORE_CTRL_RESET 0x{:x}u\n#define STRATA_SOC_CORE_CTRL_HOST_IRQ_EN 0x{:x}u\n", kCoreCtrlReset, kCoreCtrlHostIrqEn);
  s += "// Mailbox protocol: the words in DMEM.\n";
  for (const auto& w : message_words()) s += fmt::format("#define STRATA_SOC_{} 0x{:08x}u  // {}\n", w.name, msg_address(w.name), w.doc);
  for (const auto& cm : commands()) s += fmt::format("#define STRATA_SOC_CMD_{} {}  // {}\n", upper(cm.name), static_cast<unsigned>(cm.code), cm.doc);
  for (int r = 0; r <= static_cast<int>(kLastResult); ++r)
    s += fmt::format("#define STRATA_SOC_RESULT_{} {}  // {}\n", upper(name(static_cast<Result>(r))), r, to_string(static_cast<Result>(r)));
  s += fmt::format("#define STRATA_SOC_ANSWER_ERROR_SHIFT {}\n#define STRATA_SOC_ANSWER_TAG_SHIFT {}\n#define STRATA_SOC_FIRMWARE_VERSION {}u\n#define STRATA_SOC_DEFAULT_BUDGET {}u\n",
                   kAnswerErrorShift, kAnswerTagShift, kFirmwareVersion, kDefaultBudget);
  if (c.uart) s += uart_regmap_header(c);
  return s;
}

std::string interface_markdown(const SocConfig& c) {
  std::string s = "| region | base | bytes | host (AXI4-Lite) | core | what |\n| --- | --- | ---: | --- | --- | --- |\n";
  for (const auto& r : regions(c)) s += fmt::format("| `{}` | 0x{:08x} | 0x{:x} | {} | {} | {} |\n", r.name, r.base, r.bytes, r.host, r.core, r.doc);
  s += "\nAny other host address: DECERR. SoC registers (from 0x20001000):\n\n";
  s += "| register | address | reset | host | core | meaning |\n| --- | --- | --- | --- | --- | --- |\n";
  for (const auto& r : registers())
    s += fmt::format("| `{}` | 0x{:08x} | {} | {} | {} | {} |\n", r.name, kSocRegBase + 4u * static_cast<std::uint32_t>(r.index), r.width ? fmt::format("0x{:x}", r.reset) : "-",
                     to_string(r.host), to_string(r.core), r.doc);
  s += "\n| mailbox word (DMEM) | address | meaning |\n| --- | --- | --- |\n";
  for (const auto& w : message_words()) s += fmt::format("| `{}` | 0x{:08x} | {} |\n", w.name, msg_address(w.name), w.doc);
  s += "\n| command | code | meaning |\n| --- | ---: | --- |\n";
  for (const auto& cm : commands()) s += fmt::format("| `{}` | {} | {} |\n", cm.name, static_cast<unsigned>(cm.code), cm.doc);
  s += "\n| result | code | meaning |\n| --- | ---: | --- |\n";
  for (int r = 0; r <= static_cast<int>(kLastResult); ++r)
    s += fmt::format("| `{}` | {} | {} |\n", name(static_cast<Result>(r)), r, to_string(static_cast<Result>(r)));
  if (c.uart) s += uart_markdown(c);
  return s;
}

}  // namespace strata::soc
