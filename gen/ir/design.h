// A design: the set of modules a config elaborates to, each emitted once.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/module.h"

namespace strata::ir {

class Design {
 public:
  // Adds a module. A module already present under the same name must be
  // identical (generators name modules by their parameters); it is then
  // shared rather than emitted twice. A different body under a taken name is
  // a generator bug and throws std::logic_error.
  const std::string& add(Module m);

  // A hand-written module (rtl/vendor/, vendor_rtl.h) that generated modules
  // instantiate: written to rtl/<file> as it is. `primitive_model` marks the
  // simulation model of a vendor primitive, which synthesis for the vendor's
  // device leaves out (the device has the primitive). Added once by name.
  struct Verbatim {
    std::string name, file, text;
    bool primitive_model = false;
    bool operator==(const Verbatim&) const = default;
  };
  const std::string& add_verbatim(Verbatim v);
  // In the order they were first added.
  const std::vector<Verbatim>& verbatim() const { return verbatim_; }

  void set_top(std::string name) { top_ = std::move(name); }
  const std::string& top() const { return top_; }
  // Modules in the order they were first added (leaves before their users).
  const std::vector<Module>& modules() const { return modules_; }
  const Module* find(const std::string& name) const;

 private:
  std::vector<Module> modules_;
  std::vector<Verbatim> verbatim_;
  std::map<std::string, std::size_t> index_;
  std::string top_;
};

}  // namespace strata::ir
