// The module IR: block generators build these values; only emit_sv.cpp prints
// them. Expressions are SystemVerilog text; everything structural (ports,
// nets, instances, processes, statements) is data.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace strata::ir {

enum class Dir { in, out };

struct Port {
  Dir dir;
  std::string name;
  int width = 1;
  bool is_signed = false;
  std::string comment;
  bool operator==(const Port&) const = default;
};

// A localparam of the module, shown in the manifest.
struct Param {
  std::string name;
  long long value;
  std::string comment;
  bool operator==(const Param&) const = default;
};

struct Net {
  std::string name;
  int width = 1;
  bool is_signed = false;
  std::string comment;
  int depth = 0;  // > 0: an array of `depth` words (a memory)
  std::string attribute;  // printed as (* attribute *) before the declaration
  bool operator==(const Net&) const = default;
};

struct Connection {
  std::string port;
  std::string expr;
  bool operator==(const Connection&) const = default;
};

struct Instance {
  std::string module;
  std::string name;
  std::vector<Connection> connections;
  bool operator==(const Instance&) const = default;
};

struct ContAssign {
  std::string lhs;
  std::string rhs;
  bool operator==(const ContAssign&) const = default;
};

// A statement inside a process: an assignment, an if/else or a case.
struct Stmt {
  enum class Kind { assign, if_else, case_of };
  Kind kind = Kind::assign;
  std::string lhs;   // assign
  std::string expr;  // assign: right-hand side; if: condition; case: selector
  std::vector<Stmt> then_body, else_body;                           // if
  std::vector<std::pair<std::string, std::vector<Stmt>>> branches;  // case: label ("default") and body
  bool operator==(const Stmt&) const = default;
};

Stmt assign(std::string lhs, std::string rhs);
Stmt if_else(std::string cond, std::vector<Stmt> then_body, std::vector<Stmt> else_body = {});
Stmt case_of(std::string selector, std::vector<std::pair<std::string, std::vector<Stmt>>> branches);

// always_comb (blocking assignments) or always_ff @(posedge clk_i)
// (non-blocking assignments).
struct Process {
  enum class Kind { comb, ff };
  Kind kind;
  std::vector<Stmt> body;
  bool operator==(const Process&) const = default;
};

struct Comment {
  std::string text;
  bool operator==(const Comment&) const = default;
};

using Item = std::variant<Comment, ContAssign, Instance, Process>;

struct Module {
  std::string name;
  std::string description;  // one line, printed in the header
  std::vector<Param> params;
  std::vector<Port> ports;
  std::vector<Net> nets;
  std::vector<Item> body;
  bool operator==(const Module&) const = default;

  // Builder helpers, so generators read as a block diagram.
  Module& param(std::string n, long long v, std::string c = {});
  Module& port(Dir d, std::string n, int w = 1, bool s = false, std::string c = {});
  Module& net(std::string n, int w = 1, bool s = false, std::string c = {});
  Module& memory(std::string n, int w, int depth, std::string c = {});
  Module& comment(std::string text);
  Module& assign(std::string lhs, std::string rhs);
  Module& instance(std::string module, std::string name, std::vector<Connection> connections);
  Module& comb(std::vector<Stmt> body);
  Module& ff(std::vector<Stmt> body);
};

}  // namespace strata::ir
