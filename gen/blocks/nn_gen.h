// Generator of the network engine (NN): processing elements (PEs) of AUs
// with their weight memories and requantizers, the activation and control
// memories, the layer sequencer, the register block and the host port.
// Interface and behaviour: docs/blocks/nn.md; software-visible layout:
// nn/nn_map.h; golden model of the layers: host/golden/nn.h.
#pragma once

#include <string>

#include "config/config.h"
#include "ir/design.h"

namespace strata {

// Adds the engine of `c` (which has an nn section) and its submodules to
// `d`; returns the engine's module name.
std::string generate_nn(const SocConfig& c, ir::Design& d);

}  // namespace strata
