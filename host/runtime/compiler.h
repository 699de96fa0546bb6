// The compiler from a model (golden::nn::Model) to a program of the network
// engine of one config: tensor placement in the activation memory, packed
// weights per AU, per-channel parameters and layer descriptors in the control
// memory (docs/blocks/nn.md, "Compiling a model").
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.h"
#include "golden/nn.h"

namespace strata::runtime {

// A model this engine cannot run (a layer kind it lacks, memory too small,
// a field too wide). what() names the layer, the limit and the config key.
class CompileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where a tensor lives: `length` positions of `row` 16-bit words from word
// `base` of the activation memory. An int8 or posit8 tensor has two channels
// per word (2i in bits 7:0, 2i+1 in 15:8), a posit16 tensor one, an fp4 or
// posit4_1 tensor four (4i + t in bits 4t+3:4t). Lanes past the last channel
// of a position hold whatever the memory held: the engine ignores them.
struct Placement {
  int base = 0, length = 0, channels = 0, row = 0;
  golden::Format format = golden::Format::int8;
  int words() const { return length * row; }
};

struct CompiledLayer {
  std::string name;
  std::string output;
  std::uint32_t desc_addr = 0;     // control-memory address of its descriptor list (ends with op 0)
  std::uint64_t macs = 0;          // multiply-accumulates the layer needs (its arithmetic, not the padding)
  int descriptors = 0;
};

struct Program {
  std::vector<std::uint32_t> ctrl;                 // control memory image from address 0
  std::vector<std::vector<std::uint16_t>> weights; // per AU (PE-major), from address 0
  std::map<std::string, Placement> tensors;
  std::vector<CompiledLayer> layers;
  std::uint32_t network_desc = 0;                  // descriptor list of the whole network
  int act_words_used = 0;
};

Program compile(const SocConfig& c, const golden::nn::Model& m);

// The activation-memory words of a tensor at a placement, and back.
// Channels per activation word of a tensor format (16 / its lane bits).
int channels_per_word(golden::Format f);
std::vector<std::uint16_t> pack_tensor(const golden::nn::Tensor& t, golden::Format f = golden::Format::int8);
golden::nn::Tensor unpack_tensor(const std::vector<std::uint16_t>& words, const Placement& p);

}  // namespace strata::runtime
