// strata numerics FORMAT OP: the golden number formats on the command line,
// for checking them against another implementation. One line per result,
// codes in hex; docs/blocks/numerics.md documents the format.
#include <fmt/format.h>

#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/tools.h"
#include "config/config.h"
#include "golden/number_format.h"

namespace strata::cli {

namespace {

using golden::NumberFormat;

std::string hex(const NumberFormat& f, std::uint32_t code) { return fmt::format("0x{:0{}x}", code, (f.bits() + 3) / 4); }

std::string value(const NumberFormat& f, std::uint32_t code) {
  const auto v = f.decode(code);
  return v ? golden::to_decimal(*v) : "NaR";
}

// Bad input on stdin is a usage error (exit 2) naming the line.
[[noreturn]] void bad_input(int line, const std::string& what) { throw ConfigError(fmt::format("stdin:{}: error: {}", line, what)); }

std::uint32_t parse_code(const NumberFormat& f, const std::string& tok, int line) {
  std::string digits = tok.rfind("0x", 0) == 0 || tok.rfind("0X", 0) == 0 ? tok.substr(2) : tok;
  std::uint64_t v = 0;
  const bool ok = !digits.empty() && digits.size() <= 8 && digits.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
  if (ok) v = std::stoull(digits, nullptr, 16);
  if (!ok || v >> f.bits())
    bad_input(line, fmt::format("'{}' is not a {} code; allowed: hex from {} to {}", tok, f.name(), hex(f, 0), hex(f, static_cast<std::uint32_t>((std::uint64_t{1} << f.bits()) - 1))));
  return static_cast<std::uint32_t>(v);
}

// Calls `each` with the whitespace-separated tokens of every non-empty stdin line.
template <class F>
void for_each_line(F each) {
  std::string text;
  for (int line = 1; std::getline(std::cin, text); ++line) {
    std::istringstream in(text);
    std::vector<std::string> toks;
    for (std::string t; in >> t;) toks.push_back(t);
    if (!toks.empty()) each(toks, line);
  }
}

void numerics(const std::string& format_name, const std::string& op) {
  NumberFormat f;
  try {
    f = NumberFormat::parse(format_name);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(fmt::format("strata numerics: {}", e.what()));
  }
  const std::uint64_t count = std::uint64_t{1} << f.bits();
  std::string out;
  auto flush = [&] {
    std::cout << out;
    out.clear();
  };
  if (op == "decode") {
    if (f.bits() <= 16) {
      for (std::uint64_t c = 0; c < count; ++c) out += fmt::format("{} {}\n", hex(f, static_cast<std::uint32_t>(c)), value(f, static_cast<std::uint32_t>(c)));
    } else {
      for_each_line([&](const auto& toks, int line) {
        for (const auto& t : toks) out += fmt::format("{} {}\n", hex(f, parse_code(f, t, line)), value(f, parse_code(f, t, line)));
      });
    }
  } else if (op == "encode") {
    for_each_line([&](const auto& toks, int line) {
      if (toks.size() != 1) bad_input(line, fmt::format("{} value(s) on one line; allowed: one decimal real per line", toks.size()));
      try {
        out += hex(f, f.encode(golden::parse_decimal(toks[0]))) + "\n";
      } catch (const std::invalid_argument& e) {
        bad_input(line, e.what());
      }
    });
  } else if (op == "mul" || op == "add") {
    const bool mul = op == "mul";
    auto one = [&](std::uint32_t a, std::uint32_t b) {
      out += fmt::format("{} {} {}\n", hex(f, a), hex(f, b), hex(f, mul ? f.mul(a, b) : f.add(a, b)));
      if (out.size() > (1 << 20)) flush();
    };
    if (f.bits() <= 8) {
      for (std::uint32_t a = 0; a < count; ++a)
        for (std::uint32_t b = 0; b < count; ++b) one(a, b);
    } else {
      for_each_line([&](const auto& toks, int line) {
        if (toks.size() != 2) bad_input(line, fmt::format("{} code(s) on one line; allowed: two codes 'A B'", toks.size()));
        one(parse_code(f, toks[0], line), parse_code(f, toks[1], line));
      });
    }
  } else if (op == "fdp") {
    for_each_line([&](const auto& toks, int line) {
      if (toks.size() % 2) bad_input(line, fmt::format("{} code(s) on one line; allowed: pairs 'A1 B1 A2 B2 ...'", toks.size()));
      std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
      for (std::size_t i = 0; i < toks.size(); i += 2) pairs.emplace_back(parse_code(f, toks[i], line), parse_code(f, toks[i + 1], line));
      out += hex(f, f.fdp(pairs)) + "\n";
    });
  }
  flush();
}

}  // namespace

void add_numerics(CLI::App& app) {
  auto* cmd = app.add_subcommand("numerics",
                                 "The golden number formats: decode every code, encode reals from stdin, correctly rounded mul/add, fused dot products");
  auto format = std::make_shared<std::string>();
  auto op = std::make_shared<std::string>();
  cmd->add_option("FORMAT", *format, "int4, int8, int16, fp4 or posit<N>_<ES> (e.g. posit8_0, posit16_1)")->required();
  cmd->add_option("OP", *op,
                  "decode: every code and its exact value (codes from stdin above 16 bits); encode: one decimal real per stdin line -> code; "
                  "mul, add: every operand pair up to 8 bits, else 'A B' per stdin line -> 'A B RESULT'; fdp: 'A1 B1 A2 B2 ...' per stdin "
                  "line -> the exact dot product rounded once")
      ->required()
      ->check(CLI::IsMember({"decode", "encode", "mul", "add", "fdp"}));
  cmd->callback([format, op] { numerics(*format, *op); });
}

}  // namespace strata::cli
