#include "vendor_rtl.h"

#include <map>
#include <stdexcept>

namespace strata {

const std::string& vendor_file(const std::string& path) {
  static const std::map<std::string, std::string> files{
#include "vendor_rtl.inc"
  };
  const auto it = files.find(path);
  if (it == files.end()) throw std::out_of_range("no embedded vendor file rtl/vendor/" + path);
  return it->second;
}

}  // namespace strata
