#include "runtime/example_models.h"

#include <cmath>
#include <random>
#include <stdexcept>

#include "golden/number_format.h"

namespace strata::runtime {

namespace gn = golden::nn;

namespace {

class Builder {
 public:
  Builder(std::uint64_t seed, gn::Model& m) : rng_(seed), m_(m) {}

  void conv(const std::string& name, int filters, int kernel, gn::Padding pad, golden::Format out = golden::Format::int8,
            gn::Activation act = gn::Activation::relu) {
    gn::Layer l = base(name, gn::LayerKind::conv1d);
    l.kernel = kernel;
    l.padding = pad;
    l.out_channels = filters;
    if (format_ != golden::Format::int8) posit_weights(l, kernel * channels_, out);
    else weights(l, kernel * channels_, act);
    if (pad == gn::Padding::valid) length_ -= kernel - 1;
    channels_ = filters;
    push(l);
  }
  void max_pool(const std::string& name, int k) {
    gn::Layer l = base(name, gn::LayerKind::max_pool);
    l.kernel = l.stride = k;
    l.output_quant = q_;
    l.output_format = format_;  // pools keep their input's format
    length_ /= k;
    push(l);
  }
  void global_avg_pool(const std::string& name) {
    gn::Layer l = base(name, gn::LayerKind::global_avg_pool);
    l.output_quant = q_;
    length_ = 1;
    push(l);
  }
  void dense(const std::string& name, int units) {
    gn::Layer l = base(name, gn::LayerKind::dense);
    l.out_channels = units;
    weights(l, length_ * channels_, gn::Activation::none);
    length_ = 1;
    channels_ = units;
    push(l);
  }
  // Softmax over the channels of each position: TFLite's int8 output.
  void softmax(const std::string& name) {
    gn::Layer l = base(name, gn::LayerKind::softmax);
    l.output_quant = gn::kSoftmaxOutputQuant;
    push(l);
  }
  // GELU keeps the input's scale; its output is at least -0.17, so the zero
  // point sits low.
  void gelu(const std::string& name) {
    gn::Layer l = base(name, gn::LayerKind::gelu);
    l.output_quant = {q_.scale, -110};
    push(l);
  }
  void input(int length, int channels, golden::Format f = golden::Format::int8) {
    length_ = length;
    channels_ = channels;
    q_ = {1.0f / 64.0f, -100};  // pulses are mostly baseline with a positive peak
    format_ = f;
    m_.input = "samples";
    m_.input_length = length;
    m_.input_channels = channels;
    m_.input_format = f;
    if (f == golden::Format::int8) m_.input_quant = q_;
    tensor_ = "samples";
  }
  void finish() { m_.outputs = {tensor_}; }

 private:
  gn::Layer base(const std::string& name, gn::LayerKind k) {
    gn::Layer l;
    l.name = name;
    l.kind = k;
    l.inputs = {tensor_};
    l.output = name;
    return l;
  }
  // Uniform int8 weights; the output scale puts about one standard
  // deviation of the result at 40 LSB.
  void weights(gn::Layer& l, int fan_in, gn::Activation act = gn::Activation::relu) {
    std::uniform_int_distribution<int> w(-127, 127);
    const int count = l.out_channels * fan_in;
    for (int i = 0; i < count; ++i) l.weights.push_back(static_cast<std::int8_t>(w(rng_)));
    std::uniform_real_distribution<float> s(0.8f, 1.25f);
    const float w_scale = 1.0f / 128.0f;
    for (int c = 0; c < l.out_channels; ++c) {
      l.weight_scales.push_back(w_scale * s(rng_));
      l.bias.push_back(std::uniform_int_distribution<int>(-2000, 2000)(rng_));
    }
    const float y_std = q_.scale * w_scale * std::sqrt(static_cast<float>(fan_in)) * 40.0f * 73.0f;
    l.activation = act;
    l.output_quant = {y_std / 40.0f, act == gn::Activation::relu ? -128 : 0};
  }
  // AU-format weights (the input's format: fp4, posit4, posit8 or posit16): reals uniform in
  // +-1/sqrt(fan_in) rounded to the format, so that a layer keeps its
  // input's magnitude (about 1); small biases. An int8 output puts about
  // one standard deviation at 40 LSB.
  void posit_weights(gn::Layer& l, int fan_in, golden::Format out) {
    const auto pf = golden::NumberFormat::parse(std::string(golden::info(format_).name));
    const double a = 1.0 / std::sqrt(static_cast<double>(fan_in));
    std::uniform_real_distribution<double> w(-a, a), b(-0.25, 0.25);
    const int bits = pf.bits();
    auto code = [&](double x) {
      const auto u = static_cast<std::int32_t>(pf.encode(mpq_class(x)));
      return static_cast<gn::Code>(u >= (1 << (bits - 1)) ? u - (1 << bits) : u);  // the signed code
    };
    for (int i = 0; i < l.out_channels * fan_in; ++i) l.weights.push_back(code(w(rng_)));
    for (int c = 0; c < l.out_channels; ++c) l.bias.push_back(code(b(rng_)));
    l.activation = gn::Activation::relu;
    l.output_format = out;
    if (out == golden::Format::int8) l.output_quant = {static_cast<float>(a * std::sqrt(fan_in / 3.0) / 40.0), -128};
  }
  void push(gn::Layer& l) {
    format_ = l.output_format;
    q_ = l.output_quant;
    tensor_ = l.output;
    m_.layers.push_back(std::move(l));
  }

  std::mt19937_64 rng_;
  gn::Model& m_;
  gn::QuantParams q_;
  std::string tensor_;
  golden::Format format_ = golden::Format::int8;
  int length_ = 0, channels_ = 0;
};

// The PulseDL-style network; with `early` a posit format, its input, conv1
// and pool1 run in that format and conv2 converts to int8.
gn::Model pulse_network(const std::string& name, std::uint64_t seed, int samples, golden::Format early) {
  if (samples < 32 || samples > 4096) throw std::invalid_argument(name + ": samples must be 32..4096");
  gn::Model m;
  m.name = name;
  Builder b(seed, m);
  b.input(samples, 1, early);
  b.conv("conv1", 8, 5, gn::Padding::same, early);
  b.max_pool("pool1", 2);
  b.conv("conv2", 16, 5, gn::Padding::same);
  b.max_pool("pool2", 2);
  b.conv("conv3", 16, 3, gn::Padding::same);
  b.max_pool("pool3", 2);
  b.conv("conv4", 16, 3, gn::Padding::same);
  b.global_avg_pool("gap");
  b.dense("time_energy", 2);
  b.finish();
  return m;
}

}  // namespace

gn::Model attention_block(std::uint64_t seed) {
  gn::Model m;
  m.name = "attention_block";
  Builder b(seed, m);
  b.input(16, 8);
  b.conv("scores", 16, 1, gn::Padding::valid, golden::Format::int8, gn::Activation::none);
  b.softmax("attention");
  b.conv("mix", 8, 1, gn::Padding::valid, golden::Format::int8, gn::Activation::none);
  b.gelu("act");
  b.dense("out", 2);
  b.finish();
  return m;
}

gn::Model pulse_cnn(std::uint64_t seed, int samples) { return pulse_network("pulse_cnn", seed, samples, golden::Format::int8); }

gn::Model pulse_cnn_mixed(std::uint64_t seed, int samples) { return pulse_network("pulse_cnn_mixed", seed, samples, golden::Format::posit8_0); }

gn::Model pulse_cnn_posit16(std::uint64_t seed, int samples) { return pulse_network("pulse_cnn_posit16", seed, samples, golden::Format::posit16_1); }

gn::Model pulse_cnn_fp4(std::uint64_t seed, int samples) { return pulse_network("pulse_cnn_fp4", seed, samples, golden::Format::fp4); }

gn::Model pulse_cnn_posit4(std::uint64_t seed, int samples) { return pulse_network("pulse_cnn_posit4", seed, samples, golden::Format::posit4_1); }

std::vector<std::string> example_model_names() {
  return {"pulse_cnn", "pulse_cnn_mixed", "pulse_cnn_posit16", "pulse_cnn_fp4", "pulse_cnn_posit4", "attention_block"};
}

gn::Model example_model(const std::string& name, std::uint64_t seed) {
  if (name == "pulse_cnn") return pulse_cnn(seed);
  if (name == "pulse_cnn_mixed") return pulse_cnn_mixed(seed);
  if (name == "pulse_cnn_posit16") return pulse_cnn_posit16(seed);
  if (name == "pulse_cnn_fp4") return pulse_cnn_fp4(seed);
  if (name == "pulse_cnn_posit4") return pulse_cnn_posit4(seed);
  if (name == "attention_block") return attention_block(seed);
  throw std::invalid_argument("unknown example model '" + name + "'; allowed: pulse_cnn, pulse_cnn_mixed, pulse_cnn_posit16, pulse_cnn_fp4, pulse_cnn_posit4, attention_block");
}

}  // namespace strata::runtime
