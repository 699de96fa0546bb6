// The hand-written vendor files of rtl/vendor/ (primitive wrappers and the
// simulation models of the primitives), embedded in the generator at build
// time.
#pragma once

#include <string>

namespace strata {

// The text of rtl/vendor/<path>; std::out_of_range for a file not embedded.
const std::string& vendor_file(const std::string& path);

}  // namespace strata
