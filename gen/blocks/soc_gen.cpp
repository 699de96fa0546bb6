// The SoC top <name>_soc and its glue modules: the AXI4-Lite slave
// (<name>_soc_axi) and the SoC register block (<name>_soc_regs). The core,
// its memories and system MMIO come from gen/blocks/rv32/, the engine from
// nn_gen.cpp; the addresses and registers from soc/soc_map.h.
//
// Sharing: the core's loads (execute) and stores (write-back) never wait,
// so the core always has its target; the host's one access at a time goes
// to the targets in a cycle in which the core uses none of those it shares
// with the host (DMEM, SoC registers, engine) and stores nothing (the two
// share one write-data bus). Every target answers a read the cycle after
// it, so the shared targets' read data has one registered select, for
// whichever side read, and each side adds its own target (the core's
// system MMIO, the host's IMEM). Reads have no side effects (a squashed or
// repeated load is harmless).
#include "blocks/soc_gen.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "blocks/nn_gen.h"
#include "blocks/rv32/rv32_parts.h"
#include "blocks/soc_uart.h"
#include "nn/nn_map.h"
#include "soc/soc_map.h"

namespace strata {

namespace {
using ir::Dir;
using ir::Stmt;
using ir::assign;
using ir::if_else;

std::string lower(const std::string& s) {
  std::string l;
  for (char ch : s) l += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  return l;
}

// The AXI4-Lite slave: one register per channel (AW, W, AR: each accepted
// while its register is empty), one access at a time on the request port
// (writes and reads alternate when both wait), B and R held until taken.
std::string axi_slave(const SocConfig& c, ir::Design& d) {
  ir::Module m;
  m.name = c.name + "_soc_axi";
  m.description = "AXI4-Lite slave (32-bit): AW, W, B, AR, R with valid/ready; one access at a time on the request port.";
  m.port(Dir::in, "clk_i").port(Dir::in, "rst_ni");
  m.port(Dir::in, "s_axi_awvalid_i").port(Dir::out, "s_axi_awready_o").port(Dir::in, "s_axi_awaddr_i", 32).port(Dir::in, "s_axi_awprot_i", 3, false, "ignored");
  m.port(Dir::in, "s_axi_wvalid_i").port(Dir::out, "s_axi_wready_o").port(Dir::in, "s_axi_wdata_i", 32).port(Dir::in, "s_axi_wstrb_i", 4);
  m.port(Dir::out, "s_axi_bvalid_o").port(Dir::in, "s_axi_bready_i").port(Dir::out, "s_axi_bresp_o", 2);
  m.port(Dir::in, "s_axi_arvalid_i").port(Dir::out, "s_axi_arready_o").port(Dir::in, "s_axi_araddr_i", 32).port(Dir::in, "s_axi_arprot_i", 3, false, "ignored");
  m.port(Dir::out, "s_axi_rvalid_o").port(Dir::in, "s_axi_rready_i").port(Dir::out, "s_axi_rdata_o", 32).port(Dir::out, "s_axi_rresp_o", 2);
  m.port(Dir::out, "req_valid_o", 1, false, "an access waits")
      .port(Dir::out, "req_we_o")
      .port(Dir::out, "req_addr_o", 32, false, "byte address")
      .port(Dir::out, "req_wdata_o", 32)
      .port(Dir::out, "req_strb_o", 4)
      .port(Dir::in, "req_grant_i", 1, false, "the access is made (or refused) in this cycle")
      .port(Dir::in, "req_resp_i", 2, false, "its response, with req_grant_i")
      .port(Dir::in, "req_rdata_i", 32, false, "read data, the cycle after the grant");
  m.net("aw_q").net("awaddr_q", 32).net("w_q").net("wdata_q", 32).net("wstrb_q", 4).net("ar_q").net("araddr_q", 32);
  m.net("bvalid_q").net("bresp_q", 2).net("rpend_q", 1, false, "a read was granted in the cycle before").net("rvalid_q").net("rresp_q", 2).net("rdata_q", 32);
  m.net("last_wr_q", 1, false, "the last access was a write").net("wr_req").net("rd_req").net("pick_wr").net("prot_unused", 6);
  m.assign("prot_unused", "{s_axi_awprot_i, s_axi_arprot_i}");
  m.assign("wr_req", "aw_q & w_q & ~bvalid_q");
  m.assign("rd_req", "ar_q & ~rvalid_q & ~rpend_q");
  m.assign("pick_wr", "wr_req & (~rd_req | ~last_wr_q)");
  m.ff({if_else("!rst_ni",
                {assign("aw_q", "1'b0"), assign("w_q", "1'b0"), assign("ar_q", "1'b0"), assign("bvalid_q", "1'b0"), assign("rpend_q", "1'b0"),
                 assign("rvalid_q", "1'b0"), assign("last_wr_q", "1'b0")},
                {if_else("s_axi_awvalid_i && !aw_q", {assign("aw_q", "1'b1")}),
                 if_else("s_axi_wvalid_i && !w_q", {assign("w_q", "1'b1")}),
                 if_else("s_axi_arvalid_i && !ar_q", {assign("ar_q", "1'b1")}),
                 if_else("req_grant_i && pick_wr", {assign("aw_q", "1'b0"), assign("w_q", "1'b0"), assign("bvalid_q", "1'b1"), assign("last_wr_q", "1'b1")}),
                 if_else("req_grant_i && !pick_wr", {assign("ar_q", "1'b0"), assign("rpend_q", "1'b1"), assign("last_wr_q", "1'b0")}),
                 if_else("rpend_q", {assign("rpend_q", "1'b0"), assign("rvalid_q", "1'b1")}),
                 if_else("bvalid_q && s_axi_bready_i", {assign("bvalid_q", "1'b0")}),
                 if_else("rvalid_q && s_axi_rready_i", {assign("rvalid_q", "1'b0")})}),
        if_else("s_axi_awvalid_i && !aw_q", {assign("awaddr_q", "s_axi_awaddr_i")}),
        if_else("s_axi_wvalid_i && !w_q", {assign("wdata_q", "s_axi_wdata_i"), assign("wstrb_q", "s_axi_wstrb_i")}),
        if_else("s_axi_arvalid_i && !ar_q", {assign("araddr_q", "s_axi_araddr_i")}),
        if_else("req_grant_i && pick_wr", {assign("bresp_q", "req_resp_i")}),
        if_else("req_grant_i && !pick_wr", {assign("rresp_q", "req_resp_i")}),
        if_else("rpend_q", {assign("rdata_q", "rresp_q == 2'd0 ? req_rdata_i : 32'd0")})});
  m.assign("s_axi_awready_o", "~aw_q").assign("s_axi_wready_o", "~w_q").assign("s_axi_arready_o", "~ar_q");
  m.assign("s_axi_bvalid_o", "bvalid_q").assign("s_axi_bresp_o", "bresp_q");
  m.assign("s_axi_rvalid_o", "rvalid_q").assign("s_axi_rresp_o", "rresp_q").assign("s_axi_rdata_o", "rdata_q");
  m.assign("req_valid_o", "wr_req | rd_req").assign("req_we_o", "pick_wr").assign("req_addr_o", "pick_wr ? awaddr_q : araddr_q");
  m.assign("req_wdata_o", "wdata_q").assign("req_strb_o", "wstrb_q");
  return d.add(std::move(m));
}

// SOC_INFO's value.
std::uint32_t soc_info() {
  return static_cast<std::uint32_t>(soc::kInterfaceVersion) << 24 | static_cast<std::uint32_t>(soc::kMsgWords) << 16 | (soc::kMailboxBase - soc::kDmemBase);
}

// The widest SoC register: the write data bits the register block takes.
int soc_reg_bits() {
  int w = 1;
  for (const auto& r : soc::registers()) w = std::max(w, r.width);
  return w;
}

// The SoC registers of soc::registers(): one access per cycle, by the host
// (host_i) or the core, each side with its own rights. Only the bits a
// register can have are read back through a register (SOC_INFO, a
// constant, through a one-bit select).
std::string soc_regs(const SocConfig& c, ir::Design& d) {
  ir::Module m;
  m.name = c.name + "_soc_regs";
  m.description = "SoC registers: core reset, doorbells, interrupt enable (soc/soc_map.h); one access per cycle, host's or core's rights.";
  m.port(Dir::in, "clk_i").port(Dir::in, "rst_ni");
  m.port(Dir::in, "valid_i").port(Dir::in, "we_i").port(Dir::in, "host_i", 1, false, "the access is the host's (else the core's)");
  m.port(Dir::in, "addr_i", 4, false, "word index").port(Dir::in, "wdata_i", soc_reg_bits(), false, "the low bits of the write data");
  m.port(Dir::out, "rdata_o", 32, false, "read data, the cycle after the access");
  m.port(Dir::in, "nn_irq_i", 1, false, "the engine's interrupt line");
  m.port(Dir::out, "core_reset_o", 1, false, "CORE_CTRL.RESET").port(Dir::out, "host_irq_o", 1, false, "F2H_DOORBELL and CORE_CTRL.HOST_IRQ_EN");
  m.port(Dir::out, "fw_irq_o", 1, false, "H2F_DOORBELL and FW_IRQ_EN");
  // The live (stateless) registers and their values.
  const std::vector<std::pair<std::string, std::pair<std::string, int>>> live{{"FW_IRQ_STATUS", {"{nn_irq_i, fw_irq_o}", 2}}};
  int rbits = soc_reg_bits();  // read data bits below SOC_INFO's constant
  for (const auto& [name, v] : live) rbits = std::max(rbits, v.second);
  m.net("rdata_q", rbits).net("info_q", 1, false, "SOC_INFO was read");
  std::vector<Stmt> rst, wr;
  std::vector<std::pair<std::string, std::vector<Stmt>>> rd;
  auto apply = [](soc::Access a, const std::string& q, int w) -> std::vector<Stmt> {
    const std::string bits = w == 1 ? "wdata_i[0]" : fmt::format("wdata_i[{}:0]", w - 1);
    switch (a) {
      case soc::Access::read_write: return {assign(q, bits)};
      case soc::Access::write1_set: return {assign(q, q + " | " + bits)};
      case soc::Access::write1_clear: return {assign(q, q + " & ~" + bits)};
      default: return {};
    }
  };
  const auto widen = [rbits](const std::string& v, int w) { return w == rbits ? v : fmt::format("{{{}'d0, {}}}", rbits - w, v); };
  for (const auto& r : soc::registers()) {
    const std::string label = fmt::format("4'd{}", r.index);
    if (r.width == 0) {
      if (r.name == "SOC_INFO") {
        rd.push_back({label, {assign("info_q", "1'b1")}});
        continue;
      }
      const auto v = std::find_if(live.begin(), live.end(), [&](const auto& x) { return x.first == r.name; });
      if (v == live.end()) throw std::logic_error("SoC register " + r.name + " has no storage and no value");
      rd.push_back({label, {assign("rdata_q", widen(v->second.first, v->second.second))}});
      continue;
    }
    const std::string q = lower(r.name) + "_q";
    m.net(q, r.width, false, r.doc);
    rst.push_back(assign(q, fmt::format("{}'d{}", r.width, r.reset)));
    auto h = apply(r.host, q, r.width), k = apply(r.core, q, r.width);
    if (!h.empty() || !k.empty())
      wr.push_back(if_else(fmt::format("addr_i == {}", label), {if_else("host_i", h, k)}));
    rd.push_back({label, {assign("rdata_q", widen(q, r.width))}});
  }
  rd.push_back({"default", {assign("info_q", "1'b0")}});
  m.ff({if_else("!rst_ni", rst, {if_else("valid_i && we_i", wr)}),
        if_else("valid_i && !we_i", {assign("rdata_q", fmt::format("{}'d0", rbits)), assign("info_q", "1'b0"), ir::case_of("addr_i", rd)})});
  m.assign("rdata_o", fmt::format("({{32{{info_q}}}} & 32'h{:08x}) | {{{}'d0, rdata_q}}", soc_info(), 32 - rbits));
  m.assign("core_reset_o", "core_ctrl_q[0]");
  m.assign("host_irq_o", "f2h_doorbell_q & core_ctrl_q[1]");
  m.assign("fw_irq_o", "h2f_doorbell_q & fw_irq_en_q");
  return d.add(std::move(m));
}

// "a == 4'dI || ..." over the word indices of a 16-word page that `writable`
// refuses.
template <class F>
std::string refused(const std::string& idx, F writable) {
  std::string s;
  for (int i = 0; i < soc::kRegWindowWords; ++i)
    if (!writable(i)) s += fmt::format("{}{} == 4'd{}", s.empty() ? "" : " || ", idx, i);
  return s.empty() ? "1'b0" : "(" + s + ")";
}

}  // namespace

std::string generate_soc(const SocConfig& c, ir::Design& d) {
  const Rv32Config& r = *c.rv32;
  const NnConfig& n = *c.nn;
  const int iaw = rv32::imem_addr_bits(r), daw = rv32::dmem_addr_bits(r);
  const int win_words = 1 << (soc::kNnWindowAddrBits - 2);
  if (n.ctrl_words > win_words || n.act_words > win_words || n.channels() * n.weight_words > win_words)
    throw std::logic_error(fmt::format("{}: an engine memory is larger than its SoC window of {} words (the config check missed it)", c.name, win_words));
  static_assert(soc::kMmioAddrBits == 24 && soc::kNnWindowAddrBits == 22, "the decoders below use address bits 23:22 and 13:12");

  const std::string im = rv32::imem(c, d), dm = rv32::dmem(c, d), io = rv32::mmio(c, d), core = rv32::core(c, d, soc::kMmioAddrBits);
  std::vector<ir::Port> rvfi;  // copied: adding modules below moves them
  for (const auto& p : d.find(core)->ports)
    if (p.name.rfind("rvfi_", 0) == 0) rvfi.push_back(p);
  const std::string nn_top = generate_nn(c, d);
  const std::string regs = soc_regs(c, d), axi = axi_slave(c, d);

  ir::Module m;
  m.name = c.name + "_soc";
  m.description = fmt::format("SoC: RV32{} core ({} KiB IMEM, {} KiB DMEM), the engine {}, SoC registers and mailbox, AXI4-Lite host port{}.",
                              r.isa == Rv32Isa::rv32im ? "IM" : "I", r.imem_bytes / 1024, r.dmem_bytes / 1024, nn_top, c.uart ? " and UART host bridge" : "");
  m.port(Dir::in, "clk_i").port(Dir::in, "rst_ni", 1, false, "synchronous, active low: the whole SoC (the core then stays in reset until the host releases it)");
  m.port(Dir::in, "s_axi_awvalid_i", 1, false, "AXI4-Lite host port").port(Dir::out, "s_axi_awready_o").port(Dir::in, "s_axi_awaddr_i", 32).port(Dir::in, "s_axi_awprot_i", 3);
  m.port(Dir::in, "s_axi_wvalid_i").port(Dir::out, "s_axi_wready_o").port(Dir::in, "s_axi_wdata_i", 32).port(Dir::in, "s_axi_wstrb_i", 4);
  m.port(Dir::out, "s_axi_bvalid_o").port(Dir::in, "s_axi_bready_i").port(Dir::out, "s_axi_bresp_o", 2);
  m.port(Dir::in, "s_axi_arvalid_i").port(Dir::out, "s_axi_arready_o").port(Dir::in, "s_axi_araddr_i", 32).port(Dir::in, "s_axi_arprot_i", 3);
  m.port(Dir::out, "s_axi_rvalid_o").port(Dir::in, "s_axi_rready_i").port(Dir::out, "s_axi_rdata_o", 32).port(Dir::out, "s_axi_rresp_o", 2);
  if (c.uart)
    m.port(Dir::in, "uart_rx_i", 1, false, "UART host bridge: serial in, 8N1 (docs/blocks/soc_uart.md)").port(Dir::out, "uart_tx_o", 1, false, "serial out");
  m.port(Dir::out, "irq_o", 1, false, "to the host: F2H_DOORBELL and CORE_CTRL.HOST_IRQ_EN");
  m.port(Dir::out, "console_valid_o", 1, false, "the core wrote a byte to its console").port(Dir::out, "console_data_o", 8);
  m.port(Dir::out, "exit_valid_o", 1, false, "the core wrote its exit register").port(Dir::out, "exit_code_o", 32);
  for (const auto& p : rvfi) m.port(Dir::out, p.name, p.width);

  // ---- the core and its own system
  m.net("core_reset").net("core_rst_n").net("imem_re").net("imem_addr", iaw).net("imem_rdata", 32);
  m.net("data_re").net("data_raddr", 32).net("data_we", 4).net("data_waddr", 32).net("data_wdata", 32).net("data_rdata", 32).net("mtip").net("meip");
  m.net("raddr_unused", 8).net("waddr_unused", 8).net("haddr_unused", 2);
  m.assign("core_rst_n", "rst_ni & ~core_reset");
  m.assign("raddr_unused", "{data_raddr[31:30], data_raddr[27:24], data_raddr[1:0]}");
  m.assign("waddr_unused", "{data_waddr[31:30], data_waddr[27:24], data_waddr[1:0]}");

  m.comment("The core's loads (execute) and stores (write-back), by target. The core faults outside DMEM (bit 28) and MMIO (bit 29);");
  m.comment("in MMIO, bits 23:22 pick the register page (0) or an engine memory, bits 13:12 the page's block.");
  m.net("cw_any").net("cw_full");
  for (const char* t : {"dmem", "sys", "soc", "nnr", "nnm"}) m.net(fmt::format("cr_{}", t)).net(fmt::format("cw_{}", t));
  for (const char* t : {"dmem", "soc", "nnr", "nnm"}) m.net(fmt::format("cu_{}", t));
  m.assign("cw_any", "|data_we").assign("cw_full", "&data_we");
  for (const auto& [p, a, en] : {std::tuple{"cr", "data_raddr", "data_re"}, std::tuple{"cw", "data_waddr", "cw_any"}}) {
    m.assign(fmt::format("{}_dmem", p), fmt::format("{} & {}[28]", en, a));
    m.assign(fmt::format("{}_sys", p), fmt::format("{0} & {1}[29] & {1}[23:22] == 2'd0 & {1}[13:12] == 2'd0", en, a));
    m.assign(fmt::format("{}_soc", p), fmt::format("{0} & {1}[29] & {1}[23:22] == 2'd0 & {1}[13:12] == 2'd1", en, a));
    m.assign(fmt::format("{}_nnr", p), fmt::format("{0} & {1}[29] & {1}[23:22] == 2'd0 & {1}[13:12] == 2'd2", en, a));
    m.assign(fmt::format("{}_nnm", p), fmt::format("{0} & {1}[29] & {1}[23:22] != 2'd0", en, a));
  }
  for (const char* t : {"dmem", "soc", "nnr", "nnm"}) m.assign(fmt::format("cu_{}", t), fmt::format("cr_{0} | cw_{0}", t));
  m.net("cu_shared", 1, false, "the core uses a target it shares with the host");
  m.assign("cu_shared", "cu_dmem | cu_soc | cu_nnr | cu_nnm");

  // ---- the host's access, decoded
  m.net("h_valid").net("h_we").net("h_addr", 32).net("h_wdata", 32).net("h_strb", 4).net("h_grant").net("h_resp", 2).net("h_rdata", 32);
  for (const char* t : {"imem", "dmem", "soc", "nnr", "nnc", "nna", "nnw", "nnm", "decerr", "slverr", "busy", "go"}) m.net(fmt::format("h_{}", t));
  m.assign("haddr_unused", "h_addr[1:0]");
  m.comment("Host decode: exact (DECERR elsewhere); SLVERR for IMEM while the core runs, a partial write outside DMEM, a register");
  m.comment("the host may not write.");
  m.assign("h_imem", fmt::format("h_addr[31:{}] == {}'d0", iaw + 2, 30 - iaw));
  m.assign("h_dmem", fmt::format("h_addr[31:{}] == {}'h{:x}", daw + 2, 30 - daw, soc::kDmemBase >> (daw + 2)));
  m.assign("h_soc", fmt::format("h_addr[31:6] == 26'h{:x}", soc::kSocRegBase >> 6));
  m.assign("h_nnr", fmt::format("h_addr[31:6] == 26'h{:x}", soc::kNnRegBase >> 6));
  const auto window = [&](std::uint32_t base, int words) {
    return fmt::format("h_addr[31:22] == 10'h{:x} && {{1'b0, h_addr[21:2]}} < 21'd{}", base >> 22, words);
  };
  m.assign("h_nnc", window(soc::kNnCtrlBase, n.ctrl_words));
  m.assign("h_nna", window(soc::kNnActBase, n.act_words));
  m.assign("h_nnw", window(soc::kNnWeightBase, n.channels() * n.weight_words));
  m.assign("h_nnm", "h_nnc | h_nna | h_nnw");
  m.assign("h_decerr", "~(h_imem | h_dmem | h_soc | h_nnr | h_nnm)");
  const std::string soc_ro = refused("h_addr[5:2]", [](int i) {
    for (const auto& x : soc::registers())
      if (x.index == i) return x.host == soc::Access::read_write || x.host == soc::Access::write1_set || x.host == soc::Access::write1_clear;
    return false;
  });
  const std::string nn_ro = refused("h_addr[5:2]", [](int i) {
    for (const auto& x : nn::registers())
      if (x.index == i) return x.writable;
    return false;
  });
  m.assign("h_slverr", fmt::format("(h_imem & ~core_reset) | (h_we & ~h_dmem & h_strb != 4'hf) | (h_we & h_soc & {}) | (h_we & h_nnr & {})", soc_ro, nn_ro));
  m.comment("The host waits while the core uses any shared target (DMEM, SoC registers, engine), so that these share one read-data");
  m.comment("select, or stores (the write-data bus).");
  m.assign("h_busy", "cu_shared | (h_we & cw_any)");
  m.assign("h_grant", "h_valid & (h_decerr | h_slverr | ~h_busy)");
  m.assign("h_go", "h_valid & ~h_decerr & ~h_slverr & ~h_busy");
  m.assign("h_resp", fmt::format("h_decerr ? 2'd{} : h_slverr ? 2'd{} : 2'd{}", soc::kRespDecerr, soc::kRespSlverr, soc::kRespOkay));
  m.net("bus_wdata", 32, false, "the core's store data, or the host's when the core stores nothing");
  m.assign("bus_wdata", "cw_any ? data_wdata : h_wdata");
  const std::string axi_req = c.uart ? "a_" : "h_";  // the AXI slave's request: the host bus's, or one of two masters'
  m.instance(axi, "u_axi",
             {{"clk_i", "clk_i"}, {"rst_ni", "rst_ni"},
              {"s_axi_awvalid_i", "s_axi_awvalid_i"}, {"s_axi_awready_o", "s_axi_awready_o"}, {"s_axi_awaddr_i", "s_axi_awaddr_i"}, {"s_axi_awprot_i", "s_axi_awprot_i"},
              {"s_axi_wvalid_i", "s_axi_wvalid_i"}, {"s_axi_wready_o", "s_axi_wready_o"}, {"s_axi_wdata_i", "s_axi_wdata_i"}, {"s_axi_wstrb_i", "s_axi_wstrb_i"},
              {"s_axi_bvalid_o", "s_axi_bvalid_o"}, {"s_axi_bready_i", "s_axi_bready_i"}, {"s_axi_bresp_o", "s_axi_bresp_o"},
              {"s_axi_arvalid_i", "s_axi_arvalid_i"}, {"s_axi_arready_o", "s_axi_arready_o"}, {"s_axi_araddr_i", "s_axi_araddr_i"}, {"s_axi_arprot_i", "s_axi_arprot_i"},
              {"s_axi_rvalid_o", "s_axi_rvalid_o"}, {"s_axi_rready_i", "s_axi_rready_i"}, {"s_axi_rdata_o", "s_axi_rdata_o"}, {"s_axi_rresp_o", "s_axi_rresp_o"},
              {"req_valid_o", axi_req + "valid"}, {"req_we_o", axi_req + "we"}, {"req_addr_o", axi_req + "addr"}, {"req_wdata_o", axi_req + "wdata"}, {"req_strb_o", axi_req + "strb"},
              {"req_grant_i", axi_req + "grant"}, {"req_resp_i", "h_resp"}, {"req_rdata_i", "h_rdata"}});
  if (c.uart) {
    m.comment("The UART bridge, a second master on the host bus: one access at a time, the two masters taking turns when both wait.");
    m.net("a_valid").net("a_we").net("a_addr", 32).net("a_wdata", 32).net("a_strb", 4).net("a_grant");
    m.net("u_valid").net("u_we").net("u_addr", 32).net("u_wdata", 32).net("u_strb", 4).net("u_grant");
    m.net("u_sel", 1, false, "the bridge's access is the one on the bus").net("u_last_q", 1, false, "the last access granted was the bridge's");
    m.instance(generate_soc_uart(c, d), "u_uart",
               {{"clk_i", "clk_i"}, {"rst_ni", "rst_ni"}, {"rx_i", "uart_rx_i"}, {"tx_o", "uart_tx_o"},
                {"req_valid_o", "u_valid"}, {"req_we_o", "u_we"}, {"req_addr_o", "u_addr"}, {"req_wdata_o", "u_wdata"}, {"req_strb_o", "u_strb"},
                {"req_grant_i", "u_grant"}, {"req_resp_i", "h_resp"}, {"req_rdata_i", "h_rdata"}});
    m.assign("u_sel", "u_valid & (~a_valid | ~u_last_q)");
    m.assign("h_valid", "a_valid | u_valid").assign("h_we", "u_sel ? u_we : a_we").assign("h_addr", "u_sel ? u_addr : a_addr");
    m.assign("h_wdata", "u_sel ? u_wdata : a_wdata").assign("h_strb", "u_sel ? u_strb : a_strb");
    m.assign("a_grant", "h_grant & ~u_sel").assign("u_grant", "h_grant & u_sel");
    m.ff({if_else("!rst_ni", {assign("u_last_q", "1'b0")}, {if_else("h_grant", {assign("u_last_q", "u_sel")})})});
  }

  // ---- memories
  m.comment("IMEM: the host's while the core is in reset, the fetch's after.");
  m.instance(im, "u_imem",
             {{"clk_i", "clk_i"}, {"we_i", "h_go & h_we & h_imem"}, {"waddr_i", fmt::format("h_addr[{}:2]", iaw + 1)}, {"wdata_i", "h_wdata"},
              {"re_i", "core_reset ? (h_go & ~h_we & h_imem) : imem_re"}, {"raddr_i", fmt::format("core_reset ? h_addr[{0}:2] : imem_addr", iaw + 1)},
              {"rdata_o", "imem_rdata"}});
  m.net("dmem_rdata", 32);
  m.instance(dm, "u_dmem",
             {{"clk_i", "clk_i"},
              {"we_i", "cw_dmem ? data_we : (h_go & h_we & h_dmem) ? h_strb : 4'd0"},
              {"waddr_i", fmt::format("cw_dmem ? data_waddr[{0}:2] : h_addr[{0}:2]", daw + 1)},
              {"wdata_i", "bus_wdata"},
              {"re_i", "cr_dmem | (h_go & ~h_we & h_dmem)"},
              {"raddr_i", fmt::format("cr_dmem ? data_raddr[{0}:2] : h_addr[{0}:2]", daw + 1)},
              {"rdata_o", "dmem_rdata"}});
  m.net("sys_rdata", 32).net("irq_ext");
  m.instance(io, "u_sys",
             {{"clk_i", "clk_i"}, {"rst_ni", "core_rst_n"}, {"raddr_i", "data_raddr[4:2]"}, {"we_i", "data_we & {4{cw_sys}}"}, {"waddr_i", "data_waddr[4:2]"},
              {"wdata_i", "data_wdata"}, {"rdata_o", "sys_rdata"}, {"irq_ext_i", "irq_ext"}, {"console_valid_o", "console_valid_o"},
              {"console_data_o", "console_data_o"}, {"exit_valid_o", "exit_valid_o"}, {"exit_code_o", "exit_code_o"}, {"mtip_o", "mtip"}, {"meip_o", "meip"}});

  // ---- SoC registers and the engine: one port each, the core's access or the host's
  m.net("soc_rdata", 32).net("fw_irq").net("nn_irq").net("nnr_rdata", 32).net("nnm_rdata", 32).net("nnm_baddr", 22, false, "byte address in the engine's windows").net("nnm_region", 2);
  m.instance(regs, "u_regs",
             {{"clk_i", "clk_i"}, {"rst_ni", "rst_ni"}, {"valid_i", "cu_soc | (h_go & h_soc)"}, {"we_i", "(cw_soc & cw_full) | (~cu_soc & h_we)"},
              {"host_i", "~cu_soc"}, {"addr_i", "cw_soc ? data_waddr[5:2] : cr_soc ? data_raddr[5:2] : h_addr[5:2]"}, {"wdata_i", soc_reg_bits() == 1 ? "bus_wdata[0]" : fmt::format("bus_wdata[{}:0]", soc_reg_bits() - 1)},
              {"rdata_o", "soc_rdata"}, {"nn_irq_i", "nn_irq"}, {"core_reset_o", "core_reset"}, {"host_irq_o", "irq_o"}, {"fw_irq_o", "fw_irq"}});
  m.comment("The engine's interrupt (done or error, CTRL.IRQ_EN) and the mailbox's reach the core's external interrupt line.");
  m.assign("irq_ext", "nn_irq | fw_irq");
  m.assign("nnm_baddr", "cw_nnm ? data_waddr[23:2] : cr_nnm ? data_raddr[23:2] : h_addr[23:2]");
  m.assign("nnm_region", "nnm_baddr[21:20] - 2'd1");
  m.instance(nn_top, "u_nn",
             {{"clk_i", "clk_i"}, {"rst_ni", "rst_ni"},
              {"reg_valid_i", "cu_nnr | (h_go & h_nnr)"}, {"reg_we_i", "(cw_nnr & cw_full) | (~cu_nnr & h_we)"},
              {"reg_addr_i", "cw_nnr ? data_waddr[5:2] : cr_nnr ? data_raddr[5:2] : h_addr[5:2]"}, {"reg_wdata_i", "bus_wdata"}, {"reg_rdata_o", "nnr_rdata"},
              {"mem_valid_i", "cu_nnm | (h_go & h_nnm)"}, {"mem_we_i", "(cw_nnm & cw_full) | (~cu_nnm & h_we)"},
              {"mem_addr_i", "{2'b00, nnm_region, 8'd0, nnm_baddr[19:0]}"}, {"mem_wdata_i", "bus_wdata"}, {"mem_rdata_o", "nnm_rdata"}, {"irq_o", "nn_irq"}});

  // ---- read data: the shared targets' answer to whichever side used them the cycle before, beside each side's own
  m.net("s_dmem_q").net("s_soc_q").net("s_nnr_q").net("c_sys_q").net("h_imem_q").net("s_rdata", 32);
  m.ff({assign("s_dmem_q", "cr_dmem | (~cu_shared & h_dmem)"), assign("s_soc_q", "cr_soc | (~cu_shared & h_soc)"),
        assign("s_nnr_q", "cr_nnr | (~cu_shared & h_nnr)"), assign("c_sys_q", "cr_sys"), assign("h_imem_q", "h_imem")});
  m.assign("s_rdata", "s_dmem_q ? dmem_rdata : s_soc_q ? soc_rdata : s_nnr_q ? nnr_rdata : nnm_rdata");
  m.assign("data_rdata", "c_sys_q ? sys_rdata : s_rdata");
  m.assign("h_rdata", "h_imem_q ? imem_rdata : s_rdata");

  std::vector<ir::Connection> cc{{"clk_i", "clk_i"},         {"rst_ni", "core_rst_n"},     {"imem_re_o", "imem_re"},     {"imem_addr_o", "imem_addr"},
                                 {"imem_rdata_i", "imem_rdata"}, {"data_re_o", "data_re"}, {"data_raddr_o", "data_raddr"}, {"data_rdata_i", "data_rdata"},
                                 {"data_we_o", "data_we"}, {"data_waddr_o", "data_waddr"}, {"data_wdata_o", "data_wdata"}, {"mtip_i", "mtip"},   {"meip_i", "meip"}};
  for (const auto& p : rvfi) cc.push_back({p.name, p.name});
  m.instance(core, "u_core", cc);
  return d.add(std::move(m));
}

}  // namespace strata
