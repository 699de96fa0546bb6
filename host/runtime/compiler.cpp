#include "runtime/compiler.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <limits>

#include "golden/gelu.h"
#include "golden/number_format.h"
#include "golden/softmax.h"
#include "nn/nn_map.h"

namespace strata::runtime {

namespace gn = golden::nn;

namespace {

int ceil_div(int a, int b) { return (a + b - 1) / b; }

std::string kind_name(gn::LayerKind k) {
  switch (k) {
    case gn::LayerKind::conv1d: return "conv1d";
    case gn::LayerKind::depthwise_conv1d: return "depthwise_conv1d";
    case gn::LayerKind::dense: return "dense";
    case gn::LayerKind::max_pool: return "max_pool";
    case gn::LayerKind::avg_pool: return "avg_pool";
    case gn::LayerKind::global_avg_pool: return "global_avg_pool";
    case gn::LayerKind::add: return "add";
    case gn::LayerKind::gelu: return "gelu";
    case gn::LayerKind::softmax: return "softmax";
  }
  return "?";
}

// First-fit placement of tensors in the activation memory; a tensor's words
// are free again after its last reader has run.
class ActAllocator {
 public:
  explicit ActAllocator(int words) : words_(words) {}
  int place(const std::string& name, int size, const std::string& layer) {
    std::sort(live_.begin(), live_.end(), [](const Live& a, const Live& b) { return a.base < b.base; });
    int at = 0;
    for (const auto& l : live_) {
      if (l.base - at >= size) break;
      at = std::max(at, l.base + l.size);
    }
    if (at + size > words_)
      throw CompileError(fmt::format("layer '{}': tensor '{}' ({} words) does not fit in the activation memory ({} words live of nn.act_words = {})",
                                     layer, name, size, used(), words_));
    live_.push_back({name, at, size});
    high_ = std::max(high_, at + size);
    return at;
  }
  void release(const std::string& name) {
    live_.erase(std::remove_if(live_.begin(), live_.end(), [&](const Live& l) { return l.name == name; }), live_.end());
  }
  int high_water() const { return high_; }

 private:
  struct Live {
    std::string name;
    int base, size;
  };
  int used() const {
    int u = 0;
    for (const auto& l : live_) u += l.size;
    return u;
  }
  int words_;
  int high_ = 0;
  std::vector<Live> live_;
};

// The loop nest of one multiply-accumulate layer on the engine.
struct MacPlan {
  int kernel = 1, stride = 1, dilation = 1, pad_left = 0, out_len = 0;
  int in_pairs = 0, grp_pairs = 0, grp_channels = 0, groups = 0;
  int in_ch = 0, out_ch = 0;
};

}  // namespace

int channels_per_word(golden::Format f) { return golden::kOperandBits / golden::info(f).lane_bits; }

std::vector<std::uint16_t> pack_tensor(const gn::Tensor& t, golden::Format f) {
  const int per = channels_per_word(f), bits = golden::info(f).lane_bits;
  const unsigned mask = (1u << bits) - 1;
  const int row = ceil_div(t.channels, per);
  std::vector<std::uint16_t> w(static_cast<std::size_t>(t.length * row), 0);
  for (int l = 0; l < t.length; ++l)
    for (int c = 0; c < t.channels; ++c) {
      auto& word = w[static_cast<std::size_t>(l * row + c / per)];
      word = static_cast<std::uint16_t>(word | ((static_cast<unsigned>(t.at(l, c)) & mask) << (bits * (c % per))));
    }
  return w;
}

gn::Tensor unpack_tensor(const std::vector<std::uint16_t>& words, const Placement& p) {
  const int per = channels_per_word(p.format), bits = golden::info(p.format).lane_bits;
  gn::Tensor t;
  t.length = p.length;
  t.channels = p.channels;
  t.data.resize(static_cast<std::size_t>(p.length * p.channels));
  for (int l = 0; l < p.length; ++l)
    for (int c = 0; c < p.channels; ++c) {
      const unsigned u = (static_cast<unsigned>(words.at(static_cast<std::size_t>(l * p.row + c / per))) >> (bits * (c % per))) & ((1u << bits) - 1);
      const int v = u >= (1u << (bits - 1)) ? static_cast<int>(u) - (1 << bits) : static_cast<int>(u);  // sign-extended code
      t.data[static_cast<std::size_t>(l * p.channels + c)] = static_cast<gn::Code>(v);
    }
  return t;
}

Program compile(const SocConfig& c, const gn::Model& m) {
  if (!c.nn) throw CompileError(fmt::format("config '{}' has no nn section: it builds no network engine", c.name));
  const NnConfig& n = *c.nn;
  const int G = n.channels();
  const auto quants = gn::tensor_quants(m);
  const auto formats = gn::tensor_formats(m);
  const auto engine_formats = nn::layer_formats(c);
  const auto format_name = [](golden::Format f) { return std::string(golden::info(f).name); };
  for (const auto& [tensor, f] : formats)
    if (std::find(engine_formats.begin(), engine_formats.end(), f) == engine_formats.end()) {
      std::vector<std::string> names;
      for (golden::Format e : engine_formats) names.push_back(format_name(e));
      throw CompileError(fmt::format("tensor '{}' is {}, which config '{}' cannot run: its engine takes {} ({} layers need {} in au.formats)",
                                     tensor, format_name(f), c.name, fmt::join(names, ", "), format_name(f), format_name(f)));
    }
  // AU-format layers end every dot product with a bias beat: activation 1.0
  // in lane 0, weight the bias (lane 0).
  const auto one_code = [](golden::Format f) {
    return static_cast<std::uint16_t>(golden::NumberFormat::parse(std::string(golden::info(f).name)).encode(1));
  };

  Program prog;
  prog.weights.assign(static_cast<std::size_t>(G), {});

  // Last reader of every tensor; model outputs stay live to the end.
  std::map<std::string, std::size_t> last_use;
  for (std::size_t i = 0; i < m.layers.size(); ++i)
    for (const auto& in : m.layers[i].inputs) last_use[in] = i;
  for (const auto& o : m.outputs) last_use[o] = m.layers.size();

  ActAllocator act(n.act_words);
  auto place = [&](const std::string& name, int length, int channels, const std::string& layer) {
    const golden::Format f = formats.at(name);
    Placement p{0, length, channels, ceil_div(channels, channels_per_word(f)), f};
    p.base = act.place(name, p.words(), layer);
    prog.tensors[name] = p;
  };
  place(m.input, m.input_length, m.input_channels, "input");

  // Control memory: the network's descriptor list, then one list per
  // layer, then the parameters.
  const int descs = static_cast<int>(m.layers.size());
  const int per_layer_base = (descs + 1) * nn::kDescriptorWords;
  int param_ptr = per_layer_base + descs * 2 * nn::kDescriptorWords;
  std::vector<std::uint32_t> ctrl(static_cast<std::size_t>(param_ptr), 0);
  int w_ptr = 0;

  // The fields every descriptor has: the input window and the output rows.
  auto set_window = [](std::vector<std::uint32_t>& d, const Placement& in, const Placement& out, int kernel, int stride, int dilation, int pad_left,
                       int in_pairs, gn::ActRange range) {
    nn::set_field(d, "in_len", in.length);
    nn::set_field(d, "in_row", in.row);
    nn::set_field(d, "in_start", static_cast<std::int64_t>(in.base) - static_cast<std::int64_t>(pad_left) * in.row);
    nn::set_field(d, "kernel", kernel);
    nn::set_field(d, "pad_left", pad_left);
    nn::set_field(d, "in_pairs", in_pairs);
    nn::set_field(d, "stride", stride);
    nn::set_field(d, "dilation", dilation);
    nn::set_field(d, "pos_stride", static_cast<std::int64_t>(stride) * in.row);
    nn::set_field(d, "tap_stride", static_cast<std::int64_t>(dilation) * in.row);
    nn::set_field(d, "out_base", out.base);
    nn::set_field(d, "out_len", out.length);
    nn::set_field(d, "out_row", out.row);
    nn::set_field(d, "out_channels", out.channels);
    if (in.format == golden::Format::posit16_1 && out.format == golden::Format::posit16_1) {
      // A posit16 clamp: [{act_min, 0x00}, {act_max, out_zp}] (the low byte
      // of every bound's minimum is 0; out_zp has no other use).
      if ((range.min & 0xff) != 0) throw std::out_of_range(fmt::format("posit16 clamp minimum {} has a nonzero low byte", range.min));
      nn::set_field(d, "act_min", range.min >> 8);
      nn::set_field(d, "act_max", range.max >> 8);
      nn::set_field(d, "out_zp", static_cast<std::int8_t>(static_cast<std::uint8_t>(range.max & 0xff)));
      return;
    }
    nn::set_field(d, "act_min", range.min);
    nn::set_field(d, "act_max", range.max);
  };

  auto write_desc = [&](std::size_t li, const std::vector<std::uint32_t>& d) {
    std::copy(d.begin(), d.end(), ctrl.begin() + static_cast<std::ptrdiff_t>(li) * nn::kDescriptorWords);
    const int own = per_layer_base + static_cast<int>(li) * 2 * nn::kDescriptorWords;
    std::copy(d.begin(), d.end(), ctrl.begin() + own);  // followed by an all-zero (end) descriptor
    return static_cast<std::uint32_t>(own);
  };

  // A compiled layer: its descriptor list and the MACs its arithmetic needs.
  auto push_layer = [&](const gn::Layer& l, std::size_t li, const std::vector<std::uint32_t>& d, std::uint64_t macs) {
    CompiledLayer cl;
    cl.name = l.name;
    cl.output = l.output;
    cl.desc_addr = write_desc(li, d);
    cl.descriptors = 1;
    cl.macs = macs;
    prog.layers.push_back(cl);
  };

  // A pool reads one word (two channels) per tap; its output keeps the
  // input's quantization, clamped to the fused activation's range.
  auto compile_pool = [&](const gn::Layer& l, std::size_t li, const Placement& in, gn::QuantParams q, golden::Format f) {
    const bool global = l.kind == gn::LayerKind::global_avg_pool;
    if (f != golden::Format::int8 && l.kind != gn::LayerKind::max_pool)
      throw CompileError(fmt::format("layer '{}': {} takes int8 input only, its input is {}", l.name, kind_name(l.kind), format_name(f)));
    const int kernel = global ? in.length : l.kernel, stride = global ? 1 : l.stride;
    const gn::Window w = gn::window(in.length, kernel, stride, 1, global ? gn::Padding::valid : l.padding);
    place(l.output, w.out_length, in.channels, l.name);
    const Placement out = prog.tensors.at(l.output);
    for (const auto& i : l.inputs)
      if (last_use.at(i) == li) act.release(i);
    gn::ActRange range = f == golden::Format::int8 ? gn::activation_range(l.activation, q) : gn::au_activation_range(f, l.activation);
    if (f == golden::Format::fp4)  // an fp4 max pool clamps order keys (none: -7..7, relu: 0..7)
      range = {range.min < 0 ? -7 : gn::fp4_order_key(range.min), gn::fp4_order_key(range.max)};
    std::vector<std::uint32_t> d(nn::kDescriptorWords, 0);
    try {
      nn::set_field(d, "op", static_cast<std::int64_t>(l.kind == gn::LayerKind::max_pool ? nn::Op::max_pool : nn::Op::avg_pool));
      nn::set_field(d, "fmt", static_cast<std::int64_t>(f));
      set_window(d, in, out, kernel, stride, 1, w.pad_left, in.row, range);
    } catch (const std::out_of_range& e) {
      throw CompileError(fmt::format("layer '{}': {}", l.name, e.what()));
    }
    push_layer(l, li, d, 0);
  };

  // An add: the two inputs word by word. The parameters hold AU 0's output
  // rescaling (the other AUs' are unused), then the tables T1 and T2 of each
  // input code's rescaled value, indexed by code + 128.
  auto compile_add = [&](const gn::Layer& l, std::size_t li) {
    if (!n.residual_add)
      throw CompileError(fmt::format("layer '{}': add layers need the engine's add unit, which config '{}' leaves out (nn.residual_add: false)", l.name,
                                     c.name));
    for (const auto& i : l.inputs)
      if (formats.at(i) != golden::Format::int8)
        throw CompileError(fmt::format("layer '{}': add takes int8 input only, its input '{}' is {}", l.name, i, format_name(formats.at(i))));
    const Placement a = prog.tensors.at(l.inputs.at(0)), b = prog.tensors.at(l.inputs.at(1));
    const gn::QuantParams a_q = quants.at(l.inputs[0]), b_q = quants.at(l.inputs[1]), out_q = quants.at(l.output);
    const gn::AddParams ap = gn::add_params(a_q, b_q, out_q);
    if (ap.output.shift < -31 || ap.output.shift > 30)
      throw CompileError(fmt::format("layer '{}': output rescale shift {} outside -31..30", l.name, ap.output.shift));
    const int param_base = param_ptr;
    for (int au = 0; au < G; ++au) {
      ctrl.push_back(0);
      ctrl.push_back(au == 0 ? static_cast<std::uint32_t>(ap.output.multiplier) : 0);
      ctrl.push_back(au == 0 ? static_cast<std::uint32_t>(ap.output.shift) : 0);
    }
    for (const auto& [q, zp] : {std::pair{ap.input1, a_q.zero_point}, std::pair{ap.input2, b_q.zero_point}})
      for (int code = -128; code <= 127; ++code)
        ctrl.push_back(static_cast<std::uint32_t>(gn::multiply_by_quantized_multiplier((code - zp) * (1 << ap.left_shift), q)));
    param_ptr = static_cast<int>(ctrl.size());
    if (param_ptr > n.ctrl_words)
      throw CompileError(fmt::format("layer '{}': descriptors and parameters (an add's two 256-word tables among them) need {} control words; "
                                     "nn.ctrl_words = {}",
                                     l.name, param_ptr, n.ctrl_words));
    place(l.output, a.length, a.channels, l.name);
    const Placement out = prog.tensors.at(l.output);
    for (const auto& i : l.inputs)
      if (last_use.at(i) == li) act.release(i);
    std::vector<std::uint32_t> d(nn::kDescriptorWords, 0);
    try {
      nn::set_field(d, "op", static_cast<std::int64_t>(nn::Op::add));
      nn::set_field(d, "fmt", static_cast<std::int64_t>(golden::Format::int8));
      nn::set_field(d, "in_start", a.base);
      nn::set_field(d, "in2_base", b.base);
      nn::set_field(d, "out_base", out.base);
      nn::set_field(d, "out_len", out.words());
      nn::set_field(d, "param_base", param_base);
      nn::set_field(d, "out_zp", out_q.zero_point);
      const gn::ActRange range = gn::activation_range(l.activation, out_q);
      nn::set_field(d, "act_min", range.min);
      nn::set_field(d, "act_max", range.max);
    } catch (const std::out_of_range& e) {
      throw CompileError(fmt::format("layer '{}': {}", l.name, e.what()));
    }
    push_layer(l, li, d, 0);
  };

  // The fields of a unit layer (gelu, softmax): every channel of every
  // position of `in` through the unit, into the same place of `out`.
  auto set_unit_stream = [](std::vector<std::uint32_t>& d, nn::Op op, const Placement& in, const Placement& out) {
    nn::set_field(d, "op", static_cast<std::int64_t>(op));
    nn::set_field(d, "fmt", static_cast<std::int64_t>(golden::Format::int8));
    nn::set_field(d, "in_len", in.length);
    nn::set_field(d, "in_row", in.row);
    nn::set_field(d, "in_start", in.base);
    nn::set_field(d, "out_base", out.base);
    nn::set_field(d, "out_len", out.length);
    nn::set_field(d, "out_row", out.row);
    nn::set_field(d, "out_channels", out.channels);
    nn::set_field(d, "unit_ch", in.channels);
  };

  // A gelu layer: the unit's 256-entry table for the layer's quantization
  // and form (golden::gelu::int8_table), packed four entries per control
  // word, then every element through the unit.
  auto compile_gelu = [&](const gn::Layer& l, std::size_t li) {
    if (!c.gelu || !c.gelu->has(GeluType::int8))
      throw CompileError(fmt::format("layer '{}': gelu layers need the engine's GELU unit, which config '{}' leaves out (no gelu section with int8 in gelu.types)",
                                     l.name, c.name));
    const std::string& x = l.inputs.at(0);
    if (formats.at(x) != golden::Format::int8)
      throw CompileError(fmt::format("layer '{}': gelu takes int8 input only, its input '{}' is {}", l.name, x, format_name(formats.at(x))));
    const Placement in = prog.tensors.at(x);
    const gn::QuantParams in_q = quants.at(x), out_q = quants.at(l.output);
    const auto table = golden::gelu::int8_table({in_q.scale, in_q.zero_point, out_q.scale, out_q.zero_point}, l.gelu_form);
    const int param_base = param_ptr;
    for (int w = 0; w < 64; ++w) {
      std::uint32_t word = 0;
      for (int b = 0; b < 4; ++b) word |= std::uint32_t{static_cast<std::uint8_t>(table[static_cast<std::size_t>(4 * w + b)])} << (8 * b);
      ctrl.push_back(word);
    }
    param_ptr = static_cast<int>(ctrl.size());
    if (param_ptr > n.ctrl_words)
      throw CompileError(fmt::format("layer '{}': descriptors and parameters (a gelu's 64-word table among them) need {} control words; nn.ctrl_words = {}",
                                     l.name, param_ptr, n.ctrl_words));
    place(l.output, in.length, in.channels, l.name);
    const Placement out = prog.tensors.at(l.output);
    if (last_use.at(x) == li) act.release(x);
    std::vector<std::uint32_t> d(nn::kDescriptorWords, 0);
    try {
      set_unit_stream(d, nn::Op::gelu, in, out);
      nn::set_field(d, "param_base", param_base);
    } catch (const std::out_of_range& e) {
      throw CompileError(fmt::format("layer '{}': {}", l.name, e.what()));
    }
    push_layer(l, li, d, 0);
  };

  // A softmax layer: one vector per position through the softmax unit, with
  // the scale (M, s) of the input's scale and the layer's algorithm.
  auto compile_softmax = [&](const gn::Layer& l, std::size_t li) {
    namespace sm = golden::softmax;
    if (!c.softmax)
      throw CompileError(fmt::format("layer '{}': softmax layers need the engine's softmax unit, which config '{}' leaves out (no softmax section)", l.name,
                                     c.name));
    const auto& algs = c.softmax->algorithms;
    if (std::find(algs.begin(), algs.end(), l.softmax_algorithm) == algs.end()) {
      std::vector<std::string> names;
      for (auto a : algs) names.emplace_back(sm::name(a));
      throw CompileError(fmt::format("layer '{}': softmax algorithm {} is not in config '{}''s softmax.algorithms ({})", l.name, sm::name(l.softmax_algorithm),
                                     c.name, fmt::join(names, ", ")));
    }
    const std::string& x = l.inputs.at(0);
    if (formats.at(x) != golden::Format::int8)
      throw CompileError(fmt::format("layer '{}': softmax takes int8 input only, its input '{}' is {}", l.name, x, format_name(formats.at(x))));
    const Placement in = prog.tensors.at(x);
    if (in.channels > c.softmax->max_length)
      throw CompileError(fmt::format("layer '{}': softmax over {} channels, longer than config '{}''s softmax.max_length = {}", l.name, in.channels, c.name,
                                     c.softmax->max_length));
    sm::Scale scale;
    try {
      scale = sm::scale_for(quants.at(x).scale);
    } catch (const std::invalid_argument& e) {
      throw CompileError(fmt::format("layer '{}': input scale {}: {}", l.name, quants.at(x).scale, e.what()));
    }
    place(l.output, in.length, in.channels, l.name);
    const Placement out = prog.tensors.at(l.output);
    if (last_use.at(x) == li) act.release(x);
    std::vector<std::uint32_t> d(nn::kDescriptorWords, 0);
    try {
      set_unit_stream(d, nn::Op::softmax, in, out);
      nn::set_field(d, "sm_mult", scale.mult);
      nn::set_field(d, "sm_shift", scale.shift);
      nn::set_field(d, "sm_alg", static_cast<std::int64_t>(l.softmax_algorithm));
    } catch (const std::out_of_range& e) {
      throw CompileError(fmt::format("layer '{}': {}", l.name, e.what()));
    }
    push_layer(l, li, d, 0);
  };

  for (std::size_t li = 0; li < m.layers.size(); ++li) {
    const gn::Layer& l = m.layers[li];
    // A layer operation left out of nn.ops (add, gelu and softmax have their
    // own messages below, naming the key or section that builds their unit).
    const bool unit_op = l.kind == gn::LayerKind::add || l.kind == gn::LayerKind::gelu || l.kind == gn::LayerKind::softmax;
    if (!unit_op && std::find(n.ops.begin(), n.ops.end(), l.kind) == n.ops.end()) {
      std::vector<std::string> names;
      for (auto k : nn_ops(c)) names.push_back(nn_op_name(k));
      throw CompileError(fmt::format("layer '{}': config '{}''s engine has no {} layers (nn.ops: [{}])", l.name, c.name, nn_op_name(l.kind),
                                     fmt::join(names, ", ")));
    }
    if (l.kind == gn::LayerKind::gelu) {
      compile_gelu(l, li);
      continue;
    }
    if (l.kind == gn::LayerKind::softmax) {
      compile_softmax(l, li);
      continue;
    }
    if (l.kind == gn::LayerKind::add) {
      compile_add(l, li);
      continue;
    }
    const Placement in = prog.tensors.at(l.inputs.at(0));
    if (l.kind == gn::LayerKind::max_pool || l.kind == gn::LayerKind::avg_pool || l.kind == gn::LayerKind::global_avg_pool) {
      compile_pool(l, li, in, quants.at(l.inputs[0]), formats.at(l.inputs[0]));
      continue;
    }
    const gn::QuantParams in_q = quants.at(l.inputs[0]);
    const gn::QuantParams out_q = quants.at(l.output);
    const golden::Format in_fmt = formats.at(l.inputs[0]);
    const bool posit_in = gn::is_au_format(in_fmt);
    const bool posit_out = gn::is_au_format(formats.at(l.output));
    const int per = channels_per_word(in_fmt), lane_bits = golden::info(in_fmt).lane_bits;
    MacPlan p;
    p.in_ch = in.channels;
    const int in_row = in.row;
    if (l.kind == gn::LayerKind::dense) {
      p.kernel = in.length;  // a dense layer on [L, C] is a conv1d with an L-tap valid window
      p.out_len = 1;
      p.out_ch = l.out_channels;
    } else {
      const gn::Window w = gn::window(in.length, l.kernel, l.stride, l.dilation, l.padding);
      p.kernel = l.kernel;
      p.stride = l.stride;
      p.dilation = l.dilation;
      p.pad_left = w.pad_left;
      p.out_len = w.out_length;
      p.out_ch = l.kind == gn::LayerKind::depthwise_conv1d ? in.channels : l.out_channels;
    }
    if (l.kind == gn::LayerKind::depthwise_conv1d && G >= per) {
      // Each group takes a multiple of the channels per word, so that its
      // channels are whole activation words.
      p.grp_channels = G - G % per;
      p.grp_pairs = p.grp_channels / per;
      p.in_pairs = p.grp_pairs;
    } else {
      p.grp_channels = G;
      p.grp_pairs = 0;
      p.in_pairs = in_row;
    }
    p.groups = ceil_div(p.out_ch, p.grp_channels);
    const int dp_beats = p.kernel * p.in_pairs;
    const int group_words = dp_beats + (posit_in ? 1 : 0);  // + the bias beat's weight
    if (static_cast<std::uint64_t>(group_words) > c.au.max_accumulations)
      throw CompileError(fmt::format("layer '{}': a dot product of {} beats ({} taps x {} channel pairs{}) exceeds au.max_accumulations = {}", l.name,
                                     group_words, p.kernel, p.in_pairs, posit_in ? " + the bias" : "", c.au.max_accumulations));

    auto weight = [&](int ch, int k, int ci) -> int {
      switch (l.kind) {
        case gn::LayerKind::depthwise_conv1d: return ci == ch ? l.weights[static_cast<std::size_t>(ch * p.kernel + k)] : 0;
        default: return l.weights[static_cast<std::size_t>((ch * p.kernel + k) * p.in_ch + ci)];  // conv1d [co][k][ci]; dense [co][l*C+ci]
      }
    };

    // Weights: group g, tap k, channel pair cp at w_base + g*group_words +
    // k*in_pairs + cp; a posit8 layer's bias after the taps.
    const int w_base = w_ptr;
    const int w_words = p.groups * group_words;
    if (w_base + w_words > n.weight_words)
      throw CompileError(fmt::format("layer '{}': needs {} weight words per AU after {} used by earlier layers; nn.weight_words = {}", l.name, w_words,
                                     w_base, n.weight_words));
    for (int a = 0; a < G; ++a) {
      auto& mem = prog.weights[static_cast<std::size_t>(a)];
      mem.resize(static_cast<std::size_t>(w_base + w_words), 0);
      for (int g = 0; g < p.groups; ++g) {
        const int ch = g * p.grp_channels + a;
        const bool live = a < p.grp_channels && ch < p.out_ch;
        for (int k = 0; k < p.kernel; ++k)
          for (int cp = 0; cp < p.in_pairs; ++cp) {
            std::uint16_t word = 0;
            for (int t = 0; t < per; ++t) {
              const int ci = per * (g * p.grp_pairs + cp) + t;
              const int v = live && ci < p.in_ch ? weight(ch, k, ci) : 0;
              word = static_cast<std::uint16_t>(word | ((static_cast<unsigned>(v) & ((1u << lane_bits) - 1)) << (lane_bits * t)));
            }
            mem[static_cast<std::size_t>(w_base + g * group_words + k * p.in_pairs + cp)] = word;
          }
        if (posit_in)
          mem[static_cast<std::size_t>(w_base + g * group_words + dp_beats)] =
              live ? static_cast<std::uint16_t>(static_cast<unsigned>(l.bias[static_cast<std::size_t>(ch)]) & ((1u << lane_bits) - 1)) : 0;
      }
    }
    w_ptr += w_words;

    // Parameters: per group, every AU's bias (input zero point folded in:
    // padded taps read the zero point), multiplier and shift. A posit8
    // layer's bias is in its dot product; an int8 output of it rescales
    // units of 2^-12.
    const int param_base = param_ptr;
    for (int g = 0; g < p.groups; ++g)
      for (int a = 0; a < G; ++a) {
        const int ch = g * p.grp_channels + a;
        std::int64_t bias = 0;
        gn::QuantizedMultiplier qm;
        if (a < p.grp_channels && ch < p.out_ch && posit_in) {
          if (!posit_out) qm = gn::au_multiplier(in_fmt, out_q);
          if (qm.shift < -31 || qm.shift > 30)
            throw CompileError(fmt::format("layer '{}': rescale shift {} outside -31..30", l.name, qm.shift));
        } else if (a < p.grp_channels && ch < p.out_ch) {
          std::int64_t wsum = 0;
          for (int k = 0; k < p.kernel; ++k)
            for (int ci = 0; ci < p.in_ch; ++ci) wsum += weight(ch, k, ci);
          bias = static_cast<std::int64_t>(l.bias[static_cast<std::size_t>(ch)]) - static_cast<std::int64_t>(in_q.zero_point) * wsum;
          if (bias < std::numeric_limits<std::int32_t>::min() || bias > std::numeric_limits<std::int32_t>::max())
            throw CompileError(fmt::format("layer '{}': channel {}: bias minus input zero point times the weight sum is {}, outside int32", l.name, ch, bias));
          qm = gn::conv_multiplier(in_q, l.weight_scales[static_cast<std::size_t>(ch)], out_q);
          if (qm.shift < -31 || qm.shift > 30)
            throw CompileError(fmt::format("layer '{}': channel {}: rescale shift {} outside -31..30", l.name, ch, qm.shift));
        }
        ctrl.push_back(static_cast<std::uint32_t>(static_cast<std::int32_t>(bias)));
        ctrl.push_back(static_cast<std::uint32_t>(qm.multiplier));
        ctrl.push_back(static_cast<std::uint32_t>(qm.shift));
      }
    param_ptr = static_cast<int>(ctrl.size());
    if (param_ptr > n.ctrl_words)
      throw CompileError(fmt::format("layer '{}': descriptors and parameters need {} control words; nn.ctrl_words = {}", l.name, param_ptr, n.ctrl_words));

    // The output is placed while the input is still live.
    place(l.output, p.out_len, p.out_ch, l.name);
    const Placement out = prog.tensors.at(l.output);
    for (const auto& i : l.inputs)
      if (last_use.at(i) == li) act.release(i);

    const gn::ActRange range = posit_out ? gn::au_activation_range(in_fmt, l.activation) : gn::activation_range(l.activation, out_q);
    std::vector<std::uint32_t> d(nn::kDescriptorWords, 0);
    try {
      nn::set_field(d, "op", static_cast<std::int64_t>(nn::Op::mac));
      nn::set_field(d, "fmt", static_cast<std::int64_t>(formats.at(l.inputs[0])));
      nn::set_field(d, "readout", posit_out ? 1 : 0);
      nn::set_field(d, "in_odd", per == 2 ? in.channels % 2 : 0);
      nn::set_field(d, "in_tail", per == 4 ? in.channels % 4 : 0);
      set_window(d, in, out, p.kernel, p.stride, p.dilation, p.pad_left, p.in_pairs, range);
      nn::set_field(d, "grp_pairs", p.grp_pairs);
      nn::set_field(d, "groups", p.groups);
      nn::set_field(d, "w_base", w_base);
      nn::set_field(d, "w_group_stride", group_words);
      nn::set_field(d, "param_base", param_base);
      nn::set_field(d, "pad_value", posit_in ? 0 : in_q.zero_point);  // code 0 is zero in every AU format
      if (!posit_out || in_fmt != golden::Format::posit16_1) nn::set_field(d, "out_zp", posit_out ? 0 : out_q.zero_point);  // else set_window's clamp byte
      nn::set_field(d, "grp_channels", p.grp_channels);
      nn::set_field(d, "bias_act", posit_in ? one_code(in_fmt) : 0);
    } catch (const std::out_of_range& e) {
      throw CompileError(fmt::format("layer '{}': {}", l.name, e.what()));
    }
    const int taps_ch = l.kind == gn::LayerKind::depthwise_conv1d ? 1 : p.in_ch;
    push_layer(l, li, d,
               static_cast<std::uint64_t>(p.out_len) * static_cast<std::uint64_t>(p.out_ch) * static_cast<std::uint64_t>(p.kernel) *
                   static_cast<std::uint64_t>(taps_ch));
  }
  prog.ctrl = std::move(ctrl);
  prog.network_desc = 0;
  prog.act_words_used = act.high_water();
  return prog;
}

}  // namespace strata::runtime
