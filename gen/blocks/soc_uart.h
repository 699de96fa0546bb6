// The UART host bridge <name>_soc_uart (docs/blocks/soc_uart.md): an 8N1
// receiver and transmitter at the config's baud rate and the frame engine
// of soc/soc_uart.h, a master on the SoC's host bus with the same request
// port as the AXI4-Lite slave (one access at a time).
#pragma once

#include <string>

#include "config/config.h"
#include "ir/design.h"

namespace strata {

// Adds <name>_soc_uart (for a config with a uart section) to `d`; returns its name.
std::string generate_soc_uart(const SocConfig& c, ir::Design& d);

}  // namespace strata
