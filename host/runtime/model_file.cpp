#include "runtime/model_file.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

namespace strata::runtime {

namespace fs = std::filesystem;
namespace nn = golden::nn;
using Json = nlohmann::ordered_json;

ModelError::ModelError(std::string file, std::string where, std::string problem, std::string allowed)
    : std::runtime_error(fmt::format("{}: error: {}: {}; allowed: {}", file, where, problem, allowed)),
      file_(std::move(file)),
      where_(std::move(where)),
      problem_(std::move(problem)),
      allowed_(std::move(allowed)) {}

namespace {

// Limits (docs/model-format.md, "Limits").
constexpr long long kMaxParam = 65535;                 // kernel, stride, dilation, filters, units, length, channels
constexpr long long kMaxTensorElements = 1LL << 24;    // length * channels of every tensor
constexpr long long kMaxWeights = 1LL << 28;           // weights of one layer
constexpr long long kMaxOffset = 1LL << 53;            // side-binary byte offsets
constexpr std::size_t kMaxNameLength = 32;
constexpr std::size_t kMaxListedNames = 20;

const char* const kNameAllowed = "1 to 32 characters from A-Z, a-z, 0-9 and _";
const char* const kJsonAllowed = "a JSON document (RFC 8259: no comments, no trailing commas, strings in double quotes)";

const std::vector<std::string> kTopKeys = {"format", "version", "name", "input", "layers", "outputs", "binary"};
const std::vector<std::string> kInputKeys = {"name", "shape", "format", "scale", "zero_point"};
const std::vector<std::string> kQuantKeys = {"scale", "zero_point"};
const std::vector<std::string> kWeightKeys = {"scales", "data", "offset", "count"};
const std::vector<std::string> kBiasKeys = {"data", "offset", "count"};
const std::vector<std::string> kTensorKeys = {"format", "version", "shape", "data"};
const std::vector<std::string> kOps = {"conv1d", "depthwise_conv1d", "dense", "max_pool", "avg_pool", "global_avg_pool", "add", "gelu", "softmax"};
const std::vector<std::string> kPaddings = {"valid", "same"};
const std::vector<std::string> kActivations = {"none", "relu", "relu6"};
// The formats a tensor may have, and their names in the file.
const std::vector<golden::Format> kTensorFormats = {golden::Format::int8, golden::Format::fp4, golden::Format::posit4_1, golden::Format::posit8_0,
                                                    golden::Format::posit16_1};
const std::vector<std::string> kTensorFormatNames = [] {
  std::vector<std::string> v;
  for (golden::Format f : kTensorFormats) v.emplace_back(golden::info(f).name);
  return v;
}();
// "posit8" for posit8_0, "posit16" for posit16_1: the name of its codes in messages.
std::string short_name(golden::Format f) { return f == golden::Format::posit8_0 ? "posit8" : f == golden::Format::posit16_1 ? "posit16" : std::string(golden::info(f).name); }
// "a posit8 code: an integer from -127 to 127 (-128 is NaR)"; fp4, which
// has no NaR: "an fp4 code: an integer from -8 to 7 (the 4-bit pattern as a
// two's complement integer; -8 is -0)"
std::string code_allowed(golden::Format f) {
  const int half = 1 << (golden::info(f).lane_bits - 1);
  if (!golden::info(f).has_nar)
    return fmt::format("an {} code: an integer from {} to {} (the {}-bit pattern as a two's complement integer; {} is -0)", short_name(f), -half, half - 1,
                       golden::info(f).lane_bits, -half);
  return fmt::format("a {} code: an integer from {} to {} ({} is NaR)", short_name(f), -half + 1, half - 1, -half);
}

const std::vector<nn::LayerKind> kKinds = {nn::LayerKind::conv1d,   nn::LayerKind::depthwise_conv1d, nn::LayerKind::dense,
                                           nn::LayerKind::max_pool, nn::LayerKind::avg_pool,         nn::LayerKind::global_avg_pool,
                                           nn::LayerKind::add,      nn::LayerKind::gelu,             nn::LayerKind::softmax};
const std::vector<std::string> kGeluForms = {"erf", "tanh"};
const std::vector<golden::gelu::Form> kGeluFormValues = {golden::gelu::Form::erf, golden::gelu::Form::tanh};
const std::vector<std::string> kSoftmaxAlgorithms = {"three_pass", "online", "two_pass"};
const std::vector<golden::softmax::Algorithm> kSoftmaxAlgorithmValues = {golden::softmax::Algorithm::three_pass, golden::softmax::Algorithm::online,
                                                                         golden::softmax::Algorithm::two_pass};

// ---------------------------------------------------------------------------
// Small helpers.

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

std::string join_key(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
std::string join_index(const std::string& path, std::size_t i) { return fmt::format("{}[{}]", path, i); }

std::string list(const std::vector<std::string>& v) { return fmt::format("{}", fmt::join(v, ", ")); }

// Names, at most kMaxListedNames of them.
std::string list_names(const std::vector<std::string>& v) {
  if (v.size() <= kMaxListedNames) return list(v);
  const std::vector<std::string> head(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(kMaxListedNames));
  return fmt::format("{}, ... ({} more)", list(head), v.size() - kMaxListedNames);
}

std::string in_quotes(const std::string& s) { return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace); }

// A value as it is written in JSON, shortened to about 40 characters.
std::string shown(const Json& v) {
  if (v.is_number_float() && !std::isfinite(v.get<double>())) return fmt::format("{}", v.get<double>());
  std::string s = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > 40) {
    std::size_t n = 37;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // whole UTF-8 characters
    s = s.substr(0, n) + "...";
  }
  return s;
}

std::string a_type(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::string: return "a string";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "a number";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    default: return "a binary value";
  }
}

// "int8", "posit8_0"; a number for a value that is no golden::Format.
std::string format_name(golden::Format f) {
  const auto code = static_cast<unsigned>(f);
  return code < golden::kFormats.size() ? std::string(golden::kFormats[code].name) : fmt::format("{}", code);
}

std::string op_name(nn::LayerKind k) {
  for (std::size_t i = 0; i < kKinds.size(); ++i)
    if (kKinds[i] == k) return kOps[i];
  return "";
}

// "a conv1d layer", "an add layer".
std::string a_layer(const std::string& op) {
  const bool vowel = !op.empty() && std::string("aeiou").find(op[0]) != std::string::npos;
  return fmt::format("{} {} layer", vowel ? "an" : "a", op);
}

bool has_window(nn::LayerKind k) {
  return k == nn::LayerKind::conv1d || k == nn::LayerKind::depthwise_conv1d || k == nn::LayerKind::max_pool || k == nn::LayerKind::avg_pool;
}
bool is_pool(nn::LayerKind k) { return k == nn::LayerKind::max_pool || k == nn::LayerKind::avg_pool || k == nn::LayerKind::global_avg_pool; }
bool has_weights(nn::LayerKind k) { return k == nn::LayerKind::conv1d || k == nn::LayerKind::depthwise_conv1d || k == nn::LayerKind::dense; }
// gelu and softmax: int8 in and out, no fused activation.
bool is_unit(nn::LayerKind k) { return k == nn::LayerKind::gelu || k == nn::LayerKind::softmax; }

// The keys a layer of kind `k` may have, in the order save_model writes them.
std::vector<std::string> layer_keys(nn::LayerKind k) {
  std::vector<std::string> keys = {"name", "op", "inputs", "output"};
  if (has_window(k)) keys.insert(keys.end(), {"kernel", "stride", "dilation", "padding"});
  if (k == nn::LayerKind::conv1d) keys.push_back("filters");
  if (k == nn::LayerKind::dense) keys.push_back("units");
  if (k == nn::LayerKind::gelu) keys.push_back("form");
  if (k == nn::LayerKind::softmax) keys.push_back("algorithm");
  if (is_unit(k)) {
    keys.push_back("output_quant");
    return keys;
  }
  keys.insert(keys.end(), {"activation", "output_format", "output_quant"});
  if (has_weights(k)) keys.insert(keys.end(), {"weights", "bias"});
  return keys;
}

bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > kMaxNameLength) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// "1 value", "3 values".
std::string count_of(std::size_t n, const char* one, const char* many) { return fmt::format("{} {}", n, n == 1 ? one : many); }

std::string shape_text(long long length, long long channels) { return fmt::format("[{}, {}]", length, channels); }

// A float as the shortest decimal that reads back to the same float32.
Json float_json(float f) {
  if (std::isfinite(f)) {
    const std::string s = fmt::format("{}", f);
    double d = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec == std::errc() && end == s.data() + s.size() && static_cast<float>(d) == f) return Json(d);
  }
  return Json(static_cast<double>(f));
}

// ---------------------------------------------------------------------------
// Files.

bool read_file(const fs::path& p, std::string& out, std::string& reason) {
  errno = 0;
  std::FILE* f = std::fopen(p.c_str(), "rb");
  if (f == nullptr) {
    reason = std::strerror(errno);
    return false;
  }
  out.clear();
  char buf[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) {
    reason = std::strerror(err != 0 ? err : EIO);
    return false;
  }
  return true;
}

// Writes every file to a temporary file beside it, then renames them over
// their targets in order; on any failure removes what it wrote and throws.
void write_atomically(const std::vector<std::pair<fs::path, const std::string*>>& files) {
  static std::atomic<unsigned> counter{0};
  const unsigned salt = std::random_device{}();
  std::vector<fs::path> temps;
  auto cleanup = [&temps](std::size_t from) {
    for (std::size_t i = from; i < temps.size(); ++i) {
      std::error_code ec;
      fs::remove(temps[i], ec);
    }
  };
  const std::string allowed = "a file path in an existing, writable directory";
  for (const auto& [path, data] : files) {
    const std::string file = path.string();
    if (path.filename().empty() || path.filename() == "." || path.filename() == "..") {
      cleanup(0);
      throw ModelError(file, "the file", "the path does not end in a file name", allowed);
    }
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      cleanup(0);
      throw ModelError(file, "the file", "is a directory", allowed);
    }
    const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    const fs::path tmp = dir / fmt::format(".{}.tmp-{}-{}-{}", path.filename().string(), ::getpid(), salt, counter++);
    errno = 0;
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr) {
      const int err = errno;
      cleanup(0);
      throw ModelError(file, "the file", fmt::format("cannot be created in {} ({})", dir.string(), std::strerror(err)), allowed);
    }
    temps.push_back(tmp);
    const bool wrote = std::fwrite(data->data(), 1, data->size(), f) == data->size() && std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
    const int err = errno;
    const bool closed = std::fclose(f) == 0;
    if (!wrote || !closed) {
      cleanup(0);
      throw ModelError(file, "the file", fmt::format("cannot be written ({})", std::strerror(err != 0 ? err : EIO)), allowed);
    }
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::error_code ec;
    fs::rename(temps[i], files[i].first, ec);
    if (ec) {
      cleanup(i);
      throw ModelError(files[i].first.string(), "the file", fmt::format("cannot be replaced ({})", ec.message()), allowed);
    }
  }
}

// ---------------------------------------------------------------------------
// JSON text.

bool flat_value(const Json& v) {
  if (v.is_array()) return std::all_of(v.begin(), v.end(), [](const Json& x) { return x.is_primitive(); });
  return v.is_primitive();
}

std::string one_line(const Json& v) {
  if (v.is_object()) {
    std::vector<std::string> parts;
    for (const auto& [k, x] : v.items()) parts.push_back(in_quotes(k) + ": " + one_line(x));
    return "{" + list(parts) + "}";
  }
  if (v.is_array()) {
    std::vector<std::string> parts;
    for (const auto& x : v) parts.push_back(one_line(x));
    return "[" + list(parts) + "]";
  }
  return v.dump();
}

// Objects one key per line, except short objects of scalars and short lists;
// long lists of numbers wrapped at 100 columns.
void pretty(std::string& out, const Json& v, std::size_t indent) {
  constexpr std::size_t kWidth = 100;
  const std::string pad(indent, ' '), pad2(indent + 2, ' ');
  if (v.is_object()) {
    if (v.empty()) {
      out += "{}";
      return;
    }
    if (std::all_of(v.begin(), v.end(), flat_value)) {
      const std::string line = one_line(v);
      if (indent + line.size() <= 80) {
        out += line;
        return;
      }
    }
    out += "{\n";
    std::size_t i = 0;
    for (const auto& [k, x] : v.items()) {
      out += pad2 + in_quotes(k) + ": ";
      pretty(out, x, indent + 2);
      out += ++i < v.size() ? ",\n" : "\n";
    }
    out += pad + "}";
  } else if (v.is_array()) {
    if (v.empty()) {
      out += "[]";
      return;
    }
    const bool flat = flat_value(v);
    if (flat) {
      const std::string line = one_line(v);
      if (indent + line.size() <= kWidth) {
        out += line;
        return;
      }
    }
    out += "[\n";
    if (flat) {
      std::string cur;
      for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string item = v[i].dump() + (i + 1 < v.size() ? "," : "");
        if (!cur.empty() && pad2.size() + cur.size() + 1 + item.size() > kWidth) {
          out += pad2 + cur + "\n";
          cur.clear();
        }
        cur += (cur.empty() ? "" : " ") + item;
      }
      out += pad2 + cur + "\n";
    } else {
      for (std::size_t i = 0; i < v.size(); ++i) {
        out += pad2;
        pretty(out, v[i], indent + 2);
        out += i + 1 < v.size() ? ",\n" : "\n";
      }
    }
    out += pad + "]";
  } else {
    out += v.dump();
  }
}

std::string json_text(const Json& v) {
  std::string out;
  pretty(out, v, 0);
  out += "\n";
  return out;
}

// ---------------------------------------------------------------------------
// Reading.

// Names the file in every error; `root` names the top-level object.
class Reader {
 public:
  Reader(std::string file, std::string root) : file_(std::move(file)), root_(std::move(root)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& problem, const std::string& allowed) const {
    throw ModelError(file_, where.empty() ? root_ : where, problem, allowed);
  }
  const std::string& file() const { return file_; }

  // The text as JSON; duplicate keys are errors.
  Json parse(const std::string& text) const {
    struct Frame {
      bool object = false;
      std::string key;        // object: the key being read
      std::size_t index = 0;  // array: the element being read
      std::set<std::string> keys;
    };
    std::vector<Frame> stack;
    auto path = [&stack] {
      std::string p;
      for (const Frame& f : stack) p = f.object ? join_key(p, f.key) : join_index(p, f.index);
      return p;
    };
    auto next = [&stack] {
      if (!stack.empty() && !stack.back().object) ++stack.back().index;
    };
    const Json::parser_callback_t callback = [&](int, Json::parse_event_t event, Json& parsed) {
      switch (event) {
        case Json::parse_event_t::object_start: stack.push_back(Frame{true, {}, 0, {}}); break;
        case Json::parse_event_t::array_start: stack.push_back(Frame{false, {}, 0, {}}); break;
        case Json::parse_event_t::key:
          stack.back().key = parsed.get<std::string>();
          if (!stack.back().keys.insert(stack.back().key).second) fail(path(), "duplicate key", "each key once in an object");
          break;
        case Json::parse_event_t::value: next(); break;
        case Json::parse_event_t::object_end:
        case Json::parse_event_t::array_end:
          stack.pop_back();
          next();
          break;
      }
      return true;
    };
    try {
      return Json::parse(text, callback);
    } catch (const Json::parse_error& e) {
      // "[json.exception.parse_error.101] parse error at line 3, column 1: syntax error while ..."
      std::string msg = e.what();
      if (const auto p = msg.find("] "); msg.rfind("[json.exception.", 0) == 0 && p != std::string::npos) msg = msg.substr(p + 2);
      std::string at;
      if (const std::string tag = "parse error at "; msg.rfind(tag, 0) == 0) {
        const auto colon = msg.find(": ", tag.size());
        if (colon != std::string::npos) {
          at = " at " + msg.substr(tag.size(), colon - tag.size());
          msg = msg.substr(colon + 2);
        }
      } else if (const std::string tag2 = "parse error: "; msg.rfind(tag2, 0) == 0) {
        msg = msg.substr(tag2.size());
      }
      fail(fmt::format("byte {}", e.byte), fmt::format("invalid JSON{}: {}", at, msg), kJsonAllowed);
    } catch (const Json::exception& e) {
      // A number beyond double's range: "[json.exception.out_of_range.406] number overflow parsing '1e400'".
      std::string msg = e.what();
      if (const auto p = msg.find("] "); p != std::string::npos) msg = msg.substr(p + 2);
      std::string where = "the file";
      if (const auto q = msg.find('\''); q != std::string::npos) {
        const auto q2 = msg.find('\'', q + 1);
        if (q2 != std::string::npos) {
          const auto at = text.find(msg.substr(q + 1, q2 - q - 1));
          if (at != std::string::npos) where = fmt::format("byte {}", at + 1);
        }
      }
      fail(where, fmt::format("invalid JSON: {}", msg), "numbers within the range of a double");
    }
  }

  // `v` at `path` is an object whose keys are all in `allowed`.
  void object(const Json& v, const std::string& path, const std::vector<std::string>& allowed) const {
    if (!v.is_object()) fail(path, fmt::format("{} is {}, not an object", shown(v), a_type(v)), fmt::format("an object with keys {}", list(allowed)));
    for (const auto& [k, x] : v.items())
      if (!contains(allowed, k)) fail(join_key(path, k), "unknown key", list(allowed));
  }

  static const Json* find(const Json& obj, const std::string& key) {
    const auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
  }
  const Json& need(const Json& obj, const std::string& path, const std::string& key, const std::string& allowed) const {
    const Json* v = find(obj, key);
    if (v == nullptr) fail(join_key(path, key), "missing required key", allowed);
    return *v;
  }

  // An integer number (not 5.0, not "5") from lo to hi.
  long long integer(const Json& v, const std::string& where, long long lo, long long hi, const std::string& allowed_text = "") const {
    const std::string allowed = allowed_text.empty() ? fmt::format("an integer from {} to {}", lo, hi) : allowed_text;
    if (v.is_number_float()) fail(where, fmt::format("{} is not an integer", shown(v)), allowed);
    if (!v.is_number_integer()) fail(where, fmt::format("{} is {}, not an integer", shown(v), a_type(v)), allowed);
    long long x = 0;
    if (v.is_number_unsigned()) {
      const auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(hi)) fail(where, fmt::format("{} is out of range", u), allowed);
      x = static_cast<long long>(u);
    } else {
      x = v.get<std::int64_t>();
    }
    if (x < lo || x > hi) fail(where, fmt::format("{} is out of range", x), allowed);
    return x;
  }
  int small_int(const Json& v, const std::string& where, long long lo, long long hi, const std::string& allowed_text = "") const {
    return static_cast<int>(integer(v, where, lo, hi, allowed_text));
  }

  // A finite number > 0 that is a finite, nonzero float32.
  float scale(const Json& v, const std::string& where) const {
    const std::string allowed = "a finite number greater than 0 (held as float32)";
    if (!v.is_number()) fail(where, fmt::format("{} is {}, not a number", shown(v), a_type(v)), allowed);
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail(where, fmt::format("{} is not finite", shown(v)), allowed);
    if (d <= 0) fail(where, fmt::format("{} is not greater than 0", shown(v)), allowed);
    const auto f = static_cast<float>(d);
    if (!std::isfinite(f)) fail(where, fmt::format("{} is beyond the float32 range", shown(v)), allowed);
    if (!(f > 0)) fail(where, fmt::format("{} is below the smallest float32", shown(v)), allowed);
    return f;
  }

  const std::string& string(const Json& v, const std::string& where, const std::string& allowed) const {
    if (!v.is_string()) fail(where, fmt::format("{} is {}, not a string", shown(v), a_type(v)), allowed);
    return v.get_ref<const std::string&>();
  }

  std::string name(const Json& v, const std::string& where) const {
    const std::string& s = string(v, where, kNameAllowed);
    if (!valid_name(s)) fail(where, fmt::format("{} is not a name", shown(v)), kNameAllowed);
    return s;
  }

  // The index of `v` in `options`; `what` is "an op", "a padding", ...
  std::size_t choice(const Json& v, const std::string& where, const std::vector<std::string>& options, const std::string& what) const {
    const std::string& s = string(v, where, list(options));
    const auto it = std::find(options.begin(), options.end(), s);
    if (it == options.end()) fail(where, fmt::format("{} is not {}", shown(v), what), list(options));
    return static_cast<std::size_t>(it - options.begin());
  }

  // [length, channels], each 1..65535, at most kMaxTensorElements elements.
  std::pair<int, int> shape(const Json& v, const std::string& where) const {
    const std::string allowed = fmt::format("[length, channels], each an integer from 1 to {}, at most {} elements", kMaxParam, kMaxTensorElements);
    if (!v.is_array()) fail(where, fmt::format("{} is {}, not [length, channels]", shown(v), a_type(v)), allowed);
    if (v.size() != 2) fail(where, fmt::format("{} has {}, not 2", shown(v), count_of(v.size(), "entry", "entries")), allowed);
    const int length = small_int(v[0], join_index(where, 0), 1, kMaxParam);
    const int channels = small_int(v[1], join_index(where, 1), 1, kMaxParam);
    if (static_cast<long long>(length) * channels > kMaxTensorElements)
      fail(where, fmt::format("{} has {} elements", shape_text(length, channels), static_cast<long long>(length) * channels), allowed);
    return {length, channels};
  }

  // The "format" and "version" of a file of kind `format`.
  void header(const Json& root, const std::string& format, const std::string& other_format, const std::string& other_kind) const {
    if (!root.is_object())
      fail("", fmt::format("{} is {}, not an object", shown(root), a_type(root)), fmt::format("an object with \"format\": \"{}\", \"version\": 1", format));
    const Json& f = need(root, "", "format", in_quotes(format));
    if (f.is_string() && f.get_ref<const std::string&>() == other_format)
      fail("format", fmt::format("{} is the format of a {} file", shown(f), other_kind), in_quotes(format));
    if (!f.is_string() || f.get_ref<const std::string&>() != format) fail("format", fmt::format("{} is not {}", shown(f), in_quotes(format)), in_quotes(format));
    const Json& v = need(root, "", "version", "1");
    if (integer(v, "version", 0, std::numeric_limits<long long>::max(), "1") != 1)
      fail("version", fmt::format("version {} is not supported by this reader", shown(v)), "1");
  }

 private:
  std::string file_, root_;
};

// The side binary of a model: given its name as written in "binary", fills
// `bytes`, or returns false with the reason.
using BinaryLoader = std::function<bool(const std::string& name, std::string& bytes, std::string& reason)>;

struct TensorInfo {
  int length = 0, channels = 0;
  golden::Format format = golden::Format::int8;
  nn::QuantParams quant;  // int8 tensors only
  std::string producer;  // "the model's input" or "the output of layers[i]"
};

class ModelReader {
 public:
  ModelReader(const std::string& file, BinaryLoader load_binary) : r_(file, "the model"), load_binary_(std::move(load_binary)) {}

  nn::Model read_text(const std::string& text) { return read(r_.parse(text)); }

  nn::Model read(const Json& root) {
    r_.header(root, "strata-model", "strata-tensor", "tensor");
    r_.object(root, "", kTopKeys);
    nn::Model m;
    m.name = r_.name(r_.need(root, "", "name", kNameAllowed), "name");
    read_input(r_.need(root, "", "input", fmt::format("an object with keys {}", list(kInputKeys))), m);
    if (const Json* b = Reader::find(root, "binary")) read_binary(*b);
    const Json& layers = r_.need(root, "", "layers", "a list of layers");
    if (!layers.is_array()) r_.fail("layers", fmt::format("{} is {}, not a list", shown(layers), a_type(layers)), "a list of layers");
    for (std::size_t i = 0; i < layers.size(); ++i)
      if (layers[i].is_object())
        if (const Json* o = Reader::find(layers[i], "output"); o != nullptr && o->is_string()) writers_.emplace(o->get<std::string>(), i);
    for (std::size_t i = 0; i < layers.size(); ++i) m.layers.push_back(read_layer(layers[i], i));
    read_outputs(r_.need(root, "", "outputs", "a non-empty list of tensor names"), m);
    return m;
  }

 private:
  void read_input(const Json& in, nn::Model& m) {
    r_.object(in, "input", kInputKeys);
    m.input = r_.name(r_.need(in, "input", "name", kNameAllowed), "input.name");
    std::tie(m.input_length, m.input_channels) =
        r_.shape(r_.need(in, "input", "shape", fmt::format("[length, channels], each an integer from 1 to {}", kMaxParam)), "input.shape");
    if (const Json* f = Reader::find(in, "format")) m.input_format = tensor_format(*f, "input.format");
    if (m.input_format != golden::Format::int8) {
      const std::string f = format_name(m.input_format);
      for (const std::string key : {"scale", "zero_point"})
        if (Reader::find(in, key) != nullptr)
          r_.fail(join_key("input", key), fmt::format("given for a {} input, but {} tensors have no quantization (no scale, no zero point)", f, short_name(m.input_format)),
                  fmt::format("no scale and no zero_point with \"format\": \"{}\"", f));
    } else {
      m.input_quant = quant(in, "input");
    }
    tensors_[m.input] = TensorInfo{m.input_length, m.input_channels, m.input_format, m.input_quant, "the model's input"};
    order_.push_back(m.input);
  }

  nn::QuantParams quant(const Json& obj, const std::string& path) const {
    nn::QuantParams q;
    q.scale = r_.scale(r_.need(obj, path, "scale", "a finite number greater than 0 (held as float32)"), join_key(path, "scale"));
    q.zero_point = r_.small_int(r_.need(obj, path, "zero_point", "an integer from -128 to 127"), join_key(path, "zero_point"), -128, 127);
    return q;
  }

  golden::Format tensor_format(const Json& v, const std::string& where) const {
    return kTensorFormats[r_.choice(v, where, kTensorFormatNames, "a tensor format")];
  }

  void read_binary(const Json& b) {
    const std::string allowed = "a file name or path relative to the model file's directory";
    const std::string& name = r_.string(b, "binary", allowed);
    if (name.empty()) r_.fail("binary", "the file name is empty", allowed);
    if (fs::path(name).is_absolute()) r_.fail("binary", fmt::format("{} is an absolute path", in_quotes(name)), allowed);
    std::string reason;
    if (!load_binary_(name, binary_, reason))
      r_.fail("binary", fmt::format("the side binary {} cannot be read ({})", in_quotes(name), reason), "an existing, readable file, named relative to the model file's directory");
    has_binary_ = true;
    binary_name_ = name;
  }

  std::string defined_tensors() const { return fmt::format("a tensor defined before this layer: {}", list_names(order_)); }

  const TensorInfo& input_tensor(const Json& v, const std::string& where, std::size_t layer) const {
    const std::string& s = r_.string(v, where, "the name of a tensor defined before this layer");
    if (const auto it = tensors_.find(s); it != tensors_.end()) return it->second;
    if (const auto w = writers_.find(s); w != writers_.end()) {
      if (w->second == layer) r_.fail(where, fmt::format("{} is this layer's own output", in_quotes(s)), defined_tensors());
      r_.fail(where, fmt::format("{} is produced later, by layers[{}]", in_quotes(s), w->second), defined_tensors());
    }
    r_.fail(where, fmt::format("there is no tensor {}", in_quotes(s)), defined_tensors());
  }

  nn::Layer read_layer(const Json& j, std::size_t i) {
    const std::string path = join_index("layers", i);
    auto at = [&path](const std::string& key) { return join_key(path, key); };
    if (!j.is_object())
      r_.fail(path, fmt::format("{} is {}, not an object", shown(j), a_type(j)), "an object with keys name, op, inputs, output and the op's parameters");

    nn::Layer l;
    const std::size_t op_index = r_.choice(r_.need(j, path, "op", list(kOps)), at("op"), kOps, "an op");
    l.kind = kKinds[op_index];
    const std::string& op = kOps[op_index];
    const std::vector<std::string> keys = layer_keys(l.kind);
    for (const auto& [k, x] : j.items()) {
      if (contains(keys, k)) continue;
      const bool other_op = std::any_of(kKinds.begin(), kKinds.end(), [&k](nn::LayerKind o) { return contains(layer_keys(o), k); });
      r_.fail(at(k), other_op ? fmt::format("not a key of {}", a_layer(op)) : "unknown key", list(keys));
    }

    l.name = r_.name(r_.need(j, path, "name", kNameAllowed), at("name"));
    if (const auto it = layer_names_.find(l.name); it != layer_names_.end())
      r_.fail(at("name"), fmt::format("{} is already the name of layers[{}]", in_quotes(l.name), it->second), "a name no other layer has");
    layer_names_.emplace(l.name, i);

    const std::size_t arity = l.kind == nn::LayerKind::add ? 2 : 1;
    const std::string inputs_allowed = arity == 2 ? "a list of two tensor names" : "a list of one tensor name";
    const Json& inputs = r_.need(j, path, "inputs", inputs_allowed);
    if (!inputs.is_array()) r_.fail(at("inputs"), fmt::format("{} is {}, not a list", shown(inputs), a_type(inputs)), inputs_allowed);
    if (inputs.size() != arity)
      r_.fail(at("inputs"), fmt::format("{} names {}", shown(inputs), count_of(inputs.size(), "tensor", "tensors")), fmt::format("{} ({} takes {})", inputs_allowed, op, arity));
    std::vector<const TensorInfo*> in;
    for (std::size_t k = 0; k < arity; ++k) {
      in.push_back(&input_tensor(inputs[k], join_index(at("inputs"), k), i));
      l.inputs.push_back(inputs[k].get<std::string>());
    }
    if (arity == 2 && (in[0]->length != in[1]->length || in[0]->channels != in[1]->channels))
      r_.fail(at("inputs"),
              fmt::format("{} is {} but {} is {}", in_quotes(l.inputs[0]), shape_text(in[0]->length, in[0]->channels), in_quotes(l.inputs[1]),
                          shape_text(in[1]->length, in[1]->channels)),
              "two tensors of the same shape");

    l.output = r_.name(r_.need(j, path, "output", kNameAllowed), at("output"));
    if (const auto it = tensors_.find(l.output); it != tensors_.end())
      r_.fail(at("output"), fmt::format("tensor {} is already {}", in_quotes(l.output), it->second.producer), "the name of a new tensor (every tensor is written once)");

    // Shape inference: golden::nn::window's rules.
    const int length = in[0]->length, channels = in[0]->channels;
    int out_length = length, out_channels = channels;
    if (has_window(l.kind)) {
      const std::string range = fmt::format("an integer from 1 to {}", kMaxParam);
      l.kernel = r_.small_int(r_.need(j, path, "kernel", range), at("kernel"), 1, kMaxParam);
      if (const Json* v = Reader::find(j, "stride")) l.stride = r_.small_int(*v, at("stride"), 1, kMaxParam);
      if (const Json* v = Reader::find(j, "dilation"))
        l.dilation = is_pool(l.kind) ? r_.small_int(*v, at("dilation"), 1, 1, "1 (a pool's window is contiguous)") : r_.small_int(*v, at("dilation"), 1, kMaxParam);
      if (const Json* v = Reader::find(j, "padding")) l.padding = r_.choice(*v, at("padding"), kPaddings, "a padding") == 0 ? nn::Padding::valid : nn::Padding::same;
      const long long span = static_cast<long long>(l.kernel - 1) * l.dilation + 1;
      if (l.padding == nn::Padding::valid) {
        if (length < span)
          r_.fail(at("kernel"),
                  fmt::format("the window (kernel {}, dilation {}) spans {} positions, more than the {} of input {} (padding \"valid\")", l.kernel,
                              l.dilation, span, length, in_quotes(l.inputs[0])),
                  fmt::format("a window of at most {} positions, or \"padding\": \"same\"", length));
        out_length = static_cast<int>((length - span) / l.stride + 1);
      } else {
        out_length = (length + l.stride - 1) / l.stride;
      }
    }
    const std::string range = fmt::format("an integer from 1 to {}", kMaxParam);
    long long weight_count = 0;
    std::string weight_why;
    switch (l.kind) {
      case nn::LayerKind::conv1d:
        l.out_channels = out_channels = r_.small_int(r_.need(j, path, "filters", range), at("filters"), 1, kMaxParam);
        weight_count = static_cast<long long>(out_channels) * l.kernel * channels;
        weight_why = fmt::format("filters {} × kernel {} × input channels {}, in the order [filters][kernel][input channels]", out_channels, l.kernel, channels);
        break;
      case nn::LayerKind::depthwise_conv1d:
        l.out_channels = channels;
        weight_count = static_cast<long long>(channels) * l.kernel;
        weight_why = fmt::format("channels {} × kernel {}, in the order [channels][kernel]", channels, l.kernel);
        break;
      case nn::LayerKind::dense:
        l.out_channels = out_channels = r_.small_int(r_.need(j, path, "units", range), at("units"), 1, kMaxParam);
        out_length = 1;
        weight_count = static_cast<long long>(out_channels) * length * channels;
        weight_why = fmt::format("units {} × input length {} × input channels {}, in the order [units][input length × input channels]", out_channels, length,
                                 channels);
        break;
      case nn::LayerKind::global_avg_pool: out_length = 1; break;
      case nn::LayerKind::max_pool:
      case nn::LayerKind::avg_pool:
      case nn::LayerKind::add:
      case nn::LayerKind::gelu:
      case nn::LayerKind::softmax: break;
    }
    if (static_cast<long long>(out_length) * out_channels > kMaxTensorElements)
      r_.fail(path,
              fmt::format("the output {} of shape {} has {} elements", in_quotes(l.output), shape_text(out_length, out_channels),
                          static_cast<long long>(out_length) * out_channels),
              fmt::format("at most {} elements per tensor", kMaxTensorElements));

    if (const Json* v = Reader::find(j, "activation"))
      l.activation = std::array{nn::Activation::none, nn::Activation::relu, nn::Activation::relu6}[r_.choice(*v, at("activation"), kActivations, "an activation")];

    // Formats: a pool keeps its input's; avg_pool, global_avg_pool and add
    // take int8; an int8 input gives an int8 output.
    const golden::Format in_format = in[0]->format;
    const bool au_in = in_format != golden::Format::int8;  // fp4, posit4_1, posit8_0 or posit16_1
    if (l.kind == nn::LayerKind::avg_pool || l.kind == nn::LayerKind::global_avg_pool || l.kind == nn::LayerKind::add || is_unit(l.kind))
      for (std::size_t k = 0; k < arity; ++k)
        if (in[k]->format != golden::Format::int8)
          r_.fail(join_index(at("inputs"), k), fmt::format("{} is a {} tensor", in_quotes(l.inputs[k]), format_name(in[k]->format)),
                  fmt::format("an int8 tensor ({} takes int8 inputs only)", op));
    const Json* given_format = Reader::find(j, "output_format");
    if (is_pool(l.kind)) {
      l.output_format = in_format;
      if (given_format != nullptr && tensor_format(*given_format, at("output_format")) != in_format)
        r_.fail(at("output_format"), fmt::format("{} differs from the format of input {} ({})", shown(*given_format), in_quotes(l.inputs[0]), format_name(in_format)),
                fmt::format("no output_format (a pool's output keeps its input's format), or exactly the input's, {}", in_quotes(format_name(in_format))));
    } else if (given_format != nullptr) {
      l.output_format = tensor_format(*given_format, at("output_format"));
      if (in_format == golden::Format::int8 && l.output_format != golden::Format::int8)
        r_.fail(at("output_format"), fmt::format("{} for {} whose input {} is int8", shown(*given_format), a_layer(op), in_quotes(l.inputs[0])),
                "\"int8\" (an int8 input gives an int8 output; an fp4, posit4_1, posit8_0 or posit16_1 output needs an input of that format)");
      if (au_in && l.output_format != golden::Format::int8 && l.output_format != in_format)
        r_.fail(at("output_format"), fmt::format("{} for {} whose input {} is {}", shown(*given_format), a_layer(op), in_quotes(l.inputs[0]), format_name(in_format)),
                fmt::format("\"int8\" or \"{}\" (a layer converts only to int8)", format_name(in_format)));
    }

    if (const Json* v = Reader::find(j, "form")) l.gelu_form = kGeluFormValues[r_.choice(*v, at("form"), kGeluForms, "a GELU form")];
    if (const Json* v = Reader::find(j, "algorithm"))
      l.softmax_algorithm = kSoftmaxAlgorithmValues[r_.choice(*v, at("algorithm"), kSoftmaxAlgorithms, "a softmax algorithm")];

    const std::string quant_allowed = "an object with keys scale, zero_point";
    if (l.kind == nn::LayerKind::softmax) {
      l.output_quant = nn::kSoftmaxOutputQuant;
      if (const Json* q = Reader::find(j, "output_quant")) {
        r_.object(*q, at("output_quant"), kQuantKeys);
        const nn::QuantParams given = quant(*q, at("output_quant"));
        if (given != l.output_quant)
          r_.fail(at("output_quant"), fmt::format("scale {}, zero_point {} is not the quantization of a softmax output", given.scale, given.zero_point),
                  "no output_quant, or TFLite's softmax output: scale 0.00390625 (1/256), zero_point -128");
      }
    } else if (l.output_format != golden::Format::int8) {
      const std::string f = format_name(l.output_format);
      if (Reader::find(j, "output_quant") != nullptr)
        r_.fail(at("output_quant"), fmt::format("given, but the output {} is a {} tensor, and {} tensors have no quantization", in_quotes(l.output), f, short_name(l.output_format)),
                is_pool(l.kind) ? fmt::format("no output_quant (a pool on a {} input has a {} output)", f, f)
                                : fmt::format("no output_quant with \"output_format\": \"{}\"", f));
    } else if (is_pool(l.kind)) {
      l.output_quant = in[0]->quant;
      if (const Json* q = Reader::find(j, "output_quant")) {
        r_.object(*q, at("output_quant"), kQuantKeys);
        const nn::QuantParams given = quant(*q, at("output_quant"));
        if (given != l.output_quant)
          r_.fail(at("output_quant"),
                  fmt::format("scale {}, zero_point {} differs from the quantization of input {} (scale {}, zero_point {})", given.scale, given.zero_point,
                              in_quotes(l.inputs[0]), l.output_quant.scale, l.output_quant.zero_point),
                  "no output_quant (a pool's output keeps its input's quantization), or exactly the input's");
      }
    } else {
      const Json& q = r_.need(j, path, "output_quant", quant_allowed);
      r_.object(q, at("output_quant"), kQuantKeys);
      l.output_quant = quant(q, at("output_quant"));
    }

    if (has_weights(l.kind)) {
      if (weight_count > kMaxWeights)
        r_.fail(at("weights"), fmt::format("{} would need {} weights ({})", a_layer(op), weight_count, weight_why), fmt::format("at most {} weights per layer", kMaxWeights));
      const Json& w = r_.need(j, path, "weights",
                              au_in ? fmt::format("an object with keys data, or offset and count ({} weights have no scales)", short_name(in_format))
                                        : "an object with keys scales and data, or scales, offset and count");
      r_.object(w, at("weights"), kWeightKeys);
      const std::string scales_at = join_key(at("weights"), "scales");
      if (au_in) {
        const std::string f = format_name(in_format);
        if (Reader::find(w, "scales") != nullptr)
          r_.fail(scales_at, fmt::format("given for {} whose input {} is {}, but {} weights have no scales", a_layer(op), in_quotes(l.inputs[0]), f, short_name(in_format)),
                  fmt::format("no scales: the weights of a layer with a {} input are {} codes", f, short_name(in_format)));
      } else {
        const std::string scales_allowed = fmt::format("a list of {}, one per output channel", count_of(static_cast<std::size_t>(out_channels), "scale", "scales"));
        const Json& scales = r_.need(w, at("weights"), "scales", scales_allowed);
        if (!scales.is_array()) r_.fail(scales_at, fmt::format("{} is {}, not a list", shown(scales), a_type(scales)), scales_allowed);
        if (scales.size() != static_cast<std::size_t>(out_channels))
          r_.fail(scales_at, fmt::format("{} for {}", count_of(scales.size(), "scale", "scales"), count_of(static_cast<std::size_t>(out_channels), "output channel", "output channels")), scales_allowed);
        for (std::size_t k = 0; k < scales.size(); ++k) l.weight_scales.push_back(r_.scale(scales[k], join_index(scales_at, k)));
      }
      const golden::Format* code_format = au_in ? &in_format : nullptr;
      if (in_format == golden::Format::posit16_1) {
        const auto v = block<std::int16_t>(w, at("weights"), weight_count, weight_why, code_format);
        l.weights.assign(v.begin(), v.end());
      } else {
        const auto v = block<std::int8_t>(w, at("weights"), weight_count, weight_why, code_format);
        l.weights.assign(v.begin(), v.end());
      }
      if (const Json* b = Reader::find(j, "bias")) {
        r_.object(*b, at("bias"), kBiasKeys);
        l.bias = block<std::int32_t>(*b, at("bias"), out_channels, "one per output channel", code_format);
      } else {
        l.bias.assign(static_cast<std::size_t>(out_channels), 0);
      }
    }

    tensors_[l.output] = TensorInfo{out_length, out_channels, l.output_format, l.output_quant, fmt::format("the output of layers[{}]", i)};
    order_.push_back(l.output);
    return l;
  }

  // `count` values of T inline ("data") or in the side binary ("offset",
  // "count"; little-endian, offset a multiple of sizeof(T)). With a
  // `code_format` (fp4, posit4_1, posit8_0, posit16_1) every value is a
  // code of it other than NaR: -8..7 (fp4 has no NaR), -7..7, -127..127,
  // -32767..32767.
  template <class T>
  std::vector<T> block(const Json& o, const std::string& path, long long count, const std::string& why, const golden::Format* code_format) const {
    const bool posit8 = code_format != nullptr;  // a posit code
    const long long half = posit8 ? 1LL << (golden::info(*code_format).lane_bits - 1) : 0;
    const long long lo = posit8 ? -half : std::numeric_limits<T>::min(), hi = posit8 ? half - 1 : std::numeric_limits<T>::max();  // posit: NaR is lo
    const bool nar_lo = posit8 && golden::info(*code_format).has_nar;                                                              // fp4: lo is -0
    const std::string storage = sizeof(T) == 1 ? "int8" : sizeof(T) == 2 ? "int16" : "int32";
    const std::string kind = posit8 ? short_name(*code_format) : storage;
    const std::string kPosit8Code = posit8 ? code_allowed(*code_format) : std::string();
    const std::string either = "either \"data\" (the values inline) or \"offset\" and \"count\" (the values in the side binary)";
    const Json* data = Reader::find(o, "data");
    const Json* offset = Reader::find(o, "offset");
    const Json* n = Reader::find(o, "count");
    if (data != nullptr && (offset != nullptr || n != nullptr))
      r_.fail(path, fmt::format("both \"data\" and \"{}\" are given", offset != nullptr ? "offset" : "count"), either);
    const std::string count_allowed = fmt::format("{} = {}", count, why);
    std::vector<T> out;
    if (data != nullptr) {
      const std::string at = join_key(path, "data");
      const std::string allowed = fmt::format("a list of {} {} values ({})", count, kind, count_allowed);
      if (!data->is_array()) r_.fail(at, fmt::format("{} is {}, not a list", shown(*data), a_type(*data)), allowed);
      if (data->size() != static_cast<std::size_t>(count)) r_.fail(at, fmt::format("holds {}", count_of(data->size(), "value", "values")), allowed);
      out.reserve(data->size());
      for (std::size_t k = 0; k < data->size(); ++k) {
        const std::string at_k = join_index(at, k);
        const long long x = r_.integer((*data)[k], at_k, lo, hi, posit8 ? kPosit8Code : "");
        if (nar_lo && x == lo) r_.fail(at_k, fmt::format("{} is NaR, not a {} value", lo, kind), kPosit8Code);
        out.push_back(static_cast<T>(x));
      }
      return out;
    }
    if (offset == nullptr && n == nullptr) r_.fail(path, "neither \"data\" nor \"offset\" and \"count\" is given", either);
    if (offset == nullptr) r_.fail(join_key(path, "offset"), "missing required key", "the byte offset of the values in the side binary");
    if (!has_binary_)
      r_.fail(join_key(path, "offset"), "a side-binary offset, but the model names no side binary", "inline \"data\", or a top-level \"binary\" naming the side binary");
    const std::string off_allowed =
        sizeof(T) == 1 ? fmt::format("a byte offset from 0 to {}", kMaxOffset)
                       : fmt::format("a byte offset from 0 to {} that is a multiple of {} ({} values are aligned)", kMaxOffset, sizeof(T), storage);
    const long long off = r_.integer(*offset, join_key(path, "offset"), 0, kMaxOffset, off_allowed);
    if (off % static_cast<long long>(sizeof(T)) != 0) r_.fail(join_key(path, "offset"), fmt::format("{} is not a multiple of {}", off, sizeof(T)), off_allowed);
    if (n == nullptr) r_.fail(join_key(path, "count"), "missing required key", fmt::format("the number of values: {}", count_allowed));
    const long long c = r_.integer(*n, join_key(path, "count"), 0, std::numeric_limits<long long>::max(), count_allowed);
    if (c != count) r_.fail(join_key(path, "count"), fmt::format("{} is not the number of values this layer needs", c), count_allowed);
    const long long bytes = count * static_cast<long long>(sizeof(T));
    const auto size = static_cast<long long>(binary_.size());
    if (off + bytes > size)
      r_.fail(path,
              fmt::format("bytes {} to {} lie beyond the end of the side binary {} ({} bytes; truncated?)", off, off + bytes - 1, in_quotes(binary_name_), size),
              fmt::format("offset + {} ≤ {} (count {} × {} bytes)", bytes, size, count, sizeof(T)));
    out.reserve(static_cast<std::size_t>(count));
    for (long long k = 0; k < count; ++k) {
      std::uint32_t u = 0;
      for (std::size_t b = 0; b < sizeof(T); ++b)
        u |= static_cast<std::uint32_t>(static_cast<unsigned char>(binary_[static_cast<std::size_t>(off + k * static_cast<long long>(sizeof(T))) + b])) << (8 * b);
      if constexpr (sizeof(T) == 1) {
        out.push_back(static_cast<T>(static_cast<std::int8_t>(static_cast<std::uint8_t>(u))));
      } else if constexpr (sizeof(T) == 2) {
        out.push_back(static_cast<T>(static_cast<std::int16_t>(static_cast<std::uint16_t>(u))));
      } else {
        out.push_back(static_cast<T>(u));
      }
      const long long x = out.back();
      if (posit8 && (x < (nar_lo ? lo + 1 : lo) || x > hi))
        r_.fail(path,
                fmt::format("value {} (byte {} of the side binary {}) is {}, {}", k, off + k * static_cast<long long>(sizeof(T)), in_quotes(binary_name_), x,
                            x == lo ? fmt::format("NaR, not a {} value", kind) : fmt::format("not a {} code", kind)),
                fmt::format("{} {} values, each {}", count, storage, kPosit8Code));
    }
    return out;
  }

  void read_outputs(const Json& v, nn::Model& m) const {
    const std::string allowed = fmt::format("a non-empty list of tensor names from {}", list_names(order_));
    if (!v.is_array()) r_.fail("outputs", fmt::format("{} is {}, not a list", shown(v), a_type(v)), allowed);
    if (v.empty()) r_.fail("outputs", "the list is empty", allowed);
    for (std::size_t k = 0; k < v.size(); ++k) {
      const std::string at = join_index("outputs", k);
      const std::string& s = r_.string(v[k], at, allowed);
      if (tensors_.count(s) == 0) r_.fail(at, fmt::format("there is no tensor {}", in_quotes(s)), fmt::format("a tensor of the model: {}", list_names(order_)));
      if (std::find(m.outputs.begin(), m.outputs.end(), s) != m.outputs.end()) r_.fail(at, fmt::format("{} is listed twice", in_quotes(s)), "each tensor once");
      m.outputs.push_back(s);
    }
  }

  Reader r_;
  BinaryLoader load_binary_;
  bool has_binary_ = false;
  std::string binary_name_, binary_;
  std::map<std::string, TensorInfo> tensors_;      // defined so far
  std::vector<std::string> order_;                 // their names in definition order
  std::map<std::string, std::size_t> writers_;     // tensor name -> first layer writing it
  std::map<std::string, std::size_t> layer_names_;  // layer name -> its index
};

// ---------------------------------------------------------------------------
// Writing.

void append_le(std::string& out, std::uint32_t v, std::size_t bytes) {
  for (std::size_t b = 0; b < bytes; ++b) out.push_back(static_cast<char>((v >> (8 * b)) & 0xFF));
}

// A tensor format's name; a Format that no tensor may have is an error.
std::string format_json(golden::Format f, const std::string& file, const std::string& where) {
  if (std::find(kTensorFormats.begin(), kTensorFormats.end(), f) == kTensorFormats.end())
    throw ModelError(file, where, fmt::format("Format {} is not a tensor format", format_name(f)), list(kTensorFormatNames));
  return format_name(f);
}

// The model as JSON. Formats and quantization are written only where a
// tensor has them: "format" and "output_format" when not int8 (and on a
// pool whose format is not its input's, which the validation then refuses),
// no scale, zero point or output_quant for a posit8 tensor, no weight
// scales for a posit8 input (unless the model has some, which are refused).
Json model_json(const nn::Model& m, const std::string& file, const std::string* binary_name, std::string& binary) {
  Json j;
  j["format"] = "strata-model";
  j["version"] = 1;
  j["name"] = m.name;
  Json in{{"name", m.input}, {"shape", Json::array({m.input_length, m.input_channels})}};
  if (m.input_format != golden::Format::int8) {
    in["format"] = format_json(m.input_format, file, "input.format");
  } else {
    in["scale"] = float_json(m.input_quant.scale);
    in["zero_point"] = m.input_quant.zero_point;
  }
  j["input"] = std::move(in);
  std::map<std::string, golden::Format> formats{{m.input, m.input_format}};  // of the tensors written so far
  j["layers"] = Json::array();
  auto quant = [](const nn::QuantParams& q) { return Json{{"scale", float_json(q.scale)}, {"zero_point", q.zero_point}}; };
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    const nn::Layer& l = m.layers[i];
    const std::string path = join_index("layers", i);
    const std::string op = op_name(l.kind);
    if (op.empty()) throw ModelError(file, path + ".op", fmt::format("LayerKind {} is not an op", static_cast<int>(l.kind)), list(kOps));
    golden::Format in_format = golden::Format::int8;
    if (!l.inputs.empty())
      if (const auto it = formats.find(l.inputs[0]); it != formats.end()) in_format = it->second;
    Json o;
    o["name"] = l.name;
    o["op"] = op;
    o["inputs"] = l.inputs;
    o["output"] = l.output;
    if (has_window(l.kind)) {
      o["kernel"] = l.kernel;
      o["stride"] = l.stride;
      o["dilation"] = l.dilation;
      if (l.padding != nn::Padding::valid && l.padding != nn::Padding::same)
        throw ModelError(file, path + ".padding", fmt::format("Padding {} is not a padding", static_cast<int>(l.padding)), list(kPaddings));
      o["padding"] = l.padding == nn::Padding::valid ? "valid" : "same";
    }
    if (l.kind == nn::LayerKind::conv1d) o["filters"] = l.out_channels;
    if (l.kind == nn::LayerKind::dense) o["units"] = l.out_channels;
    if (is_unit(l.kind)) {
      if (l.kind == nn::LayerKind::gelu) o["form"] = kGeluForms[l.gelu_form == golden::gelu::Form::erf ? 0 : 1];
      if (l.kind == nn::LayerKind::softmax) {
        const auto a = std::find(kSoftmaxAlgorithmValues.begin(), kSoftmaxAlgorithmValues.end(), l.softmax_algorithm);
        if (a == kSoftmaxAlgorithmValues.end())
          throw ModelError(file, path + ".algorithm", fmt::format("Algorithm {} is not a softmax algorithm", static_cast<int>(l.softmax_algorithm)), list(kSoftmaxAlgorithms));
        o["algorithm"] = kSoftmaxAlgorithms[static_cast<std::size_t>(a - kSoftmaxAlgorithmValues.begin())];
      }
      o["output_quant"] = quant(l.output_quant);
      j["layers"].push_back(std::move(o));
      formats[l.output] = golden::Format::int8;
      continue;
    }
    switch (l.activation) {
      case nn::Activation::none: o["activation"] = "none"; break;
      case nn::Activation::relu: o["activation"] = "relu"; break;
      case nn::Activation::relu6: o["activation"] = "relu6"; break;
      default:
        throw ModelError(file, path + ".activation", fmt::format("Activation {} is not an activation", static_cast<int>(l.activation)), list(kActivations));
    }
    if (l.output_format != golden::Format::int8 || (is_pool(l.kind) && in_format != golden::Format::int8))
      o["output_format"] = format_json(l.output_format, file, path + ".output_format");
    if (l.output_format == golden::Format::int8) o["output_quant"] = quant(l.output_quant);
    if (has_weights(l.kind)) {
      Json w;
      if (in_format == golden::Format::int8 || !l.weight_scales.empty()) {
        w["scales"] = Json::array();
        for (float s : l.weight_scales) w["scales"].push_back(float_json(s));
      }
      Json b;
      if (binary_name != nullptr) {
        w["offset"] = binary.size();
        w["count"] = l.weights.size();
        const std::size_t bytes = in_format == golden::Format::posit16_1 ? 2 : 1;  // int8 and posit8 weights one byte, posit16 two
        for (nn::Code v : l.weights) append_le(binary, static_cast<std::uint32_t>(static_cast<std::uint16_t>(v)), bytes);
        while (binary.size() % 4 != 0) binary.push_back('\0');
        b["offset"] = binary.size();
        b["count"] = l.bias.size();
        for (std::int32_t v : l.bias) append_le(binary, static_cast<std::uint32_t>(v), 4);
      } else {
        w["data"] = l.weights;
        b["data"] = l.bias;
      }
      o["weights"] = std::move(w);
      o["bias"] = std::move(b);
    } else if (!l.weights.empty() || !l.weight_scales.empty() || !l.bias.empty()) {
      throw ModelError(file, path, fmt::format("{} carries weights, weight scales or a bias", a_layer(op)),
                       "weights, weight scales and a bias only on conv1d, depthwise_conv1d and dense layers");
    }
    j["layers"].push_back(std::move(o));
    formats.emplace(l.output, l.output_format);
  }
  j["outputs"] = m.outputs;
  if (binary_name != nullptr) j["binary"] = *binary_name;
  return j;
}

}  // namespace

nn::Model parse_model(const std::string& json_text, const std::string& file_name, const fs::path& base_dir) {
  ModelReader reader(file_name, [&base_dir](const std::string& name, std::string& bytes, std::string& reason) {
    const fs::path p = base_dir / name;
    if (!read_file(p, bytes, reason)) {
      reason = fmt::format("{}: {}", p.string(), reason);
      return false;
    }
    return true;
  });
  return reader.read_text(json_text);
}

nn::Model load_model(const fs::path& json_path) {
  std::string text, reason;
  if (!read_file(json_path, text, reason))
    throw ModelError(json_path.string(), "the file", fmt::format("cannot be read ({})", reason), "a readable strata-model JSON file");
  return parse_model(text, json_path.string(), json_path.parent_path());
}

void save_model(const nn::Model& model, const fs::path& json_path, bool side_binary) {
  const std::string file = json_path.string();
  fs::path bin_path = json_path;
  bin_path.replace_extension(".bin");
  const std::string bin_name = bin_path.filename().string();
  if (side_binary && (json_path.stem().empty() || bin_path == json_path))
    throw ModelError(file, "the file", "has no name distinct from its side binary <stem>.bin",
                     "a model file name with a stem, not ending in .bin, when the weights go to a side binary");
  std::string binary;
  const Json j = model_json(model, file, side_binary ? &bin_name : nullptr, binary);
  // Validate with load_model's rules, the side binary in memory.
  ModelReader(file, [&](const std::string& name, std::string& bytes, std::string& reason) {
    if (name != bin_name) {
      reason = "not the side binary being written";
      return false;
    }
    bytes = binary;
    return true;
  }).read(j);
  const std::string text = json_text(j);
  if (side_binary)
    write_atomically({{bin_path, &binary}, {json_path, &text}});
  else
    write_atomically({{json_path, &text}});
}

nn::Tensor parse_tensor(const std::string& json_text, const std::string& file_name, int length, int channels, golden::Format format) {
  if (length < 1 || channels < 1) throw std::invalid_argument(fmt::format("parse_tensor: expected shape [{}, {}] is not positive", length, channels));
  const Reader r(file_name, "the tensor");
  const Json root = r.parse(json_text);
  r.header(root, "strata-tensor", "strata-model", "model");
  r.object(root, "", kTensorKeys);
  const auto [l, c] = r.shape(r.need(root, "", "shape", "[length, channels]"), "shape");
  if (l != length || c != channels) r.fail("shape", fmt::format("{} is not the shape expected here", shape_text(l, c)), shape_text(length, channels));
  const long long count = static_cast<long long>(length) * channels;
  const int bits = golden::info(format).lane_bits;
  const long long lo = format == golden::Format::int8 || !golden::info(format).has_nar ? -(1LL << (bits - 1)) : -(1LL << (bits - 1)) + 1,
                  hi = (1LL << (bits - 1)) - 1;  // posits: no NaR; fp4: -8 is -0
  const std::string allowed = fmt::format("a list of {} {} values (length {} × channels {}, channels-last)", count, format_name(format), length, channels);
  const Json& data = r.need(root, "", "data", allowed);
  if (!data.is_array()) r.fail("data", fmt::format("{} is {}, not a list", shown(data), a_type(data)), allowed);
  if (data.size() != static_cast<std::size_t>(count)) r.fail("data", fmt::format("holds {}", count_of(data.size(), "value", "values")), allowed);
  nn::Tensor t;
  t.length = length;
  t.channels = channels;
  t.data.reserve(data.size());
  for (std::size_t k = 0; k < data.size(); ++k) t.data.push_back(static_cast<nn::Code>(r.integer(data[k], join_index("data", k), lo, hi)));
  return t;
}

nn::Tensor load_tensor(const fs::path& path, int length, int channels, golden::Format format) {
  std::string text, reason;
  if (!read_file(path, text, reason)) throw ModelError(path.string(), "the file", fmt::format("cannot be read ({})", reason), "a readable strata-tensor JSON file");
  return parse_tensor(text, path.string(), length, channels, format);
}

void save_tensor(const nn::Tensor& tensor, const fs::path& path) {
  const std::string file = path.string();
  const std::string range = fmt::format("[length, channels], each from 1 to {}, at most {} elements", kMaxParam, kMaxTensorElements);
  const long long count = static_cast<long long>(tensor.length) * tensor.channels;
  if (tensor.length < 1 || tensor.length > kMaxParam || tensor.channels < 1 || tensor.channels > kMaxParam || count > kMaxTensorElements)
    throw ModelError(file, "shape", fmt::format("{} is out of range", shape_text(tensor.length, tensor.channels)), range);
  if (tensor.data.size() != static_cast<std::size_t>(count))
    throw ModelError(file, "data", fmt::format("holds {}", count_of(tensor.data.size(), "value", "values")),
                     fmt::format("{} values (length {} × channels {})", count, tensor.length, tensor.channels));
  Json j;
  j["format"] = "strata-tensor";
  j["version"] = 1;
  j["shape"] = Json::array({tensor.length, tensor.channels});
  j["data"] = tensor.data;
  const std::string text = json_text(j);
  write_atomically({{path, &text}});
}

void save_text(const std::string& text, const fs::path& path) { write_atomically({{path, &text}}); }

}  // namespace strata::runtime
