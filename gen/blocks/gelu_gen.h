// Generator of the GELU unit: a valid/ready stream of int8 and/or int16
// codes through GELU, one element per cycle, with the int8 tables and the
// int16 programs of each form loaded at run time through the program port
// (gelu_map.h). Its specification is the golden model, host/golden/gelu.h;
// interface, timing and numerics: docs/blocks/gelu.md.
#pragma once

#include <string>

#include "config/config.h"
#include "ir/design.h"

namespace strata {

// Adds the unit of `c` (which has a gelu section) and its memories to `d`;
// returns the unit's module name.
std::string generate_gelu(const SocConfig& c, ir::Design& d);

// Cycles from an accepted element to its result on the output (without
// back-pressure): 1 for int8 alone, 5 + 2 * degree with int16.
int gelu_latency(const GeluConfig& g);

}  // namespace strata
