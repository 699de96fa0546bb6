#pragma once
// The reader behind every strata YAML file (configs, sweep files, pulse configs):
// it positions each error at a node, "FILE:LINE:COL: error: KEY: PROBLEM; allowed: WHAT",
// checks mappings for unknown and duplicate keys, and reads plain scalars strictly.
// What differs between the file formats is passed in: the error type (as a
// function that throws it) and the name of the root mapping in messages.

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

namespace strata::yaml {

class Reader {
 public:
  // Throws the file format's own error type with `message` as what().
  using Raise = void (*)(const std::string& message);

  // `root` names the whole file in messages, e.g. "the config".
  Reader(std::string file, std::string root, Raise raise);

  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& what) const;
  // An empty value has no position of its own: point at its key instead.
  [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& problem, const std::string& allowed) const;
  // An error about a whole section: at its key.
  [[noreturn]] void fail_key(const std::string& key, const std::string& problem, const std::string& allowed) const;
  // Where `key` (a full dotted key checked by keys()) is written.
  const YAML::Mark& key_mark(const std::string& key) const { return key_marks_.at(key); }

  // "tag:yaml.org,2002:str" as it is written in YAML: "!!str".
  static std::string short_tag(const std::string& tag);
  // A node as messages show it: 'scalar', a list, a mapping or an empty value.
  static std::string shown(const YAML::Node& n);

  // Checks that `node` is a mapping with only `allowed` keys, each once, and
  // remembers where each key is written. `path` is the mapping's dotted key ("" for the root).
  void keys(const YAML::Node& node, const std::string& path, const std::vector<std::string>& allowed) const;

  // A plain (unquoted, untagged or !!int) decimal integer within [lo, hi].
  long long integer(const YAML::Node& n, const std::string& key, long long lo, long long hi) const;
  // A plain (unquoted) true or false.
  bool boolean(const YAML::Node& n, const std::string& key) const;
  // One of a fixed set of plain words.
  std::string word(const YAML::Node& n, const std::string& key, const std::vector<std::string>& words) const;
  // A plain (unquoted, untagged, !!int or !!float) number within [lo, hi].
  double number(const YAML::Node& n, const std::string& key, double lo, double hi) const;

 private:
  std::string file_;
  std::string root_;
  Raise raise_;
  mutable std::map<std::string, YAML::Mark> key_marks_;  // full key -> position of the key
};

}  // namespace strata::yaml
