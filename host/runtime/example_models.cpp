#include "runtime/example_models.h"

#include <cmath>
#include <random>
#include <stdexcept>

namespace strata::runtime {

namespace gn = golden::nn;

namespace {

class Builder {
 public:
  Builder(std::uint64_t seed, gn::Model& m) : rng_(seed), m_(m) {}

  void conv(const std::string& name, int filters, int kernel, gn::Padding pad) {
    gn::Layer l = base(name, gn::LayerKind::conv1d);
    l.kernel = kernel;
    l.padding = pad;
    l.out_channels = filters;
    weights(l, kernel * channels_);
    if (pad == gn::Padding::valid) length_ -= kernel - 1;
    channels_ = filters;
    push(l);
  }
  void max_pool(const std::string& name, int k) {
    gn::Layer l = base(name, gn::LayerKind::max_pool);
    l.kernel = l.stride = k;
    l.output_quant = q_;
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
  void input(int length, int channels) {
    length_ = length;
    channels_ = channels;
    q_ = {1.0f / 64.0f, -100};  // pulses are mostly baseline with a positive peak
    m_.input = "samples";
    m_.input_length = length;
    m_.input_channels = channels;
    m_.input_quant = q_;
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
  void push(gn::Layer& l) {
    q_ = l.output_quant;
    tensor_ = l.output;
    m_.layers.push_back(std::move(l));
  }

  std::mt19937_64 rng_;
  gn::Model& m_;
  gn::QuantParams q_;
  std::string tensor_;
  int length_ = 0, channels_ = 0;
};

}  // namespace

gn::Model pulse_cnn(std::uint64_t seed, int samples) {
  if (samples < 32 || samples > 4096) throw std::invalid_argument("pulse_cnn: samples must be 32..4096");
  gn::Model m;
  m.name = "pulse_cnn";
  Builder b(seed, m);
  b.input(samples, 1);
  b.conv("conv1", 8, 5, gn::Padding::same);
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

std::vector<std::string> example_model_names() { return {"pulse_cnn"}; }

gn::Model example_model(const std::string& name, std::uint64_t seed) {
  if (name == "pulse_cnn") return pulse_cnn(seed);
  throw std::invalid_argument("unknown example model '" + name + "'; allowed: pulse_cnn");
}

}  // namespace strata::runtime
