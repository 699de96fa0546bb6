// Generator of the softmax unit. Its specification is the golden model,
// host/golden/softmax.h; its interface, timing and numerics are documented in
// docs/blocks/softmax.md.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "ir/design.h"

namespace strata {

// The unit's derived widths, shared by the generator, the manifest and the
// co-simulation.
struct SoftmaxShape {
  int in_bits;     // logit port: 16 with int16, else 8
  int out_bits;    // code port: 16 with uint16, else 8
  int sum_bits;    // 25 + bits(max_length)
  int n_bits;      // signed exponent n: in_bits + 10
  int depth;       // vector buffer entries: max(2, max_length)
  int addr_bits;   // buffer address
};
SoftmaxShape softmax_shape(const SoftmaxConfig& s);

// Adds the softmax unit of `c` (which has a softmax section) and its
// submodules to `d`; returns the unit's module name.
std::string generate_softmax(const SocConfig& c, ir::Design& d);

// The manifest's "softmax" entry: module, widths and the select codes.
nlohmann::json softmax_interface_json(const SocConfig& c);

}  // namespace strata
