#include "blocks/soc_uart.h"

#include <fmt/format.h>

#include "blocks/au_lanes.h"
#include "soc/soc_map.h"
#include "soc/soc_uart.h"

namespace strata {

namespace {
using ir::Dir;
using ir::assign;
using ir::if_else;
}  // namespace

std::string generate_soc_uart(const SocConfig& c, ir::Design& d) {
  const int div = uart_clocks_per_bit(c);
  const long long timeout = static_cast<long long>(soc::kFrameTimeoutBits) * div;
  const int cw = bits_for(div - 1), tw = bits_for(static_cast<int>(timeout));
  const auto cnt = [&](long long v) { return fmt::format("{}'d{}", cw, v); };
  const auto byte = [](unsigned v) { return fmt::format("8'h{:02x}", v); };

  ir::Module m;
  m.name = c.name + "_soc_uart";
  m.description = fmt::format("UART host bridge: 8N1 at {} baud ({} clocks per bit at {} MHz), word reads and writes framed as in soc/soc_uart.h.", c.uart->baud,
                              div, c.synth.clock_mhz);
  m.port(Dir::in, "clk_i").port(Dir::in, "rst_ni");
  m.port(Dir::in, "rx_i", 1, false, "serial in (idle high)").port(Dir::out, "tx_o", 1, false, "serial out (idle high)");
  m.port(Dir::out, "req_valid_o", 1, false, "an access waits")
      .port(Dir::out, "req_we_o")
      .port(Dir::out, "req_addr_o", 32, false, "byte address")
      .port(Dir::out, "req_wdata_o", 32)
      .port(Dir::out, "req_strb_o", 4)
      .port(Dir::in, "req_grant_i", 1, false, "the access is made (or refused) in this cycle")
      .port(Dir::in, "req_resp_i", 2, false, "its response, with req_grant_i")
      .port(Dir::in, "req_rdata_i", 32, false, "read data, the cycle after the grant");

  // ---- receiver: a start bit's falling edge, then each bit sampled in its middle
  m.comment("Receiver: rx_i through two flip-flops; after a start bit's edge, every bit sampled in its middle.");
  m.net("rx_s_q", 2, false, "synchronizer").net("rx").net("rx_busy_q").net("rx_cnt_q", cw).net("rx_bit_q", 4, false, "0 start, 1..8 data, 9 stop");
  m.net("rx_sh_q", 8, false, "the byte, LSB first").net("rx_done_q", 1, false, "a byte with its stop bit arrived");
  m.assign("rx", "rx_s_q[1]");
  m.ff({if_else("!rst_ni", {assign("rx_s_q", "2'b11"), assign("rx_busy_q", "1'b0"), assign("rx_done_q", "1'b0")},
                {assign("rx_s_q", "{rx_s_q[0], rx_i}"), assign("rx_done_q", "1'b0"),
                 if_else("!rx_busy_q",
                         {if_else("!rx", {assign("rx_busy_q", "1'b1"), assign("rx_cnt_q", cnt(div / 2 - 1)), assign("rx_bit_q", "4'd0")})},
                         {if_else(fmt::format("rx_cnt_q == {}", cnt(0)),
                                  {assign("rx_cnt_q", cnt(div - 1)), assign("rx_bit_q", "rx_bit_q + 4'd1"),
                                   if_else("rx_bit_q == 4'd0", {if_else("rx", {assign("rx_busy_q", "1'b0")})},
                                           {if_else("rx_bit_q == 4'd9", {assign("rx_busy_q", "1'b0"), assign("rx_done_q", "rx")},
                                                    {assign("rx_sh_q", "{rx, rx_sh_q[7:1]}")})})},
                                  {assign("rx_cnt_q", fmt::format("rx_cnt_q - {}", cnt(1)))})})})});

  // ---- transmitter: start bit, 8 data bits LSB first, stop bit
  m.comment("Transmitter: the answer's bytes one after another, each as start bit, 8 data bits (LSB first), stop bit.");
  m.net("tx_busy_q").net("tx_cnt_q", cw).net("tx_bit_q", 4).net("tx_sh_q", 10, false, "the bits still to send, the line's level in bit 0").net("tx_load");
  m.net("out_q", 40, false, "the answer's bytes, the next in bits 7:0").net("out_n_q", 3, false, "answer bytes still to send");
  m.assign("tx_load", "out_n_q != 3'd0 && !tx_busy_q");
  m.ff({if_else("!rst_ni", {assign("tx_busy_q", "1'b0"), assign("tx_sh_q", "10'h3ff")},
                {if_else("tx_load",
                         {assign("tx_sh_q", "{1'b1, out_q[7:0], 1'b0}"), assign("tx_busy_q", "1'b1"), assign("tx_cnt_q", cnt(div - 1)), assign("tx_bit_q", "4'd0")},
                         {if_else("tx_busy_q",
                                  {if_else(fmt::format("tx_cnt_q == {}", cnt(0)),
                                           {assign("tx_cnt_q", cnt(div - 1)), assign("tx_sh_q", "{1'b1, tx_sh_q[9:1]}"), assign("tx_bit_q", "tx_bit_q + 4'd1"),
                                            if_else("tx_bit_q == 4'd9", {assign("tx_busy_q", "1'b0")})},
                                           {assign("tx_cnt_q", fmt::format("tx_cnt_q - {}", cnt(1)))})})})})});
  m.assign("tx_o", "tx_sh_q[0]");

  // ---- frames: command byte, address, data; one access; the answer
  m.comment("Frames (soc/soc_uart.h): a command byte, 4 address bytes and for a write 4 data bytes, little-endian; then one access on the");
  m.comment(fmt::format("request port and the answer. A bad command byte: every byte dropped until the line is idle for {} clocks ({} bit times),", timeout,
                        soc::kFrameTimeoutBits));
  m.comment("then kAnsBadCommand; a frame cut short: kAnsTimeout as long after its last byte. Bytes that come while an access or an answer is");
  m.comment("under way are dropped.");
  m.net("n_q", 4, false, "bytes of the frame so far (0: waiting for a command)").net("wr_q", 1, false, "the frame is a write").net("strb_q", 4);
  m.net("buf_q", 64, false, "the frame's address and data bytes, the last in bits 63:56").net("timer_q", tw, false, "clocks since the line was last busy");
  m.net("idle_long").net("drop_q", 1, false, "dropping bytes after a bad command").net("acc_q").net("rd_q", 1, false, "read data arrives").net("resp_q", 2);
  m.net("listening").net("is_cmd").net("last");
  m.assign("idle_long", fmt::format("timer_q == {}'d{}", tw, timeout));
  m.assign("listening", "!acc_q && !rd_q && out_n_q == 3'd0");
  m.assign("is_cmd", fmt::format("rx_sh_q[7:4] == 4'h{:x} || rx_sh_q == {}", soc::kCmdWrite >> 4, byte(soc::kCmdRead)));
  m.assign("last", fmt::format("n_q == (wr_q ? 4'd{} : 4'd{})", soc::kWriteFrameBytes - 1, soc::kReadFrameBytes - 1));
  m.ff({if_else("!rst_ni", {assign("n_q", "4'd0"), assign("drop_q", "1'b0"), assign("acc_q", "1'b0"), assign("rd_q", "1'b0"), assign("out_n_q", "3'd0"),
                            assign("timer_q", fmt::format("{}'d0", tw))},
                {if_else("rx_busy_q || rx_done_q", {assign("timer_q", fmt::format("{}'d0", tw))},
                         {if_else("!idle_long", {assign("timer_q", fmt::format("timer_q + {}'d1", tw))})}),
                 if_else("rx_done_q && listening && !drop_q",
                         {if_else("n_q == 4'd0",
                                  {if_else("is_cmd", {assign("wr_q", "rx_sh_q[4]"), assign("strb_q", "rx_sh_q[3:0]"), assign("n_q", "4'd1")},
                                           {assign("drop_q", "1'b1")})},
                                  {assign("buf_q", "{rx_sh_q, buf_q[63:8]}"),
                                   if_else("last", {assign("n_q", "4'd0"), assign("acc_q", "1'b1")}, {assign("n_q", "n_q + 4'd1")})})}),
                 if_else("n_q != 4'd0 && idle_long", {assign("n_q", "4'd0"), assign("out_q", fmt::format("{{32'd0, {}}}", byte(soc::kAnsTimeout))), assign("out_n_q", "3'd1")}),
                 if_else("drop_q && idle_long", {assign("drop_q", "1'b0"), assign("out_q", fmt::format("{{32'd0, {}}}", byte(soc::kAnsBadCommand))), assign("out_n_q", "3'd1")}),
                 if_else("acc_q && req_grant_i",
                         {assign("acc_q", "1'b0"), assign("resp_q", "req_resp_i"),
                          if_else("wr_q", {assign("out_q", fmt::format("{{32'd0, 4'h{:x}, 2'd0, req_resp_i}}", soc::kAnsWrite >> 4)), assign("out_n_q", "3'd1")},
                                  {assign("rd_q", "1'b1")})}),
                 if_else("rd_q", {assign("rd_q", "1'b0"),
                                  assign("out_q", fmt::format("{{resp_q == 2'd{} ? req_rdata_i : 32'd0, 4'h{:x}, 2'd0, resp_q}}", soc::kRespOkay, soc::kAnsRead >> 4)),
                                  assign("out_n_q", fmt::format("3'd{}", soc::kReadAnswerBytes))}),
                 if_else("tx_load", {assign("out_q", "{8'd0, out_q[39:8]}"), assign("out_n_q", "out_n_q - 3'd1")})})});
  m.assign("req_valid_o", "acc_q").assign("req_we_o", "wr_q").assign("req_addr_o", "wr_q ? buf_q[31:0] : buf_q[63:32]");
  m.assign("req_wdata_o", "buf_q[63:32]").assign("req_strb_o", "strb_q");
  return d.add(std::move(m));
}

}  // namespace strata
