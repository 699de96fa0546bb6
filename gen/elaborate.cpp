#include "elaborate.h"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <stdexcept>

#include "blocks/au_gen.h"
#include "blocks/gelu_gen.h"
#include "blocks/gelu_map.h"
#include "blocks/nn_gen.h"
#include "blocks/rv32_gen.h"
#include "blocks/soc_gen.h"
#include "blocks/softmax_gen.h"
#include "nn/nn_map.h"
#include "soc/soc_map.h"
#include "ir/emit_sv.h"
#include "rv32_link.h"
#include "strata_version.h"

namespace strata {

namespace fs = std::filesystem;

std::string generator_version() { return STRATA_VERSION; }

ir::Design elaborate(const SocConfig& c) {
  ir::Design d;
  // The top is the first present of nn, rv32, softmax, gelu, else the AU;
  // the AU is generated only with nn or when no other unit is asked for,
  // and with nn the engine holds the softmax and GELU units (the core sits
  // beside it). With both nn and rv32 the SoC joins them: <name>_soc is
  // the top.
  std::string top;
  if (c.nn && c.rv32) {
    top = generate_soc(c, d);
  } else if (c.nn) {
    top = generate_nn(c, d);
  } else if (c.rv32) {
    const std::string core = generate_rv32(c, d);
    if (top.empty()) top = core;
  }
  if (c.softmax && !c.nn) {
    const std::string sm = generate_softmax(c, d);
    if (top.empty()) top = sm;
  }
  if (c.gelu && !c.nn) {
    const std::string g = generate_gelu(c, d);
    if (top.empty()) top = g;
  }
  if (top.empty()) top = generate_au(c, d);
  d.set_top(top);
  return d;
}

nlohmann::json manifest(const SocConfig& c, const ir::Design& d) {
  nlohmann::json j;
  j["generator"] = {{"name", kGeneratorName}, {"version", generator_version()}};
  j["config_hash"] = config_hash(c);
  j["config"] = to_json(c);
  j["top"] = d.top();
  j["modules"] = nlohmann::json::array();
  for (const auto& v : d.verbatim())
    j["modules"].push_back({{"name", v.name}, {"file", "rtl/" + v.file}, {"hand_written", true}, {"primitive_model", v.primitive_model}});
  for (const auto& m : d.modules()) {
    nlohmann::json mj;
    mj["name"] = m.name;
    mj["file"] = "rtl/" + m.name + ".sv";
    mj["parameters"] = nlohmann::json::object();
    for (const auto& p : m.params) mj["parameters"][p.name] = p.value;
    mj["ports"] = nlohmann::json::array();
    for (const auto& p : m.ports)
      mj["ports"].push_back({{"name", p.name}, {"direction", p.dir == ir::Dir::in ? "input" : "output"}, {"width", p.width}, {"signed", p.is_signed}});
    j["modules"].push_back(mj);
  }
  if (c.gelu) {
    nlohmann::json forms = nlohmann::json::object();
    for (std::size_t b = 0; b < c.gelu->forms.size(); ++b) forms[to_string(c.gelu->forms[b])] = b;
    j["gelu"] = {{"module", c.name + "_gelu"},
                 {"latency_cycles", gelu_latency(*c.gelu)},
                 {"form_banks", forms},
                 {"prog_addr_bits", gelu_map::kAddrBits},
                 {"prog_data_bits", gelu_map::kDataBits}};
  }
  if (c.has_au()) {
    const auto spec = au_spec(c);
    nlohmann::json codes = nlohmann::json::object();
    for (auto f : spec.formats) codes[std::string(golden::info(f).name)] = static_cast<unsigned>(f);
    const golden::AuShape shape = golden::au_shape(spec.formats, spec.max_accumulations);
    j["au"] = {{"module", c.name + "_au"},
               {"acc_width", shape.acc_width},
               {"acc_frac_bits", shape.frac_bits},
               {"beat_width", shape.beat_width},
               {"readout", golden::au_has_readout(spec.formats)},
               {"nar", golden::au_has_nar(spec.formats)},
               {"latency_cycles", golden::au_latency(spec)},
               {"format_codes", codes}};
  }
  if (c.softmax) j["softmax"] = softmax_interface_json(c);
  if (c.rv32) {
    const Rv32Config& r = *c.rv32;
    j["rv32"] = {{"module", c.name + (c.nn ? "_rv32_core" : "_rv32")}, {"isa", to_string(r.isa)}, {"reset_vector", r.reset_vector},
                 {"imem_base", 0}, {"imem_bytes", r.imem_bytes}, {"dmem_base", 0x10000000}, {"dmem_bytes", r.dmem_bytes},
                 {"mmio_base", 0x20000000}, {"imem_memory", to_string(r.imem_memory)}, {"dmem_memory", to_string(r.dmem_memory)}, {"rvfi", r.rvfi}};
    if (r.isa == Rv32Isa::rv32im) j["rv32"]["muldiv"] = to_string(r.muldiv);
  }
  if (c.nn) j["nn"] = nn::interface_json(c);
  if (c.nn && c.rv32) j["soc"] = soc::interface_json(c);
  return j;
}

std::map<std::string, std::string> render(const SocConfig& c, const ir::Design& d) {
  std::map<std::string, std::string> files;
  const ir::EmitHeader header{fmt::format("{} {}", kGeneratorName, generator_version()), c.name, config_hash(c)};
  std::string file_list;
  std::string core_files;
  for (const auto& v : d.verbatim()) {
    const std::string path = "rtl/" + v.file;
    files[path] = v.text;
    file_list += path + "\n";
    core_files += "      - " + path + "\n";
  }
  for (const auto& m : d.modules()) {
    const std::string path = "rtl/" + m.name + ".sv";
    files[path] = ir::emit_sv(m, header);
    file_list += path + "\n";
    core_files += "      - " + path + "\n";
  }
  files["files.f"] = file_list;
  files["manifest.json"] = manifest(c, d).dump(2) + "\n";
  if (c.nn) {
    std::string regmap = nn::regmap_header(c), md = nn::interface_markdown();
    if (c.rv32) {
      regmap += soc::regmap_header(c);
      md += '\n';
      md += soc::interface_markdown(c);
    }
    files["regmap.h"] = regmap;
    files["regmap.md"] = md;
  }
  static_assert(soc::kMailboxBase == soc::kDmemBase, "link.ld leaves the SoC's mailbox out at the start of DMEM");
  if (c.rv32)
    files["link.ld"] = rv32_linker_script(*c.rv32, fmt::format("Generated by {} from config '{}' (hash {}).", header.generator, c.name, header.config_hash),
                                          c.nn ? soc::kMailboxBytes : 0);
  files[c.name + ".core"] = fmt::format(
      "CAPI=2:\n"
      "# Generated by {} {} from config '{}' (hash {}).\n"
      "name: strata:generated:{}:{}\n"
      "description: Strata-generated design '{}'\n"
      "filesets:\n"
      "  rtl:\n"
      "    file_type: systemVerilogSource\n"
      "    files:\n"
      "{}"
      "targets:\n"
      "  default:\n"
      "    filesets: [rtl]\n"
      "    toplevel: {}\n"
      "  lint:\n"
      "    default_tool: verilator\n"
      "    filesets: [rtl]\n"
      "    toplevel: {}\n"
      "    tools:\n"
      "      verilator:\n"
      "        mode: lint-only\n"
      "        verilator_options: [-Wall]\n",
      kGeneratorName, generator_version(), c.name, config_hash(c), c.name, generator_version(), c.name, core_files, d.top(), d.top());
  return files;
}

void write_tree(const fs::path& dir_in, const std::map<std::string, std::string>& files) {
  const fs::path dir = fs::absolute(dir_in).lexically_normal();
  const fs::path parent = dir.parent_path();
  fs::create_directories(parent);
  if (fs::exists(dir) && !fs::is_directory(dir)) throw std::runtime_error(fmt::format("{}: exists and is not a directory", dir.string()));
  const std::string tag = fmt::format(".{}.tmp-{}-{}", dir.filename().string(), ::getpid(), std::random_device{}());
  const fs::path staging = parent / tag;
  try {
    for (const auto& [rel, text] : files) {
      const fs::path p = staging / rel;
      fs::create_directories(p.parent_path());
      std::ofstream out(p, std::ios::binary);
      out << text;
      out.close();
      if (!out) throw std::runtime_error(fmt::format("{}: write failed", p.string()));
    }
    if (fs::exists(dir)) {
      const fs::path old = parent / (tag + "-old");
      fs::rename(dir, old);
      std::error_code ec;
      fs::rename(staging, dir, ec);
      if (ec) {
        fs::rename(old, dir);  // put the previous output back
        throw fs::filesystem_error("cannot replace the output directory", staging, dir, ec);
      }
      fs::remove_all(old);
    } else {
      fs::rename(staging, dir);
    }
  } catch (...) {
    std::error_code ec;
    fs::remove_all(staging, ec);
    throw;
  }
}

ir::Module synth_wrapper(const ir::Module& top) {
  ir::Module w;
  w.name = top.name + "_synth_wrap";
  w.description = fmt::format("Out-of-context synthesis wrapper of {}: inputs from a shift register, outputs XOR-reduced.", top.name);
  w.port(ir::Dir::in, "clk_i").port(ir::Dir::in, "din_i").port(ir::Dir::out, "dout_o");
  int in_bits = 0, out_bits = 0;
  for (const auto& p : top.ports) {
    if (p.name == "clk_i") continue;
    (p.dir == ir::Dir::in ? in_bits : out_bits) += p.width;
  }
  w.net("shift_q", in_bits).net("outs", out_bits).net("dout_q");
  w.ff({ir::assign("shift_q", in_bits > 1 ? fmt::format("{{shift_q[{}:0], din_i}}", in_bits - 2) : "din_i"),
        ir::assign("dout_q", "^outs")});
  std::vector<ir::Connection> conns;
  int in_pos = 0, out_pos = 0;
  for (const auto& p : top.ports) {
    if (p.name == "clk_i") {
      conns.push_back({"clk_i", "clk_i"});
    } else if (p.dir == ir::Dir::in) {
      conns.push_back({p.name, p.width == 1 ? fmt::format("shift_q[{}]", in_pos) : fmt::format("shift_q[{}:{}]", in_pos + p.width - 1, in_pos)});
      in_pos += p.width;
    } else {
      conns.push_back({p.name, out_bits == 1 ? "outs" : p.width == 1 ? fmt::format("outs[{}]", out_pos) : fmt::format("outs[{}:{}]", out_pos + p.width - 1, out_pos)});
      out_pos += p.width;
    }
  }
  w.instance(top.name, "u_dut", conns);
  w.assign("dout_o", "dout_q");
  return w;
}

}  // namespace strata
