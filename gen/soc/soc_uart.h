// The UART host bridge's byte protocol (docs/blocks/soc_uart.md), as data:
// the generator builds <name>_soc_uart from these constants, the host
// transport (sim/soc/uart_port.h) speaks them, and `strata gen` prints them
// in manifest.json (soc.uart), regmap.h and regmap.md.
//
// 8N1 at uart.baud; the bridge's bit time is clocks_per_bit SoC clock
// cycles. One frame at a time: the host sends a frame and waits for its
// answer before it sends the next.
//   write: kCmdWrite | strb, addr[7:0], addr[15:8], addr[23:16], addr[31:24], data[7:0] .. data[31:24]
//          answer: kAnsWrite | resp
//   read:  kCmdRead, addr[7:0] .. addr[31:24]
//          answer: kAnsRead | resp, data[7:0] .. data[31:24] (zero unless OKAY)
// resp is the AXI response of the access (OKAY 0, SLVERR 2, DECERR 3).
// A first byte that is no command, or a frame whose next byte does not come
// within kFrameTimeoutBits bit times: the bridge drops every byte until the
// line has been idle for kFrameTimeoutBits bit times, then answers
// kAnsBadCommand or kAnsTimeout; the dropped frame makes no bus access.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "config/config.h"

namespace strata::soc {

inline constexpr std::uint8_t kCmdWrite = 0x10;  // | the byte strobes in bits 3:0
inline constexpr std::uint8_t kCmdRead = 0x20;
inline constexpr std::uint8_t kAnsWrite = 0xA0;  // | resp
inline constexpr std::uint8_t kAnsRead = 0xB0;   // | resp, then 4 data bytes
inline constexpr std::uint8_t kAnsBadCommand = 0xE1;
inline constexpr std::uint8_t kAnsTimeout = 0xE2;
inline constexpr int kWriteFrameBytes = 9, kReadFrameBytes = 5;
inline constexpr int kWriteAnswerBytes = 1, kReadAnswerBytes = 5;
inline constexpr int kFrameTimeoutBits = 4096;  // idle bit times that end a frame
inline constexpr int kUartMinClocksPerBit = 4;   // the receiver samples each bit in its middle
inline constexpr double kUartMaxBaudError = 0.02;  // |clock / clocks_per_bit - baud| / baud

nlohmann::json uart_json(const SocConfig& c);
std::string uart_regmap_header(const SocConfig& c);
std::string uart_markdown(const SocConfig& c);

}  // namespace strata::soc
