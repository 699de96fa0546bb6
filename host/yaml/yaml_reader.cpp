#include "yaml/yaml_reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <stdexcept>
#include <utility>

namespace strata::yaml {

Reader::Reader(std::string file, std::string root, Raise raise) : file_(std::move(file)), root_(std::move(root)), raise_(raise) {}

void Reader::fail(const YAML::Mark& mark, const std::string& what) const {
  const int line = mark.line < 0 ? 1 : mark.line + 1;
  const int col = mark.column < 0 ? 1 : mark.column + 1;
  const std::string message = fmt::format("{}:{}:{}: error: {}", file_, line, col, what);
  raise_(message);
  throw std::runtime_error(message);  // only if `raise` returned
}

void Reader::fail(const YAML::Node& node, const std::string& key, const std::string& problem, const std::string& allowed) const {
  const auto k = key_marks_.find(key);
  const YAML::Mark mark = node.IsNull() && k != key_marks_.end() ? k->second : node.Mark();
  fail(mark, fmt::format("{}: {}; allowed: {}", key, problem, allowed));
}

void Reader::fail_key(const std::string& key, const std::string& problem, const std::string& allowed) const {
  const auto k = key_marks_.find(key);
  fail(k != key_marks_.end() ? k->second : YAML::Mark(), fmt::format("{}: {}; allowed: {}", key, problem, allowed));
}

std::string Reader::short_tag(const std::string& tag) {
  const std::string core = "tag:yaml.org,2002:";
  return tag.rfind(core, 0) == 0 ? "!!" + tag.substr(core.size()) : tag;
}

std::string Reader::shown(const YAML::Node& n) {
  if (n.IsNull()) return "an empty value";
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  return fmt::format("'{}'", n.Scalar());
}

void Reader::keys(const YAML::Node& node, const std::string& path, const std::vector<std::string>& allowed) const {
  const std::string where = path.empty() ? root_ : path;
  if (!node.IsMap())
    fail(node, where, fmt::format("{} is not a mapping", shown(node)), fmt::format("a mapping with keys {}", fmt::join(allowed, ", ")));
  std::set<std::string> seen;
  for (const auto& kv : node) {
    const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    const std::string full = path.empty() ? k : path + "." + k;
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      fail(kv.first, full, "unknown key", fmt::format("{}", fmt::join(allowed, ", ")));
    if (!seen.insert(k).second) fail(kv.first, full, "duplicate key", "each key once");
    key_marks_[full] = kv.first.Mark();
  }
}

long long Reader::integer(const YAML::Node& n, const std::string& key, long long lo, long long hi) const {
  const std::string allowed = fmt::format("an integer from {} to {}", lo, hi);
  if (n.IsScalar() && n.Tag() == "!") fail(n, key, fmt::format("'{}' is a quoted string, not an integer", n.Scalar()), allowed);
  if (n.IsScalar() && n.Tag() != "?" && n.Tag() != "tag:yaml.org,2002:int")
    fail(n, key, fmt::format("'{}' is tagged {}, not an integer", n.Scalar(), short_tag(n.Tag())), allowed);
  if (!n.IsScalar()) fail(n, key, fmt::format("{} is not an integer", shown(n)), allowed);
  const std::string& s = n.Scalar();
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range) fail(n, key, fmt::format("'{}' is out of range", s), allowed);
  if (ec != std::errc() || end != s.data() + s.size()) fail(n, key, fmt::format("'{}' is not an integer", s), allowed);
  if (v < lo || v > hi) fail(n, key, fmt::format("{} is out of range", v), allowed);
  return v;
}

bool Reader::boolean(const YAML::Node& n, const std::string& key) const {
  const std::string allowed = "true or false";
  if (n.IsScalar() && n.Tag() == "!") fail(n, key, fmt::format("'{}' is a quoted string, not a boolean", n.Scalar()), allowed);
  if (!n.IsScalar()) fail(n, key, fmt::format("{} is not a boolean", shown(n)), allowed);
  if (n.Tag() == "?" && n.Scalar() == "true") return true;
  if (n.Tag() == "?" && n.Scalar() == "false") return false;
  fail(n, key, fmt::format("'{}' is not a boolean", n.Scalar()), allowed);
}

std::string Reader::word(const YAML::Node& n, const std::string& key, const std::vector<std::string>& words) const {
  const std::string allowed = fmt::format("one of {}", fmt::join(words, ", "));
  if (!n.IsScalar()) fail(n, key, fmt::format("{} is not a word", shown(n)), allowed);
  if (n.Tag() != "!" && std::find(words.begin(), words.end(), n.Scalar()) != words.end()) return n.Scalar();
  fail(n, key, fmt::format("'{}' is not allowed", n.Scalar()), allowed);
}

double Reader::number(const YAML::Node& n, const std::string& key, double lo, double hi) const {
  const std::string allowed = fmt::format("a number from {} to {}", lo, hi);
  if (n.IsScalar() && n.Tag() == "!") fail(n, key, fmt::format("'{}' is a quoted string, not a number", n.Scalar()), allowed);
  if (n.IsScalar() && n.Tag() != "?" && n.Tag() != "tag:yaml.org,2002:int" && n.Tag() != "tag:yaml.org,2002:float")
    fail(n, key, fmt::format("'{}' is tagged {}, not a number", n.Scalar(), short_tag(n.Tag())), allowed);
  if (!n.IsScalar()) fail(n, key, fmt::format("{} is not a number", shown(n)), allowed);
  const std::string& s = n.Scalar();
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !(v == v)) fail(n, key, fmt::format("'{}' is not a number", s), allowed);
  if (v < lo || v > hi) fail(n, key, fmt::format("{} is out of range", s), allowed);
  return v;
}

}  // namespace strata::yaml
