// The one SystemVerilog emitter: prints a Module of the IR as a file.
#pragma once

#include <string>

#include "ir/module.h"

namespace strata::ir {

struct EmitHeader {
  std::string generator;    // e.g. "Strata 0.1.0"
  std::string config_name;
  std::string config_hash;  // 16 hex digits
};

std::string emit_sv(const Module& m, const EmitHeader& header);

}  // namespace strata::ir
