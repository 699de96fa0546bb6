#include "ir/design.h"

#include <stdexcept>

namespace strata::ir {

const std::string& Design::add(Module m) {
  if (auto it = index_.find(m.name); it != index_.end()) {
    const Module& old = modules_[it->second];
    if (!(old == m)) throw std::logic_error("two different modules named " + m.name);
    return old.name;
  }
  index_.emplace(m.name, modules_.size());
  modules_.push_back(std::move(m));
  return modules_.back().name;
}

const std::string& Design::add_verbatim(Verbatim v) {
  for (const auto& old : verbatim_)
    if (old.name == v.name) {
      if (!(old == v)) throw std::logic_error("two different hand-written modules named " + v.name);
      return old.name;
    }
  if (index_.contains(v.name)) throw std::logic_error("a hand-written module has the name of a generated one: " + v.name);
  verbatim_.push_back(std::move(v));
  return verbatim_.back().name;
}

const Module* Design::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &modules_[it->second];
}

}  // namespace strata::ir
