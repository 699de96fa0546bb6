// The load/store unit: byte lanes and alignment of stores (execute stage)
// and the extraction and extension of loaded bytes (write-back stage).
#include <fmt/format.h>

#include "blocks/rv32/rv32_parts.h"

namespace strata::rv32 {

std::string lsu(const SocConfig& c, ir::Design& d) {
  using ir::Dir;
  ir::Module m;
  m.name = c.name + "_rv32_lsu";
  m.description = "RV32 load/store unit: store lanes and masks, misalignment, load extraction and extension.";
  m.port(Dir::in, "addr_i", 2, false, "byte offset of the access in execute")
      .port(Dir::in, "size_i", 2, false, "funct3[1:0]: 0 byte, 1 half, 2 word")
      .port(Dir::in, "rs2_i", 32)
      .port(Dir::out, "wdata_o", 32, false, "store data in its lanes (others hold copies)")
      .port(Dir::out, "mask_o", 4, false, "byte lanes of the access")
      .port(Dir::out, "misaligned_o")
      .port(Dir::in, "w_rdata_i", 32, false, "the word read, in write-back")
      .port(Dir::in, "w_addr_i", 2)
      .port(Dir::in, "w_f3_i", 3, false, "funct3 of the load: size, bit 2 unsigned")
      .port(Dir::out, "w_value_o", 32);
  m.assign("wdata_o", "size_i == 2'd0 ? {4{rs2_i[7:0]}} : size_i == 2'd1 ? {2{rs2_i[15:0]}} : rs2_i");
  m.assign("mask_o", "size_i == 2'd0 ? (4'b0001 << addr_i) : size_i == 2'd1 ? (addr_i[1] ? 4'b1100 : 4'b0011) : 4'b1111");
  m.assign("misaligned_o", "(size_i == 2'd1 && addr_i[0]) || (size_i[1] && addr_i != 2'd0)");
  m.net("half", 16).net("byte_v", 8).net("ext", 1, false, "the extension bit of a byte or half");
  m.assign("half", "w_addr_i[1] ? w_rdata_i[31:16] : w_rdata_i[15:0]");
  m.assign("byte_v", "w_addr_i[0] ? half[15:8] : half[7:0]");
  m.comment("A load that is not aligned traps (and writes nothing), so an LW's bytes are those of byte_v and half; above the byte,");
  m.comment("each bit is the word's (LW), the half's (bits 15:8 of LH/LHU, LW), else the extension bit (one net).");
  m.assign("ext", "~w_f3_i[2] & (w_f3_i[0] ? half[15] : byte_v[7])");
  m.assign("w_value_o", "{w_f3_i[1] ? w_rdata_i[31:16] : {16{ext}}, (w_f3_i[1] | w_f3_i[0]) ? half[15:8] : {8{ext}}, byte_v}");
  return d.add(std::move(m));
}

}  // namespace strata::rv32
