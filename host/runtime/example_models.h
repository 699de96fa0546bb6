// Example models with random weights, for trying the engine and for tests:
// the PulseDL-style 1-D CNN that extracts a detector pulse's time and
// energy from its digitised samples.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "golden/nn.h"

namespace strata::runtime {

// input [samples, 1] -> 4 x (conv1d + ReLU, max-pool 2 after the first
// three) -> global average pool -> dense 2 (time, energy). Weights are
// uniform int8 from `seed`; scales are chosen so that every layer's output
// spreads over the int8 range.
golden::nn::Model pulse_cnn(std::uint64_t seed, int samples = 256);
// The same network with XR-NPE's layer-adaptive precision: a posit8 input,
// conv1 and pool1 in posit8, conv2 from posit8 to int8, the rest int8.
golden::nn::Model pulse_cnn_mixed(std::uint64_t seed, int samples = 256);
// The same network with its input, conv1 and pool1 in posit(16,1) and conv2
// from posit16 to int8 (needs posit16_1 in au.formats: gen/configs/nn_formats.yaml).
golden::nn::Model pulse_cnn_posit16(std::uint64_t seed, int samples = 128);  // 128: a posit16 tensor takes a word per channel
// The same with fp4 (E2M1) and with posit(4,1) first layers: input, conv1
// and pool1 in the 4-bit format, conv2 from it to int8 (needs fp4 or
// posit4_1 in au.formats: gen/configs/nn_formats4.yaml).
golden::nn::Model pulse_cnn_fp4(std::uint64_t seed, int samples = 256);
golden::nn::Model pulse_cnn_posit4(std::uint64_t seed, int samples = 256);

// An attention-style block on [16, 8]: scores = x W (a pointwise conv1d,
// 16 keys), softmax over the keys of each position, the probabilities times
// a value matrix (a pointwise conv1d back to 8 channels), GELU, dense 2. It
// needs an engine with the softmax and GELU units (gen/configs/nn_units.yaml).
golden::nn::Model attention_block(std::uint64_t seed);

std::vector<std::string> example_model_names();
golden::nn::Model example_model(const std::string& name, std::uint64_t seed);

}  // namespace strata::runtime
