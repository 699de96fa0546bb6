#include "soc/soc_uart.h"

#include <fmt/format.h>

namespace strata::soc {

namespace {
struct Code {
  const char* name;
  unsigned code;
  const char* doc;
};
// The protocol's bytes, in the order docs/blocks/soc_uart.md lists them.
const Code kCodes[] = {
    {"CMD_WRITE", kCmdWrite, "first byte of a write frame, | byte strobes in bits 3:0; then address and data, 4 bytes each, little-endian"},
    {"CMD_READ", kCmdRead, "first byte of a read frame; then the address, 4 bytes, little-endian"},
    {"ANS_WRITE", kAnsWrite, "a write's answer, | its AXI response in bits 1:0"},
    {"ANS_READ", kAnsRead, "a read's answer, | its AXI response in bits 1:0; then the data, 4 bytes, little-endian (zero unless OKAY)"},
    {"ANS_BAD_COMMAND", kAnsBadCommand, "the first byte was no command: the bytes up to an idle line were dropped, no access made"},
    {"ANS_TIMEOUT", kAnsTimeout, "the frame stopped short (no byte for the frame timeout): dropped, no access made"},
};
}  // namespace

nlohmann::json uart_json(const SocConfig& c) {
  nlohmann::json j;
  j["module"] = c.name + "_soc_uart";
  j["ports"] = {{"rx", "uart_rx_i"}, {"tx", "uart_tx_o"}};
  j["baud"] = c.uart->baud;
  j["clocks_per_bit"] = uart_clocks_per_bit(c);
  j["framing"] = "8N1";
  j["frame_timeout_bits"] = kFrameTimeoutBits;
  j["write_frame_bytes"] = kWriteFrameBytes;
  j["read_frame_bytes"] = kReadFrameBytes;
  j["write_answer_bytes"] = kWriteAnswerBytes;
  j["read_answer_bytes"] = kReadAnswerBytes;
  for (const Code& k : kCodes) j["codes"][k.name] = {{"code", k.code}, {"doc", k.doc}};
  return j;
}

std::string uart_regmap_header(const SocConfig& c) {
  std::string s = fmt::format("// The UART host bridge: 8N1 at {} baud ({} clocks per bit); frames of docs/blocks/soc_uart.md.\n", c.uart->baud, uart_clocks_per_bit(c));
  s += fmt::format("#define STRATA_SOC_UART_BAUD {}\n#define STRATA_SOC_UART_CLOCKS_PER_BIT {}\n#define STRATA_SOC_UART_FRAME_TIMEOUT_BITS {}\n", c.uart->baud,
                   uart_clocks_per_bit(c), kFrameTimeoutBits);
  for (const Code& k : kCodes) s += fmt::format("#define STRATA_SOC_UART_{} 0x{:02x}u  // {}\n", k.name, k.code, k.doc);
  return s;
}

std::string uart_markdown(const SocConfig& c) {
  std::string s = fmt::format("\nUART host bridge (`uart_rx_i`, `uart_tx_o`): 8N1 at {} baud, {} clocks per bit; a frame ends after {} idle bit times.\n\n",
                              c.uart->baud, uart_clocks_per_bit(c), kFrameTimeoutBits);
  s += "| byte | code | meaning |\n| --- | --- | --- |\n";
  for (const Code& k : kCodes) s += fmt::format("| `{}` | 0x{:02x} | {} |\n", k.name, k.code, k.doc);
  return s;
}

}  // namespace strata::soc
