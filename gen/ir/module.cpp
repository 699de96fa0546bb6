#include "ir/module.h"

namespace strata::ir {

Stmt assign(std::string lhs, std::string rhs) {
  Stmt s;
  s.kind = Stmt::Kind::assign;
  s.lhs = std::move(lhs);
  s.expr = std::move(rhs);
  return s;
}

Stmt if_else(std::string cond, std::vector<Stmt> then_body, std::vector<Stmt> else_body) {
  Stmt s;
  s.kind = Stmt::Kind::if_else;
  s.expr = std::move(cond);
  s.then_body = std::move(then_body);
  s.else_body = std::move(else_body);
  return s;
}

Stmt case_of(std::string selector, std::vector<std::pair<std::string, std::vector<Stmt>>> branches) {
  Stmt s;
  s.kind = Stmt::Kind::case_of;
  s.expr = std::move(selector);
  s.branches = std::move(branches);
  return s;
}

Module& Module::param(std::string n, long long v, std::string c) {
  params.push_back({std::move(n), v, std::move(c)});
  return *this;
}
Module& Module::port(Dir d, std::string n, int w, bool s, std::string c) {
  ports.push_back({d, std::move(n), w, s, std::move(c)});
  return *this;
}
Module& Module::net(std::string n, int w, bool s, std::string c) {
  nets.push_back({std::move(n), w, s, std::move(c), 0, {}});
  return *this;
}
Module& Module::memory(std::string n, int w, int depth, std::string c) {
  nets.push_back({std::move(n), w, false, std::move(c), depth, {}});
  return *this;
}
Module& Module::comment(std::string text) {
  body.emplace_back(Comment{std::move(text)});
  return *this;
}
Module& Module::assign(std::string lhs, std::string rhs) {
  body.emplace_back(ContAssign{std::move(lhs), std::move(rhs)});
  return *this;
}
Module& Module::instance(std::string module, std::string inst, std::vector<Connection> connections) {
  body.emplace_back(Instance{std::move(module), std::move(inst), std::move(connections)});
  return *this;
}
Module& Module::comb(std::vector<Stmt> b) {
  body.emplace_back(Process{Process::Kind::comb, std::move(b)});
  return *this;
}
Module& Module::ff(std::vector<Stmt> b) {
  body.emplace_back(Process{Process::Kind::ff, std::move(b)});
  return *this;
}

}  // namespace strata::ir
