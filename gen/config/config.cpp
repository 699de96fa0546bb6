#include "config/config.h"

#include "soc/soc_map.h"
#include "soc/soc_uart.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "yaml/yaml_reader.h"

namespace strata {

namespace {

using golden::Format;

[[noreturn]] void raise_config_error(const std::string& message) { throw ConfigError(message); }

// The shared YAML reader, throwing ConfigError and calling the root "the config".
class Reader : public yaml::Reader {
 public:
  explicit Reader(std::string file) : yaml::Reader(std::move(file), "the config", raise_config_error) {}
};

const std::vector<std::string> kTopKeys{"name", "au", "nn", "rv32", "softmax", "gelu", "uart", "synth"};
const std::vector<std::string> kUartKeys{"baud"};
const std::vector<std::string> kRv32Keys{"isa", "reset_vector", "imem_bytes", "dmem_bytes", "imem_memory", "dmem_memory", "muldiv", "core", "rvfi"};
const std::vector<std::string> kSoftmaxKeys{"algorithms", "max_length", "in_types", "out_types"};
const std::vector<std::string> kGeluKeys{"types", "forms", "segments", "degree"};
const std::vector<std::string> kNnKeys{"pes", "aus_per_pe", "act_words", "weight_words", "ctrl_words", "weight_memory", "residual_add", "ops", "counter_bits"};
const std::vector<std::string> kAuKeys{"formats", "max_accumulations", "pipeline_stages", "share", "isolate", "multipliers"};
const std::vector<std::string> kSynthKeys{"clock_mhz"};

std::string format_names() {
  std::vector<std::string_view> names;
  for (const auto& f : golden::kFormats) names.push_back(f.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string parse_name(const Reader& r, const YAML::Node& n) {
  const std::string allowed =
      fmt::format("a lower-case identifier of 1 to {} characters: a-z first, then a-z, 0-9 or _", ConfigLimits::name_max);
  if (!n.IsScalar()) r.fail(n, "name", fmt::format("{} is not a name", Reader::shown(n)), allowed);
  const std::string& s = n.Scalar();
  const bool ok = !s.empty() && s.size() <= ConfigLimits::name_max && s[0] >= 'a' && s[0] <= 'z' &&
                  std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
  if (!ok) r.fail(n, "name", fmt::format("'{}' is not a valid name", s), allowed);
  return s;
}

AuConfig parse_au(const Reader& r, const YAML::Node& n) {
  AuConfig au;
  r.keys(n, "au", kAuKeys);
  if (const auto f = n["formats"]) {
    const std::string allowed = fmt::format("a non-empty list of distinct formats from: {}", format_names());
    if (!f.IsSequence()) r.fail(f, "au.formats", fmt::format("{} is not a list", Reader::shown(f)), allowed);
    if (f.size() == 0) r.fail(f, "au.formats", "the list is empty", allowed);
    au.formats.clear();
    for (const auto& item : f) {
      const auto fmt_ = item.IsScalar() ? golden::format_from_name(item.Scalar()) : std::nullopt;
      if (!fmt_) r.fail(item, "au.formats", fmt::format("{} is not a format", Reader::shown(item)), allowed);
      if (std::find(au.formats.begin(), au.formats.end(), *fmt_) != au.formats.end())
        r.fail(item, "au.formats", fmt::format("'{}' is listed twice", item.Scalar()), allowed);
      au.formats.push_back(*fmt_);
    }
    // The order in the file does not matter: keep the canonical order.
    std::sort(au.formats.begin(), au.formats.end());
  }
  if (const auto k = n["max_accumulations"])
    au.max_accumulations = static_cast<std::uint64_t>(
        r.integer(k, "au.max_accumulations", 1, static_cast<long long>(ConfigLimits::max_accumulations_max)));
  if (const auto p = n["pipeline_stages"])
    au.pipeline_stages = static_cast<int>(r.integer(p, "au.pipeline_stages", 0, ConfigLimits::pipeline_stages_max));
  if (const auto s = n["share"]) au.share = r.boolean(s, "au.share");
  if (const auto i = n["isolate"]) au.isolate = r.boolean(i, "au.isolate");
  if (const auto m = n["multipliers"]) au.multipliers = r.word(m, "au.multipliers", {"dsp", "lut"}) == "dsp" ? Multipliers::dsp : Multipliers::lut;
  return au;
}

int memory_words(const Reader& r, const YAML::Node& n, const std::string& key) {
  const auto v = r.integer(n, key, ConfigLimits::memory_words_min, ConfigLimits::memory_words_max);
  if ((v & (v - 1)) != 0)
    r.fail(n, key, fmt::format("{} is not a power of two", v),
           fmt::format("a power of two from {} to {}", ConfigLimits::memory_words_min, ConfigLimits::memory_words_max));
  return static_cast<int>(v);
}

NnConfig parse_nn(const Reader& r, const YAML::Node& n, const AuConfig& au) {
  NnConfig nn;
  if (n.IsNull()) return nn;  // `nn:` alone: every default
  r.keys(n, "nn", kNnKeys);
  if (const auto v = n["pes"]) nn.pes = static_cast<int>(r.integer(v, "nn.pes", 1, ConfigLimits::pes_max));
  if (const auto v = n["aus_per_pe"]) nn.aus_per_pe = static_cast<int>(r.integer(v, "nn.aus_per_pe", 1, ConfigLimits::aus_per_pe_max));
  if (const auto v = n["act_words"]) nn.act_words = memory_words(r, v, "nn.act_words");
  if (const auto v = n["weight_words"]) nn.weight_words = memory_words(r, v, "nn.weight_words");
  if (const auto v = n["ctrl_words"]) nn.ctrl_words = memory_words(r, v, "nn.ctrl_words");
  if (const auto v = n["weight_memory"]) {
    nn.weight_memory = r.word(v, "nn.weight_memory", {"bram", "ice40_spram"}) == "bram" ? WeightMemory::bram : WeightMemory::ice40_spram;
    if (nn.weight_memory == WeightMemory::ice40_spram && nn.channels() > kIce40Sprams)
      r.fail(v, "nn.weight_memory",
             fmt::format("ice40_spram takes one SPRAM per AU, and nn.pes x nn.aus_per_pe = {} x {} = {} AUs need more than the UP5K's {}", nn.pes,
                         nn.aus_per_pe, nn.channels(), kIce40Sprams),
             fmt::format("bram, or ice40_spram with at most {} AUs", kIce40Sprams));
    if (nn.weight_memory == WeightMemory::ice40_spram && nn.weight_words > kIce40SpramWords)
      r.fail(v, "nn.weight_memory", fmt::format("ice40_spram holds {} words per AU, nn.weight_words is {}", kIce40SpramWords, nn.weight_words),
             fmt::format("bram, or ice40_spram with nn.weight_words at most {}", kIce40SpramWords));
  }
  if (const auto v = n["residual_add"]) nn.residual_add = r.boolean(v, "nn.residual_add");
  if (const auto v = n["counter_bits"]) nn.counter_bits = static_cast<int>(r.integer(v, "nn.counter_bits", 16, 32));
  if (const auto v = n["ops"]) {
    using golden::nn::LayerKind;
    const auto all = NnConfig::all_ops();
    std::vector<std::string> names;
    for (LayerKind k : all) names.push_back(nn_op_name(k));
    const std::string allowed =
        fmt::format("a non-empty list of distinct layer operations from: {}, with at least one of conv1d, depthwise_conv1d, dense", fmt::join(names, ", "));
    if (!v.IsSequence()) r.fail(v, "nn.ops", fmt::format("{} is not a list", Reader::shown(v)), allowed);
    if (v.size() == 0) r.fail(v, "nn.ops", "the list is empty", allowed);
    std::vector<bool> seen(all.size(), false);
    for (const auto& item : v) {
      const auto it = item.IsScalar() && item.Tag() != "!" ? std::find(names.begin(), names.end(), item.Scalar()) : names.end();
      if (it == names.end()) r.fail(item, "nn.ops", fmt::format("{} is not a layer operation", Reader::shown(item)), allowed);
      const auto i = static_cast<std::size_t>(it - names.begin());
      if (seen[i]) r.fail(item, "nn.ops", fmt::format("'{}' is listed twice", item.Scalar()), allowed);
      seen[i] = true;
    }
    nn.ops.clear();
    for (std::size_t i = 0; i < all.size(); ++i)
      if (seen[i]) nn.ops.push_back(all[i]);
    const auto listed = [&](LayerKind k) { return std::find(nn.ops.begin(), nn.ops.end(), k) != nn.ops.end(); };
    if (!listed(LayerKind::conv1d) && !listed(LayerKind::depthwise_conv1d) && !listed(LayerKind::dense))
      r.fail(v, "nn.ops", "has no multiply-accumulate layer: the engine is built around its PEs", allowed);
    // nn.residual_add is the add of nn.ops: given both, they agree.
    if (const auto ra = n["residual_add"]; ra && nn.residual_add != listed(LayerKind::add))
      r.fail(ra, "nn.residual_add", fmt::format("is {}, but nn.ops {} add", nn.residual_add, nn.residual_add ? "lacks" : "lists"),
             "the same as nn.ops (or leave nn.residual_add out)");
    nn.residual_add = listed(LayerKind::add);
  }
  if (std::find(au.formats.begin(), au.formats.end(), golden::Format::int8) == au.formats.end())
    r.fail(n, "nn", "the engine runs int8 layers but au.formats has no int8", "an au.formats list that contains int8");
  return nn;
}

int rv32_mem_bytes(const Reader& r, const YAML::Node& n, const std::string& key) {
  const auto v = r.integer(n, key, ConfigLimits::rv32_mem_bytes_min, ConfigLimits::rv32_mem_bytes_max);
  if ((v & (v - 1)) != 0)
    r.fail(n, key, fmt::format("{} is not a power of two", v),
           fmt::format("a power of two from {} to {}", ConfigLimits::rv32_mem_bytes_min, ConfigLimits::rv32_mem_bytes_max));
  return static_cast<int>(v);
}

Rv32Memory rv32_memory(const Reader& r, const YAML::Node& n, const std::string& key) {
  return r.word(n, key, {"bram", "ice40_spram"}) == "bram" ? Rv32Memory::bram : Rv32Memory::ice40_spram;
}

Rv32Config parse_rv32(const Reader& r, const YAML::Node& n) {
  Rv32Config rv;
  if (n.IsNull()) return rv;  // `rv32:` alone: every default
  if (n.IsMap())
    for (const auto& kv : n)
      if (kv.first.IsScalar() && kv.first.Scalar() == "memory")  // the one key of earlier versions for both memories
        r.fail(kv.first, "rv32.memory", "replaced by rv32.imem_memory and rv32.dmem_memory (one for each memory)",
               "rv32.imem_memory and rv32.dmem_memory, each bram or ice40_spram");
  r.keys(n, "rv32", kRv32Keys);
  if (const auto v = n["isa"]) rv.isa = r.word(v, "rv32.isa", {"rv32i", "rv32im"}) == "rv32i" ? Rv32Isa::rv32i : Rv32Isa::rv32im;
  if (const auto v = n["imem_bytes"]) rv.imem_bytes = rv32_mem_bytes(r, v, "rv32.imem_bytes");
  if (const auto v = n["dmem_bytes"]) rv.dmem_bytes = rv32_mem_bytes(r, v, "rv32.dmem_bytes");
  if (const auto v = n["reset_vector"]) {
    rv.reset_vector = static_cast<std::uint32_t>(r.integer(v, "rv32.reset_vector", 0, rv.imem_bytes - 4));
    if (rv.reset_vector % 4 != 0)
      r.fail(v, "rv32.reset_vector", fmt::format("{} is not a multiple of 4", rv.reset_vector),
             fmt::format("a multiple of 4 from 0 to {} (inside IMEM)", rv.imem_bytes - 4));
  }
  if (const auto v = n["imem_memory"]) rv.imem_memory = rv32_memory(r, v, "rv32.imem_memory");
  if (const auto v = n["dmem_memory"]) rv.dmem_memory = rv32_memory(r, v, "rv32.dmem_memory");
  if (const auto v = n["muldiv"]) {
    rv.muldiv = r.word(v, "rv32.muldiv", {"fast", "small"}) == "fast" ? Rv32MulDiv::fast : Rv32MulDiv::small;
    if (rv.isa == Rv32Isa::rv32i) r.fail(v, "rv32.muldiv", "rv32i has no multiplier or divider", "rv32.muldiv only with rv32.isa: rv32im");
  }
  if (const auto v = n["core"]) {
    rv.core = r.word(v, "rv32.core", {"pipelined", "compact"}) == "pipelined" ? Rv32Core::pipelined : Rv32Core::compact;
    if (rv.core == Rv32Core::compact && rv.isa == Rv32Isa::rv32im)
      r.fail(v, "rv32.core", "the compact core has no M extension", "rv32.core: compact only with rv32.isa: rv32i");
  }
  if (const auto v = n["rvfi"]) rv.rvfi = r.boolean(v, "rv32.rvfi");
  return rv;
}

// A non-empty list of distinct words from `words`, returned in the order of
// `words` (the canonical order), as indices into it.
std::vector<std::size_t> word_set(const Reader& r, const YAML::Node& n, const std::string& key, const std::vector<std::string>& words) {
  const std::string allowed = fmt::format("a non-empty list of distinct words from: {}", fmt::join(words, ", "));
  if (!n.IsSequence()) r.fail(n, key, fmt::format("{} is not a list", Reader::shown(n)), allowed);
  if (n.size() == 0) r.fail(n, key, "the list is empty", allowed);
  std::vector<std::size_t> picked;
  for (const auto& item : n) {
    const auto it = item.IsScalar() && item.Tag() != "!" ? std::find(words.begin(), words.end(), item.Scalar()) : words.end();
    if (it == words.end()) r.fail(item, key, fmt::format("{} is not allowed", Reader::shown(item)), allowed);
    const auto i = static_cast<std::size_t>(it - words.begin());
    if (std::find(picked.begin(), picked.end(), i) != picked.end()) r.fail(item, key, fmt::format("'{}' is listed twice", item.Scalar()), allowed);
    picked.push_back(i);
  }
  std::sort(picked.begin(), picked.end());
  return picked;
}

GeluConfig parse_gelu(const Reader& r, const YAML::Node& n) {
  GeluConfig g;
  if (n.IsNull()) return g;  // `gelu:` alone: every default
  r.keys(n, "gelu", kGeluKeys);
  if (const auto v = n["types"]) {
    g.types.clear();
    for (auto i : word_set(r, v, "gelu.types", {"int8", "int16"})) g.types.push_back(static_cast<GeluType>(i));
  }
  if (const auto v = n["forms"]) {
    g.forms.clear();
    for (auto i : word_set(r, v, "gelu.forms", {"erf", "tanh"})) g.forms.push_back(static_cast<golden::gelu::Form>(i));
  }
  for (const char* k : {"segments", "degree"})
    if (const auto v = n[k]; v && !g.has(GeluType::int16))
      r.fail(v, fmt::format("gelu.{}", k), "shapes the int16 datapath, but gelu.types has no int16", "this key only with int16 in gelu.types");
  if (const auto v = n["segments"]) {
    const auto s = r.integer(v, "gelu.segments", ConfigLimits::gelu_segments_min, ConfigLimits::gelu_segments_max);
    if ((s & (s - 1)) != 0)
      r.fail(v, "gelu.segments", fmt::format("{} is not a power of two", s),
             fmt::format("a power of two from {} to {}", ConfigLimits::gelu_segments_min, ConfigLimits::gelu_segments_max));
    g.segments = static_cast<int>(s);
  }
  if (const auto v = n["degree"]) g.degree = static_cast<int>(r.integer(v, "gelu.degree", 1, ConfigLimits::gelu_degree_max));
  return g;
}

// A non-empty list of distinct words, each naming one of `all` (by name());
// returned in the canonical order of `all`.
template <class E>
std::vector<E> word_list(const Reader& r, const YAML::Node& n, const std::string& key, const std::string& what, const std::vector<E>& all) {
  std::vector<std::string> names;
  for (E e : all) names.emplace_back(golden::softmax::name(e));
  const std::string allowed = fmt::format("a non-empty list of distinct {} from: {}", what, fmt::join(names, ", "));
  if (!n.IsSequence()) r.fail(n, key, fmt::format("{} is not a list", Reader::shown(n)), allowed);
  if (n.size() == 0) r.fail(n, key, "the list is empty", allowed);
  std::vector<bool> seen(all.size(), false);
  for (const auto& item : n) {
    const auto it = item.IsScalar() && item.Tag() != "!" ? std::find(names.begin(), names.end(), item.Scalar()) : names.end();
    if (it == names.end()) r.fail(item, key, fmt::format("{} is not one of them", Reader::shown(item)), allowed);
    const auto i = static_cast<std::size_t>(it - names.begin());
    if (seen[i]) r.fail(item, key, fmt::format("'{}' is listed twice", item.Scalar()), allowed);
    seen[i] = true;
  }
  std::vector<E> v;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (seen[i]) v.push_back(all[i]);
  return v;
}

SoftmaxConfig parse_softmax(const Reader& r, const YAML::Node& n) {
  namespace sm = golden::softmax;
  SoftmaxConfig s;
  if (n.IsNull()) return s;  // `softmax:` alone: every default
  r.keys(n, "softmax", kSoftmaxKeys);
  if (const auto v = n["algorithms"])
    s.algorithms = word_list(r, v, "softmax.algorithms", "algorithms", std::vector{sm::Algorithm::three_pass, sm::Algorithm::online, sm::Algorithm::two_pass});
  if (const auto v = n["max_length"]) s.max_length = static_cast<int>(r.integer(v, "softmax.max_length", 1, ConfigLimits::softmax_length_max));
  if (const auto v = n["in_types"]) s.in_types = word_list(r, v, "softmax.in_types", "input types", std::vector{sm::InType::int8, sm::InType::int16});
  if (const auto v = n["out_types"])
    s.out_types = word_list(r, v, "softmax.out_types", "output types", std::vector{sm::OutType::uint8, sm::OutType::uint16, sm::OutType::int8});
  return s;
}

template <class E>
std::vector<std::string> names_of(const std::vector<E>& v) {
  std::vector<std::string> out;
  for (E e : v) out.emplace_back(golden::softmax::name(e));
  return out;
}

}  // namespace

std::vector<golden::nn::LayerKind> NnConfig::all_ops() {
  using golden::nn::LayerKind;
  return {LayerKind::conv1d, LayerKind::depthwise_conv1d, LayerKind::dense, LayerKind::max_pool, LayerKind::avg_pool,
          LayerKind::global_avg_pool, LayerKind::add, LayerKind::gelu, LayerKind::softmax};
}

std::string nn_op_name(golden::nn::LayerKind k) { return std::string(golden::nn::layer_kind_name(k)); }

namespace {
// An operation the other keys allow: add with nn.residual_add, gelu and
// softmax with their sections.
bool op_allowed(const SocConfig& c, golden::nn::LayerKind k) {
  using golden::nn::LayerKind;
  if (k == LayerKind::add) return c.nn->residual_add;
  if (k == LayerKind::gelu) return c.gelu && c.gelu->has(GeluType::int8);
  if (k == LayerKind::softmax) return c.softmax.has_value();
  return true;
}
// The operations of an nn section without nn.ops.
std::vector<golden::nn::LayerKind> default_nn_ops(const SocConfig& c) {
  std::vector<golden::nn::LayerKind> v;
  for (auto k : NnConfig::all_ops())
    if (op_allowed(c, k)) v.push_back(k);
  return v;
}
}  // namespace

std::vector<golden::nn::LayerKind> nn_ops(const SocConfig& c) {
  std::vector<golden::nn::LayerKind> v;
  if (!c.nn) return v;
  for (auto k : c.nn->ops)
    if (op_allowed(c, k)) v.push_back(k);
  return v;
}

bool nn_has_op(const SocConfig& c, golden::nn::LayerKind k) {
  const auto v = nn_ops(c);
  return std::find(v.begin(), v.end(), k) != v.end();
}

int uart_clocks_per_bit(const SocConfig& c) {
  return static_cast<int>(std::lround(c.synth.clock_mhz * 1e6 / c.uart->baud));
}

bool GeluConfig::has(GeluType t) const { return std::find(types.begin(), types.end(), t) != types.end(); }

SocConfig parse_config(const std::string& text, const std::string& file) {
  Reader r(file);
  // yaml-cpp's message for a tab in indentation is cryptic: say it plainly.
  std::size_t line = 1, col = 1;
  bool indent = true;
  for (char ch : text) {
    if (ch == '\n') {
      ++line;
      col = 1;
      indent = true;
      continue;
    }
    if (indent && ch == '\t') {
      YAML::Mark m;
      m.line = static_cast<int>(line - 1);
      m.column = static_cast<int>(col - 1);
      r.fail(m, "invalid YAML: a tab in indentation; allowed: spaces only");
    }
    if (ch != ' ') indent = false;
    ++col;
  }
  YAML::Node root;
  try {
    const std::vector<YAML::Node> docs = YAML::LoadAll(text);
    if (docs.size() > 1) r.fail(docs[1].Mark(), fmt::format("{} YAML documents in one file; allowed: one config per file", docs.size()));
    if (!docs.empty()) root = docs[0];
  } catch (const YAML::Exception& e) {
    r.fail(e.mark, fmt::format("invalid YAML: {}", e.msg));
  }
  if (!root || root.IsNull()) r.fail(YAML::Mark(), fmt::format("the config is empty; expected a mapping with keys {}", fmt::join(kTopKeys, ", ")));
  r.keys(root, "", kTopKeys);

  SocConfig c;
  const auto name = root["name"];
  if (!name) r.fail(root.Mark(), "name: missing; every config needs a name (a lower-case identifier)");
  c.name = parse_name(r, name);
  if (const auto au = root["au"]) c.au = parse_au(r, au);
  if (const auto nn = root["nn"]) c.nn = parse_nn(r, nn, c.au);
  if (const auto rv = root["rv32"]) {
    c.rv32 = parse_rv32(r, rv);
    // The UP5K's SPRAMs are shared: two for each rv32 memory in SPRAM, one for each AU of an engine with its weights in SPRAM.
    const int core_sprams = 2 * ((c.rv32->imem_memory == Rv32Memory::ice40_spram) + (c.rv32->dmem_memory == Rv32Memory::ice40_spram));
    const int nn_sprams = (c.nn && c.nn->weight_memory == WeightMemory::ice40_spram) ? c.nn->channels() : 0;
    if (core_sprams > 0 && core_sprams + nn_sprams > kIce40Sprams) {
      const std::string key = c.rv32->dmem_memory == Rv32Memory::ice40_spram ? "dmem_memory" : "imem_memory";
      r.fail(rv[key], "rv32." + key,
             fmt::format("ice40_spram takes 2 SPRAMs for each rv32 memory and nn.weight_memory: ice40_spram one for each of the {} AUs: {} + {} "
                         "SPRAMs are more than the UP5K's {}",
                         c.nn->channels(), core_sprams, nn_sprams, kIce40Sprams),
             fmt::format("at most {} SPRAMs in all (bram for one of the memories)", kIce40Sprams));
    }
    // Beside a core, the engine's weight memories lie in one window of the SoC's memory map.
    const long long window = 1LL << (soc::kNnWindowAddrBits - 2);
    if (c.nn && static_cast<long long>(c.nn->channels()) * c.nn->weight_words > window) {
      const auto nn = root["nn"];
      r.fail(nn["weight_words"] ? nn["weight_words"] : nn, "nn.weight_words",
             fmt::format("beside an rv32 core the SoC's weight window holds {} words, and nn.pes x nn.aus_per_pe x nn.weight_words = {} x {} x {} = {}", window,
                         c.nn->pes, c.nn->aus_per_pe, c.nn->weight_words, static_cast<long long>(c.nn->channels()) * c.nn->weight_words),
             fmt::format("at most {} weight words in all AUs (or no rv32 section)", window));
    }
  }
  if (const auto sm = root["softmax"]) {
    c.softmax = parse_softmax(r, sm);
    // Beside an engine, the unit runs the engine's softmax layers: int8 logits to TFLite's int8 codes.
    namespace gs = golden::softmax;
    if (c.nn && std::count(c.softmax->in_types.begin(), c.softmax->in_types.end(), gs::InType::int8) == 0)
      r.fail(sm["in_types"], "softmax.in_types", "has no int8, but with an nn section the softmax unit runs the engine's int8 softmax layers",
             "a list that includes int8 (or no nn section)");
    if (c.nn && std::count(c.softmax->out_types.begin(), c.softmax->out_types.end(), gs::OutType::int8) == 0)
      r.fail(sm["out_types"], "softmax.out_types", "has no int8, but with an nn section the softmax unit writes the engine's int8 softmax outputs",
             "a list that includes int8 (or no nn section)");
  }
  if (const auto gelu = root["gelu"]) {
    c.gelu = parse_gelu(r, gelu);
    // Beside an engine, the unit runs the engine's gelu layers, which are int8.
    if (c.nn && !c.gelu->has(GeluType::int8))
      r.fail(gelu["types"], "gelu.types", "has no int8, but with an nn section the GELU unit runs the engine's int8 gelu layers",
             "a list that includes int8 (or no nn section)");
  }
  if (c.nn) {
    // A gelu or softmax section beside an engine asks for the unit that runs
    // the engine's layers of that operation: nn.ops, if given, lists it.
    const auto ops = root["nn"]["ops"];
    using golden::nn::LayerKind;
    const auto listed = [&](LayerKind k) { return std::find(c.nn->ops.begin(), c.nn->ops.end(), k) != c.nn->ops.end(); };
    for (const auto& [k, section] : {std::pair{LayerKind::gelu, "gelu"}, std::pair{LayerKind::softmax, "softmax"}}) {
      const bool present = k == LayerKind::gelu ? c.gelu.has_value() : c.softmax.has_value();
      if (ops && listed(k) && !present)
        r.fail(ops, "nn.ops", fmt::format("lists {} but the config has no {} section (its unit runs the {} layers)", section, section, section),
               fmt::format("{} with a {} section, or an nn.ops without it", section, section));
      if (ops && !listed(k) && present)
        r.fail(ops, "nn.ops", fmt::format("lacks {}, but the config's {} section builds the unit that only {} layers use", section, section, section),
               fmt::format("an nn.ops that lists {}, or no {} section", section, section));
    }
  }
  if (const auto synth = root["synth"]) {
    r.keys(synth, "synth", kSynthKeys);
    if (const auto mhz = synth["clock_mhz"])
      c.synth.clock_mhz = r.number(mhz, "synth.clock_mhz", ConfigLimits::clock_mhz_min, ConfigLimits::clock_mhz_max);
  }
  if (const auto uart = root["uart"]) {
    // The bridge is a master on the SoC's host bus: it needs the SoC.
    if (!c.nn || !c.rv32)
      r.fail(uart, "uart", "the UART bridge is a master on the SoC's host bus, and the config has no SoC (it needs nn and rv32 sections)",
             "a uart section beside nn and rv32 sections");
    c.uart = UartConfig{};
    if (!uart.IsNull()) {
      r.keys(uart, "uart", kUartKeys);
      if (const auto b = uart["baud"])
        c.uart->baud = static_cast<int>(r.integer(b, "uart.baud", ConfigLimits::uart_baud_min, ConfigLimits::uart_baud_max));
    }
    // The bit time is a whole number of clock cycles, long enough to sample each bit in its middle.
    const int cpb = uart_clocks_per_bit(c);
    const double actual = c.synth.clock_mhz * 1e6 / std::max(cpb, 1);
    const double err = std::abs(actual - c.uart->baud) / c.uart->baud;
    std::string problem;
    if (cpb < soc::kUartMinClocksPerBit)
      problem = fmt::format("{} baud at {} MHz is {} clocks per bit, fewer than the receiver's {}", c.uart->baud, c.synth.clock_mhz, cpb, soc::kUartMinClocksPerBit);
    else if (cpb > ConfigLimits::uart_clocks_per_bit_max)
      problem = fmt::format("{} baud at {} MHz is {} clocks per bit, more than the bridge's {}", c.uart->baud, c.synth.clock_mhz, cpb, ConfigLimits::uart_clocks_per_bit_max);
    else if (err > soc::kUartMaxBaudError)
      problem = fmt::format("{} baud at {} MHz: {} clocks per bit give {:.0f} baud, {:.1f}% off", c.uart->baud, c.synth.clock_mhz, cpb, actual, 100 * err);
    if (!problem.empty()) {
      const std::string allowed =
          fmt::format("a baud rate of at most synth.clock_mhz / {} ({:.0f} at {} MHz), within {:.0f}% of synth.clock_mhz / a whole number of clocks per bit",
                      soc::kUartMinClocksPerBit, c.synth.clock_mhz * 1e6 / soc::kUartMinClocksPerBit, c.synth.clock_mhz, 100 * soc::kUartMaxBaudError);
      if (!uart.IsNull() && uart["baud"]) r.fail(uart["baud"], "uart.baud", problem, allowed);
      r.fail(r.key_mark("uart"), fmt::format("uart.baud: the default {}; allowed: {}", problem, allowed));
    }
  }
  return c;
}

SocConfig load_config(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: error: cannot read the config file", path.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path.string());
}

nlohmann::json to_json(const SocConfig& c) {
  nlohmann::json j;  // keys sorted: the canonical form that is hashed
  j["name"] = c.name;
  std::vector<std::string> formats;
  for (auto f : c.au.formats) formats.emplace_back(golden::info(f).name);
  j["au"]["formats"] = formats;
  j["au"]["max_accumulations"] = c.au.max_accumulations;
  j["au"]["pipeline_stages"] = c.au.pipeline_stages;
  j["au"]["share"] = c.au.share;
  j["au"]["isolate"] = c.au.isolate;
  j["au"]["multipliers"] = to_string(c.au.multipliers);
  if (c.nn) {
    j["nn"]["pes"] = c.nn->pes;
    j["nn"]["aus_per_pe"] = c.nn->aus_per_pe;
    j["nn"]["act_words"] = c.nn->act_words;
    j["nn"]["weight_words"] = c.nn->weight_words;
    j["nn"]["ctrl_words"] = c.nn->ctrl_words;
    j["nn"]["weight_memory"] = to_string(c.nn->weight_memory);
    j["nn"]["residual_add"] = c.nn->residual_add;
    if (c.nn->counter_bits != 32) j["nn"]["counter_bits"] = c.nn->counter_bits;
    // nn.ops only when it leaves out an operation the other keys allow, so
    // that a config listing every one hashes as one that leaves it out.
    if (const auto ops = nn_ops(c); ops != default_nn_ops(c)) {
      std::vector<std::string> names;
      for (auto k : ops) names.push_back(nn_op_name(k));
      j["nn"]["ops"] = names;
    }
  }
  if (c.rv32) {
    j["rv32"]["isa"] = to_string(c.rv32->isa);
    j["rv32"]["reset_vector"] = c.rv32->reset_vector;
    j["rv32"]["imem_bytes"] = c.rv32->imem_bytes;
    j["rv32"]["dmem_bytes"] = c.rv32->dmem_bytes;
    j["rv32"]["imem_memory"] = to_string(c.rv32->imem_memory);
    j["rv32"]["dmem_memory"] = to_string(c.rv32->dmem_memory);
    j["rv32"]["muldiv"] = to_string(c.rv32->muldiv);
    // Only when not the default, so that the configs written before the key hash as they did.
    if (c.rv32->core != Rv32Core::pipelined) j["rv32"]["core"] = to_string(c.rv32->core);
    j["rv32"]["rvfi"] = c.rv32->rvfi;
  }
  if (c.gelu) {
    std::vector<std::string> types, forms;
    for (auto t : c.gelu->types) types.push_back(to_string(t));
    for (auto f : c.gelu->forms) forms.push_back(to_string(f));
    j["gelu"]["types"] = types;
    j["gelu"]["forms"] = forms;
    if (c.gelu->has(GeluType::int16)) {
      j["gelu"]["segments"] = c.gelu->segments;
      j["gelu"]["degree"] = c.gelu->degree;
    }
  }
  if (c.softmax) {
    j["softmax"]["algorithms"] = names_of(c.softmax->algorithms);
    j["softmax"]["max_length"] = c.softmax->max_length;
    j["softmax"]["in_types"] = names_of(c.softmax->in_types);
    j["softmax"]["out_types"] = names_of(c.softmax->out_types);
  }
  if (c.uart) j["uart"]["baud"] = c.uart->baud;
  j["synth"]["clock_mhz"] = c.synth.clock_mhz;
  return j;
}

std::string to_yaml(const SocConfig& c) {
  std::vector<std::string_view> formats;
  for (auto f : c.au.formats) formats.push_back(golden::info(f).name);
  std::string nn;
  if (c.nn) {
    nn = fmt::format("nn:\n  pes: {}\n  aus_per_pe: {}\n  act_words: {}\n  weight_words: {}\n  ctrl_words: {}\n  weight_memory: {}\n  residual_add: {}\n",
                     c.nn->pes, c.nn->aus_per_pe, c.nn->act_words, c.nn->weight_words, c.nn->ctrl_words, to_string(c.nn->weight_memory),
                     c.nn->residual_add);
    if (const auto ops = nn_ops(c); ops != default_nn_ops(c)) {
      std::vector<std::string> names;
      for (auto k : ops) names.push_back(nn_op_name(k));
      nn += fmt::format("  ops: [{}]\n", fmt::join(names, ", "));
    }
    if (c.nn->counter_bits != 32) nn += fmt::format("  counter_bits: {}\n", c.nn->counter_bits);
  }
  std::string rv32;
  if (c.rv32) {
    rv32 = fmt::format("rv32:\n  isa: {}\n  reset_vector: {}\n  imem_bytes: {}\n  dmem_bytes: {}\n  imem_memory: {}\n  dmem_memory: {}\n",
                       to_string(c.rv32->isa), c.rv32->reset_vector, c.rv32->imem_bytes, c.rv32->dmem_bytes, to_string(c.rv32->imem_memory),
                       to_string(c.rv32->dmem_memory));
    if (c.rv32->isa == Rv32Isa::rv32im) rv32 += fmt::format("  muldiv: {}\n", to_string(c.rv32->muldiv));
    if (c.rv32->core != Rv32Core::pipelined) rv32 += fmt::format("  core: {}\n", to_string(c.rv32->core));
    rv32 += fmt::format("  rvfi: {}\n", c.rv32->rvfi);
  }
  std::string gelu;
  if (c.gelu) {
    std::vector<std::string> types, forms;
    for (auto t : c.gelu->types) types.push_back(to_string(t));
    for (auto f : c.gelu->forms) forms.push_back(to_string(f));
    gelu = fmt::format("gelu:\n  types: [{}]\n  forms: [{}]\n", fmt::join(types, ", "), fmt::join(forms, ", "));
    if (c.gelu->has(GeluType::int16)) gelu += fmt::format("  segments: {}\n  degree: {}\n", c.gelu->segments, c.gelu->degree);
  }
  std::string sm;
  if (c.softmax)
    sm = fmt::format("softmax:\n  algorithms: [{}]\n  max_length: {}\n  in_types: [{}]\n  out_types: [{}]\n", fmt::join(names_of(c.softmax->algorithms), ", "),
                     c.softmax->max_length, fmt::join(names_of(c.softmax->in_types), ", "), fmt::join(names_of(c.softmax->out_types), ", "));
  return fmt::format(
      "name: {}\nau:\n  formats: [{}]\n  max_accumulations: {}\n  pipeline_stages: {}\n  share: {}\n  isolate: {}\n  multipliers: {}\n"
      "{}{}{}{}{}synth:\n  clock_mhz: {}\n",
      c.name, fmt::join(formats, ", "), c.au.max_accumulations, c.au.pipeline_stages, c.au.share, c.au.isolate, to_string(c.au.multipliers),
      nn, rv32, sm, gelu, c.uart ? fmt::format("uart:\n  baud: {}\n", c.uart->baud) : "", c.synth.clock_mhz);
}

std::string config_hash(const SocConfig& c) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : to_json(c).dump()) {
    h ^= ch;
    h *= 0x100000001b3ull;
  }
  return fmt::format("{:016x}", h);
}

std::string to_string(Multipliers m) { return m == Multipliers::dsp ? "dsp" : "lut"; }
std::string to_string(WeightMemory m) { return m == WeightMemory::bram ? "bram" : "ice40_spram"; }
std::string to_string(Rv32Isa i) { return i == Rv32Isa::rv32i ? "rv32i" : "rv32im"; }
std::string to_string(Rv32Memory m) { return m == Rv32Memory::bram ? "bram" : "ice40_spram"; }
std::string to_string(Rv32MulDiv m) { return m == Rv32MulDiv::fast ? "fast" : "small"; }
std::string to_string(Rv32Core k) { return k == Rv32Core::pipelined ? "pipelined" : "compact"; }
std::string to_string(GeluType t) { return t == GeluType::int8 ? "int8" : "int16"; }
std::string to_string(golden::gelu::Form f) { return f == golden::gelu::Form::erf ? "erf" : "tanh"; }

golden::AuSpec au_spec(const SocConfig& c) { return {c.au.formats, c.au.max_accumulations, c.au.pipeline_stages}; }

}  // namespace strata
