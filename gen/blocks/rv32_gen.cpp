// The RV32 system top <name>_rv32: the core, IMEM, DMEM and MMIO
// (docs/blocks/rv32.md). The load port writes 32-bit words into IMEM
// (addresses below 0x1000_0000) or DMEM while the core is held in reset;
// the console and exit registers appear as ports; irq_ext_i is the
// accelerator's interrupt line.
#include "blocks/rv32_gen.h"

#include <fmt/format.h>

#include "blocks/rv32/rv32_parts.h"

namespace strata {

std::string generate_rv32(const SocConfig& c, ir::Design& d) {
  using ir::Dir;
  using ir::assign;
  using ir::if_else;
  const Rv32Config& r = *c.rv32;
  const int iaw = rv32::imem_addr_bits(r), daw = rv32::dmem_addr_bits(r);
  const std::string im = rv32::imem(c, d), dm = rv32::dmem(c, d), io = rv32::mmio(c, d), core = rv32::core(c, d);
  const ir::Module* core_m = d.find(core);

  ir::Module m;
  m.name = c.name + "_rv32";
  m.description = fmt::format("RV32{} system: core, {} KiB IMEM, {} KiB DMEM, MMIO (console, exit, timer).", r.isa == Rv32Isa::rv32im ? "IM" : "I",
                              r.imem_bytes / 1024, r.dmem_bytes / 1024);
  m.port(Dir::in, "clk_i")
      .port(Dir::in, "rst_ni")
      .port(Dir::in, "load_we_i", 1, false, "write load_wdata_i at load_addr_i (while in reset)")
      .port(Dir::in, "load_addr_i", 32, false, "byte address of a word in IMEM (bit 28 = 0) or DMEM (bit 28 = 1)")
      .port(Dir::in, "load_wdata_i", 32)
      .port(Dir::in, "irq_ext_i", 1, false, "external interrupt line (MEIP)")
      .port(Dir::out, "console_valid_o", 1, false, "a byte written to the console")
      .port(Dir::out, "console_data_o", 8)
      .port(Dir::out, "exit_valid_o", 1, false, "the exit register was written")
      .port(Dir::out, "exit_code_o", 32);
  for (const auto& p : core_m->ports)
    if (p.name.rfind("rvfi_", 0) == 0) m.port(Dir::out, p.name, p.width);
  m.net("imem_re").net("imem_addr", iaw).net("imem_rdata", 32);
  m.net("data_re").net("data_raddr", 32).net("data_we", 4).net("data_waddr", 32).net("data_wdata", 32).net("data_rdata", 32);
  m.net("dmem_rdata", 32).net("mmio_rdata", 32).net("mmio_sel_q", 1, false, "the address of the cycle before was in MMIO").net("mtip").net("meip");
  m.net("load_dmem").net("load_unused", 32 - 1 - std::max(iaw, daw));
  m.net("raddr_unused", 31 - daw).net("waddr_unused", 31 - daw);

  m.assign("load_dmem", "load_addr_i[28]");
  const int lw = std::max(iaw, daw);
  m.assign("load_unused", fmt::format("{{load_addr_i[31:29], load_addr_i[27:{}], load_addr_i[1:0]}}", lw + 2));
  m.assign("raddr_unused", fmt::format("{{data_raddr[31:30], data_raddr[28:{}], data_raddr[1:0]}}", daw + 2));
  m.assign("waddr_unused", fmt::format("{{data_waddr[31:30], data_waddr[28:{}], data_waddr[1:0]}}", daw + 2));
  m.instance(im, "u_imem",
             {{"clk_i", "clk_i"}, {"we_i", "load_we_i & ~load_dmem"}, {"waddr_i", fmt::format("load_addr_i[{}:2]", iaw + 1)}, {"wdata_i", "load_wdata_i"},
              {"re_i", "imem_re"}, {"raddr_i", "imem_addr"}, {"rdata_o", "imem_rdata"}});
  m.comment("DMEM: the core's stores (bit 28 of the address: the core faults outside DMEM and MMIO), or the load port.");
  m.instance(dm, "u_dmem",
             {{"clk_i", "clk_i"},
              {"we_i", "(load_we_i & load_dmem) ? 4'b1111 : (data_we & {4{data_waddr[28]}})"},
              {"waddr_i", fmt::format("(load_we_i & load_dmem) ? load_addr_i[{0}:2] : data_waddr[{0}:2]", daw + 1)},
              {"wdata_i", "(load_we_i & load_dmem) ? load_wdata_i : data_wdata"},
              {"re_i", "data_re"},
              {"raddr_i", fmt::format("data_raddr[{}:2]", daw + 1)},
              {"rdata_o", "dmem_rdata"}});
  m.instance(io, "u_mmio",
             {{"clk_i", "clk_i"}, {"rst_ni", "rst_ni"}, {"raddr_i", "data_raddr[4:2]"},
              {"we_i", "data_we & {4{data_waddr[29]}}"}, {"waddr_i", "data_waddr[4:2]"}, {"wdata_i", "data_wdata"}, {"rdata_o", "mmio_rdata"}, {"irq_ext_i", "irq_ext_i"},
              {"console_valid_o", "console_valid_o"}, {"console_data_o", "console_data_o"}, {"exit_valid_o", "exit_valid_o"},
              {"exit_code_o", "exit_code_o"}, {"mtip_o", "mtip"}, {"meip_o", "meip"}});
  m.ff({assign("mmio_sel_q", "data_raddr[29]")});
  m.assign("data_rdata", "mmio_sel_q ? mmio_rdata : dmem_rdata");
  std::vector<ir::Connection> cc{{"clk_i", "clk_i"},         {"rst_ni", "rst_ni"},         {"imem_re_o", "imem_re"},     {"imem_addr_o", "imem_addr"},
                                 {"imem_rdata_i", "imem_rdata"}, {"data_re_o", "data_re"}, {"data_raddr_o", "data_raddr"}, {"data_rdata_i", "data_rdata"},
                                 {"data_we_o", "data_we"}, {"data_waddr_o", "data_waddr"}, {"data_wdata_o", "data_wdata"}, {"mtip_i", "mtip"},   {"meip_i", "meip"}};
  for (const auto& p : core_m->ports)
    if (p.name.rfind("rvfi_", 0) == 0) cc.push_back({p.name, p.name});
  m.instance(core, "u_core", cc);
  return d.add(std::move(m));
}

}  // namespace strata
