// The register file: x1..x31 in two copies of a 32 x 32-bit block RAM (one
// per read port), both written by the write-back. Reads are synchronous: the
// addresses come from the instruction word while it is decoded, the data
// arrive with it in the execute stage. x0 is never written (the pipeline
// filters rd = 0) and block RAM starts at zero, so it reads 0.
#include <fmt/format.h>

#include "blocks/rv32/rv32_parts.h"

namespace strata::rv32 {

std::string regfile(const SocConfig& c, ir::Design& d) {
  using ir::Dir;
  using ir::assign;
  using ir::if_else;
  ir::Module m;
  m.name = c.name + "_rv32_regfile";
  m.description = "RV32 register file: two 32 x 32-bit block RAMs (one per read port), synchronous read (held while not read).";
  m.port(Dir::in, "clk_i")
      .port(Dir::in, "we_i")
      .port(Dir::in, "waddr_i", 5)
      .port(Dir::in, "wdata_i", 32)
      .port(Dir::in, "re_i", 1, false, "read (else the outputs hold)")
      .port(Dir::in, "raddr_a_i", 5)
      .port(Dir::in, "raddr_b_i", 5)
      .port(Dir::out, "rdata_a_o", 32, false, "the registers as they were before this clock edge's write")
      .port(Dir::out, "rdata_b_o", 32);
  // A read of the register being written returns either value: the pipeline
  // never uses it (decode takes the written value itself), so synthesis need
  // not build the collision logic.
  m.memory("mem_a", 32, 32).memory("mem_b", 32, 32).net("rdata_a_q", 32).net("rdata_b_q", 32);
  for (auto& n : m.nets)
    if (n.depth > 0) n.attribute = "no_rw_check";
  m.ff({if_else("we_i", {assign("mem_a[waddr_i]", "wdata_i"), assign("mem_b[waddr_i]", "wdata_i")}),
        if_else("re_i", {assign("rdata_a_q", "mem_a[raddr_a_i]"), assign("rdata_b_q", "mem_b[raddr_b_i]")})});
  m.assign("rdata_a_o", "rdata_a_q").assign("rdata_b_o", "rdata_b_q");
  return d.add(std::move(m));
}

}  // namespace strata::rv32
