// Generator of the integer SIMD multiply-accumulate arithmetic unit (AU).
// Its specification is the golden model, host/golden/au.h; its interface and
// timing are documented in docs/blocks/au.md.
#pragma once

#include <string>

#include "config/config.h"
#include "ir/design.h"

namespace strata {

// Adds the AU of `c` and its submodules to `d`; returns the AU's module name.
// `bounded`: the AU's user never gives a dot product more than
// au.max_accumulations beats (the network engine), so the accumulator, which
// cannot overflow then, is built without saturation (sat_o stays 0).
std::string generate_au(const SocConfig& c, ir::Design& d, bool bounded = false);

}  // namespace strata
