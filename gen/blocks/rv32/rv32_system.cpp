// The system around the core: IMEM and DMEM (tightly coupled, one cycle),
// the MMIO block (console, exit, software interrupt line, mtime/mtimecmp)
// and the top <name>_rv32 that joins them, with a load port through which a
// host writes the program into the memories while the core is in reset.
#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "blocks/rv32/rv32_parts.h"
#include "vendor_rtl.h"

namespace strata::rv32 {

namespace {
using ir::Dir;
using ir::assign;
using ir::if_else;

int log2i(int v) { return std::countr_zero(static_cast<unsigned>(v)); }

constexpr int kSpramAddrBits = 14;  // 16384 words of 32 bits on two SB_SPRAM256KA

// {mask[3] ? new[31:24] : old[31:24], ...}: a store's byte lanes over a word.
std::string merge(const std::string& old_w, int old_lsb, const std::string& new_w, const std::string& mask) {
  std::string s = "{";
  for (int b = 3; b >= 0; --b)
    s += fmt::format("{}{}[{}] ? {}[{}:{}] : {}[{}:{}]", b == 3 ? "" : ", ", mask, b, new_w, 8 * b + 7, 8 * b, old_w, old_lsb + 8 * b + 7, old_lsb + 8 * b);
  return s + "}";
}
}  // namespace

int imem_addr_bits(const Rv32Config& r) { return log2i(r.imem_bytes) - 2; }
int dmem_addr_bits(const Rv32Config& r) { return log2i(r.dmem_bytes) - 2; }

namespace {

// A 32-bit memory of 2^aw words cut into slices as wide as one iCE40 RAM
// block is at that depth (2048 x 2, 1024 x 4, 512 x 8, 256 x 16 bits), so
// that each slice is whole blocks and the read data need no multiplexer
// where one block is deep enough. A slice lies in one byte lane.
void sliced_memory(ir::Module& m, int aw, bool lanes) {
  const int w = std::clamp(4096 >> std::min(aw, 12), 2, 16);
  std::vector<ir::Stmt> body;
  for (int k = 0; k < 32 / w; ++k) {
    const std::string mem = fmt::format("mem{}", k), q = fmt::format("rdata{}_q", k);
    m.memory(mem, w, 1 << aw).net(q, w);
    m.nets[m.nets.size() - 2].attribute = "no_rw_check";  // never read and written at one address in one cycle
    const std::string bits = fmt::format("[{}:{}]", (k + 1) * w - 1, k * w);
    const std::string we = lanes ? fmt::format("we_i[{}]", k * w / 8) : "we_i";
    body.push_back(if_else(we, {assign(mem + "[waddr_i]", "wdata_i" + bits)}));
    body.push_back(if_else("re_i", {assign(q, mem + "[raddr_i]")}));
  }
  m.ff(body);
  std::string cat = "{";
  for (int k = 32 / w - 1; k >= 0; --k) cat += fmt::format("rdata{}_q{}", k, k ? ", " : "}");
  m.assign("rdata_o", cat);
}

// The same memory on two iCE40 SPRAMs through the wrapper of rtl/vendor/
// (16384 words; the low 2^aw are used). Single-ported: the core never needs
// a read and a write in one cycle (a load behind a store waits, and IMEM is
// written only while the core is in reset), so the write takes the port.
void spram_memory(ir::Module& m, ir::Design& d, int aw, bool lanes) {
  d.add_verbatim({"SB_SPRAM256KA", "sim/SB_SPRAM256KA.sv", vendor_file("sim/SB_SPRAM256KA.sv"), true});
  const std::string w = d.add_verbatim({"ice40_spram_16kx32", "ice40_spram_16kx32.sv", vendor_file("ice40_spram_16kx32.sv"), false});
  const int pad = kSpramAddrBits - aw;
  auto addr = [&](const std::string& a) { return pad ? fmt::format("{{{}'d0, {}}}", pad, a) : a; };
  m.instance(w, "u_spram",
             {{"clk_i", "clk_i"}, {"we_i", lanes ? "we_i" : "{4{we_i}}"}, {"waddr_i", addr("waddr_i")}, {"wdata_i", "wdata_i"},
              {"re_i", "re_i"}, {"raddr_i", addr("raddr_i")}, {"rdata_o", "rdata_o"}});
}

}  // namespace

std::string imem(const SocConfig& c, ir::Design& d) {
  const int aw = imem_addr_bits(*c.rv32);
  ir::Module m;
  m.name = c.name + "_rv32_imem";
  const bool spram = c.rv32->imem_memory == Rv32Memory::ice40_spram;
  m.description = fmt::format("Instruction memory: {} x 32 bits{}, written by the load port, read by the fetch (synchronous, held while not read).",
                              1 << aw, spram ? " on two iCE40 SPRAMs" : "");
  m.port(Dir::in, "clk_i").port(Dir::in, "we_i").port(Dir::in, "waddr_i", aw).port(Dir::in, "wdata_i", 32);
  m.port(Dir::in, "re_i").port(Dir::in, "raddr_i", aw).port(Dir::out, "rdata_o", 32);
  if (spram)
    spram_memory(m, d, aw, false);
  else
    sliced_memory(m, aw, false);
  return d.add(std::move(m));
}

std::string dmem(const SocConfig& c, ir::Design& d) {
  const int aw = dmem_addr_bits(*c.rv32);
  ir::Module m;
  m.name = c.name + "_rv32_dmem";
  const bool spram = c.rv32->dmem_memory == Rv32Memory::ice40_spram;
  m.description = spram ? fmt::format("Data memory: {} x 32 bits with byte lanes on two iCE40 SPRAMs, one port (a write wins), synchronous read.", 1 << aw)
                        : fmt::format("Data memory: {} x 32 bits with byte lanes, one write and one read port, synchronous read.", 1 << aw);
  m.port(Dir::in, "clk_i").port(Dir::in, "we_i", 4, false, "byte lanes written").port(Dir::in, "waddr_i", aw).port(Dir::in, "wdata_i", 32);
  m.port(Dir::in, "re_i").port(Dir::in, "raddr_i", aw).port(Dir::out, "rdata_o", 32);
  if (spram)
    spram_memory(m, d, aw, true);
  else
    sliced_memory(m, aw, true);
  return d.add(std::move(m));
}

std::string mmio(const SocConfig& c, ir::Design& d) {
  ir::Module m;
  m.name = c.name + "_rv32_mmio";
  m.description = "MMIO at 0x2000_0000: console, exit, software interrupt line, 64-bit mtime and mtimecmp.";
  m.port(Dir::in, "clk_i")
      .port(Dir::in, "rst_ni")
      .port(Dir::in, "raddr_i", 3, false, "word offset")
      .port(Dir::in, "we_i", 4, false, "a store to word waddr_i, byte lanes")
      .port(Dir::in, "waddr_i", 3, false, "word offset")
      .port(Dir::in, "wdata_i", 32)
      .port(Dir::out, "rdata_o", 32, false, "word raddr_i of the cycle before (reads have no side effects)")
      .port(Dir::in, "irq_ext_i", 1, false, "the external interrupt line of the system")
      .port(Dir::out, "console_valid_o", 1, false, "a byte was written to the console")
      .port(Dir::out, "console_data_o", 8)
      .port(Dir::out, "exit_valid_o", 1, false, "the exit register was written")
      .port(Dir::out, "exit_code_o", 32)
      .port(Dir::out, "mtip_o", 1, false, "mtime >= mtimecmp (of the cycle before)")
      .port(Dir::out, "meip_o", 1, false, "irq bit 0 or irq_ext_i");
  m.net("ntime_q", 64, false, "mtime, inverted").net("cmp_q", 64, false, "mtimecmp").net("irq_q").net("rdata_q", 32).net("mtip_q").net("ntime_next", 64);
  m.net("wdata_n", 32).net("cmp_wide", 65).net("cmp_unused", 64);
  m.net("console_valid_q").net("console_data_q", 8).net("exit_valid_q").net("exit_code_q", 32);
  m.comment("mtime is kept inverted (it counts down), so mtimecmp > mtime is the carry out of mtimecmp + ~mtime: the comparison is");
  m.comment("the carry chain alone, and the inversions fall into the write and read multiplexers.");
  m.assign("ntime_next", "ntime_q - 64'd1");
  m.assign("wdata_n", "~wdata_i");
  m.assign("cmp_wide", "{1'b0, cmp_q} + {1'b0, ntime_q}");
  m.assign("cmp_unused", "cmp_wide[63:0]");
  m.net("we_t0", 4).net("we_t1", 4).net("we_c0", 4).net("we_c1", 4);
  m.assign("we_t0", "we_i & {4{waddr_i == 3'd4}}").assign("we_t1", "we_i & {4{waddr_i == 3'd5}}");
  m.assign("we_c0", "we_i & {4{waddr_i == 3'd6}}").assign("we_c1", "we_i & {4{waddr_i == 3'd7}}");
  m.ff({if_else("!rst_ni",
                {assign("ntime_q", "{64{1'b1}}"), assign("cmp_q", "{64{1'b1}}"), assign("irq_q", "1'b0"), assign("mtip_q", "1'b0"),
                 assign("console_valid_q", "1'b0"), assign("exit_valid_q", "1'b0")},
                {assign("ntime_q", fmt::format("{{{}, {}}}",
                                               merge("ntime_next", 32, "wdata_n", "we_t1"),
                                               merge("ntime_next", 0, "wdata_n", "we_t0"))),
                 assign("cmp_q", fmt::format("{{{}, {}}}", merge("cmp_q", 32, "wdata_i", "we_c1"), merge("cmp_q", 0, "wdata_i", "we_c0"))),
                 if_else("we_i[0] && waddr_i == 3'd2", {assign("irq_q", "wdata_i[0]")}),
                 assign("mtip_q", "~cmp_wide[64]"),
                 assign("console_valid_q", "we_i[0] && waddr_i == 3'd0"),
                 assign("exit_valid_q", "we_i != 4'd0 && waddr_i == 3'd1")}),
        assign("console_data_q", "wdata_i[7:0]"),
        assign("exit_code_q", "wdata_i"),
        ir::case_of("raddr_i", {{"3'd2", {assign("rdata_q", "{31'd0, irq_q}")}},
                                                {"3'd4", {assign("rdata_q", "~ntime_q[31:0]")}},
                                                {"3'd5", {assign("rdata_q", "~ntime_q[63:32]")}},
                                                {"3'd6", {assign("rdata_q", "cmp_q[31:0]")}},
                                                {"3'd7", {assign("rdata_q", "cmp_q[63:32]")}},
                                                {"default", {assign("rdata_q", "32'd0")}}})});
  m.assign("rdata_o", "rdata_q").assign("mtip_o", "mtip_q").assign("meip_o", "irq_q | irq_ext_i");
  m.assign("console_valid_o", "console_valid_q").assign("console_data_o", "console_data_q");
  m.assign("exit_valid_o", "exit_valid_q").assign("exit_code_o", "exit_code_q");
  return d.add(std::move(m));
}

}  // namespace strata::rv32
