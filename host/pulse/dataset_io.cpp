#include "pulse/dataset_io.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace strata::pulse {

namespace {

// ---- little-endian fields ----
void put_u32(std::vector<unsigned char>& b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<unsigned char>(v >> (8 * i)));
}
void put_u64(std::vector<unsigned char>& b, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<unsigned char>(v >> (8 * i)));
}
void put_f64(std::vector<unsigned char>& b, double v) { put_u64(b, std::bit_cast<std::uint64_t>(v)); }
std::uint32_t get_u32(const unsigned char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
std::uint64_t get_u64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
double get_f64(const unsigned char* p) { return std::bit_cast<double>(get_u64(p)); }

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw PulseFileError(fmt::format("{}: error: {}", name, what));
}
[[noreturn]] void fail_line(const std::string& name, std::size_t line, const std::string& what) {
  throw PulseFileError(fmt::format("{}:{}: error: {}", name, line, what));
}

// The checks on the events both readers make. Returns "" or the problem.
std::string check_event(const PulseParams& p, std::size_t i, std::span<const std::int16_t> x, double t0, double a) {
  for (std::size_t k = 0; k < x.size(); ++k)
    if (x[k] < 0 || x[k] > p.max_code())
      return fmt::format("event {} sample {}: code {} is outside the {}-bit ADC range 0..{}", i, k, x[k], p.adc_bits, p.max_code());
  const double lo = p.first_sample * p.ts_ns(), hi = (p.first_sample + p.spread_samples) * p.ts_ns();
  if (!(t0 >= lo && t0 <= hi)) return fmt::format("event {}: true time {} ns is outside the arrival range [{}, {}] ns", i, t0, lo, hi);
  if (!(a >= p.amplitude_min && a <= p.amplitude_max))
    return fmt::format("event {}: true amplitude {} is outside the amplitude range [{}, {}]", i, a, p.amplitude_min, p.amplitude_max);
  return "";
}

std::string number17(double v) {
  if (v == std::numeric_limits<double>::infinity()) return "none";
  return fmt::format("{}", v);  // the shortest digits that read back as v
}

}  // namespace

std::vector<unsigned char> encode_binary(const Dataset& d) {
  const PulseParams& p = d.params;
  std::vector<unsigned char> b;
  b.reserve(kPulseHeaderBytes + d.count() * (2 * p.samples + 16));
  for (char c : kPulseMagic) b.push_back(static_cast<unsigned char>(c));
  put_u32(b, kPulseVersion);
  put_u32(b, kPulseHeaderBytes);
  put_u64(b, d.count());
  put_u32(b, p.samples);
  put_u32(b, p.adc_bits);
  put_u32(b, static_cast<std::uint32_t>(p.shape));
  put_u32(b, p.order);
  put_f64(b, p.tau_ns);
  put_f64(b, p.rise_ns);
  put_f64(b, p.decay_ns);
  put_f64(b, p.rate_msps);
  put_f64(b, p.baseline);
  put_f64(b, p.amplitude_min);
  put_f64(b, p.amplitude_max);
  put_f64(b, p.snr_db);
  put_u32(b, static_cast<std::uint32_t>(p.noise_reference));
  put_u32(b, p.first_sample);
  put_f64(b, p.spread_samples);
  put_u64(b, p.seed);
  for (std::size_t i = 0; i < d.count(); ++i) {
    for (std::int16_t s : d.event(i)) {
      const auto u = static_cast<std::uint16_t>(s);
      b.push_back(static_cast<unsigned char>(u & 0xff));
      b.push_back(static_cast<unsigned char>(u >> 8));
    }
    put_f64(b, d.t0_ns[i]);
    put_f64(b, d.amplitude[i]);
  }
  return b;
}

Dataset decode_binary(const std::vector<unsigned char>& b, const std::string& name) {
  if (b.size() < 8 || std::memcmp(b.data(), kPulseMagic, 8) != 0) {
    std::string got;
    for (std::size_t i = 0; i < std::min<std::size_t>(b.size(), 8); ++i)
      got += (b[i] >= 0x20 && b[i] < 0x7f) ? std::string(1, static_cast<char>(b[i])) : fmt::format("\\x{:02x}", b[i]);
    if (b.size() < 8 && std::equal(b.begin(), b.end(), kPulseMagic))
      fail(name, fmt::format("truncated header: the file has {} bytes, a pulse data set header has {}", b.size(), kPulseHeaderBytes));
    fail(name, fmt::format("bad magic '{}'; expected 'STRPULSE' (not a Strata pulse data set)", got));
  }
  if (b.size() < 16)
    fail(name, fmt::format("truncated header: the file has {} bytes, a pulse data set header has {}", b.size(), kPulseHeaderBytes));
  const std::uint32_t version = get_u32(b.data() + 8);
  if (version != kPulseVersion) fail(name, fmt::format("unsupported version {}; this build reads version {}", version, kPulseVersion));
  const std::uint32_t header = get_u32(b.data() + 12);
  if (header != kPulseHeaderBytes) fail(name, fmt::format("header size {} bytes; version 1 has {}", header, kPulseHeaderBytes));
  if (b.size() < kPulseHeaderBytes)
    fail(name, fmt::format("truncated header: the file has {} bytes, a pulse data set header has {}", b.size(), kPulseHeaderBytes));
  const unsigned char* h = b.data();
  PulseParams p;
  p.count = get_u64(h + 16);
  p.samples = get_u32(h + 24);
  p.adc_bits = get_u32(h + 28);
  p.shape = static_cast<ShapeKind>(get_u32(h + 32));
  p.order = get_u32(h + 36);
  p.tau_ns = get_f64(h + 40);
  p.rise_ns = get_f64(h + 48);
  p.decay_ns = get_f64(h + 56);
  p.rate_msps = get_f64(h + 64);
  p.baseline = get_f64(h + 72);
  p.amplitude_min = get_f64(h + 80);
  p.amplitude_max = get_f64(h + 88);
  p.snr_db = get_f64(h + 96);
  p.noise_reference = static_cast<NoiseReference>(get_u32(h + 104));
  p.first_sample = get_u32(h + 108);
  p.spread_samples = get_f64(h + 112);
  p.seed = get_u64(h + 120);
  if (const std::string e = check_params(p); !e.empty()) fail(name, "header: " + e);
  const std::size_t record = 2 * std::size_t{p.samples} + 16;
  const std::size_t expected = kPulseHeaderBytes + p.count * record;
  if (b.size() < expected)
    fail(name, fmt::format("truncated: the header announces {} events of {} samples ({} bytes), the file has {} bytes ({} whole events)",
                           p.count, p.samples, expected, b.size(), (b.size() - kPulseHeaderBytes) / record));
  if (b.size() > expected)
    fail(name, fmt::format("{} trailing bytes after the last of the {} events the header announces", b.size() - expected, p.count));
  Dataset d;
  d.params = p;
  d.samples.resize(p.count * p.samples);
  d.t0_ns.resize(p.count);
  d.amplitude.resize(p.count);
  const unsigned char* r = b.data() + kPulseHeaderBytes;
  for (std::size_t i = 0; i < p.count; ++i, r += record) {
    for (std::size_t k = 0; k < p.samples; ++k)
      d.samples[i * p.samples + k] = static_cast<std::int16_t>(static_cast<std::uint16_t>(r[2 * k] | (r[2 * k + 1] << 8)));
    d.t0_ns[i] = get_f64(r + 2 * p.samples);
    d.amplitude[i] = get_f64(r + 2 * p.samples + 8);
    if (const std::string e = check_event(p, i, d.event(i), d.t0_ns[i], d.amplitude[i]); !e.empty()) fail(name, e);
  }
  return d;
}

const std::vector<std::string>& csv_keys() {
  static const std::vector<std::string> keys{"shape",        "order",          "tau_ns",        "rise_ns",       "decay_ns",
                                             "adc_bits",     "rate_msps",      "samples",       "baseline",      "first_sample",
                                             "spread_samples", "amplitude_min", "amplitude_max", "snr_db",        "noise_reference",
                                             "count",        "seed"};
  return keys;
}

std::string encode_csv(const Dataset& d) {
  const PulseParams& p = d.params;
  std::string s = "# strata pulses v1\n";
  s += fmt::format("# shape={}\n# order={}\n# tau_ns={}\n# rise_ns={}\n# decay_ns={}\n", shape_name(p.shape), p.order, number17(p.tau_ns),
                   number17(p.rise_ns), number17(p.decay_ns));
  s += fmt::format("# adc_bits={}\n# rate_msps={}\n# samples={}\n# baseline={}\n", p.adc_bits, number17(p.rate_msps), p.samples,
                   number17(p.baseline));
  s += fmt::format("# first_sample={}\n# spread_samples={}\n# amplitude_min={}\n# amplitude_max={}\n", p.first_sample,
                   number17(p.spread_samples), number17(p.amplitude_min), number17(p.amplitude_max));
  s += fmt::format("# snr_db={}\n# noise_reference={}\n# count={}\n# seed={}\n", number17(p.snr_db), noise_reference_name(p.noise_reference),
                   d.count(), p.seed);
  s += "event,t0_ns,amplitude";
  for (std::uint32_t k = 0; k < p.samples; ++k) s += fmt::format(",s{}", k);
  s += '\n';
  for (std::size_t i = 0; i < d.count(); ++i) {
    s += fmt::format("{},{},{}", i, number17(d.t0_ns[i]), number17(d.amplitude[i]));
    for (std::int16_t x : d.event(i)) s += fmt::format(",{}", x);
    s += '\n';
  }
  return s;
}

namespace {

template <typename T>
bool parse_int(std::string_view s, T& v) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}
bool parse_double(std::string_view s, double& v) {
  if (s == "none") {
    v = std::numeric_limits<double>::infinity();
    return true;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty() && std::isfinite(v);
}
std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> f;
  std::size_t a = 0;
  for (;;) {
    const std::size_t c = line.find(',', a);
    f.push_back(line.substr(a, c == std::string_view::npos ? std::string_view::npos : c - a));
    if (c == std::string_view::npos) break;
    a = c + 1;
  }
  return f;
}

}  // namespace

Dataset decode_csv(const std::string& text, const std::string& name) {
  std::vector<std::string_view> lines;
  {
    std::string_view t(text);
    while (!t.empty()) {
      const std::size_t nl = t.find('\n');
      std::string_view l = t.substr(0, nl);
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      lines.push_back(l);
      if (nl == std::string_view::npos) break;
      t.remove_prefix(nl + 1);
    }
  }
  std::size_t ln = 0;  // index of the next line
  auto line_no = [&] { return ln + 1; };
  if (lines.empty() || lines[0] != "# strata pulses v1") {
    if (!lines.empty() && lines[0].rfind("# strata pulses v", 0) == 0)
      fail_line(name, 1, fmt::format("unsupported version '{}'; this build reads '# strata pulses v1'", lines[0]));
    fail_line(name, 1, "bad magic: the first line is not '# strata pulses v1' (not a Strata pulse data set)");
  }
  ++ln;
  PulseParams p;
  for (const std::string& key : csv_keys()) {
    if (ln >= lines.size()) fail_line(name, line_no(), fmt::format("truncated: the parameter line '# {}=...' is missing", key));
    const std::string_view l = lines[ln];
    const std::string prefix = "# " + key + "=";
    if (l.rfind(prefix, 0) != 0) fail_line(name, line_no(), fmt::format("expected the parameter line '# {}=...', found '{}'", key, l));
    const std::string_view v = l.substr(prefix.size());
    bool ok = true;
    if (key == "shape") {
      ok = v == "crrc" || v == "double_exp";
      p.shape = v == "crrc" ? ShapeKind::crrc : ShapeKind::double_exp;
    } else if (key == "noise_reference") {
      ok = v == "pulse" || v == "max_amplitude";
      p.noise_reference = v == "pulse" ? NoiseReference::pulse : NoiseReference::max_amplitude;
    } else if (key == "order") ok = parse_int(v, p.order);
    else if (key == "tau_ns") ok = parse_double(v, p.tau_ns);
    else if (key == "rise_ns") ok = parse_double(v, p.rise_ns);
    else if (key == "decay_ns") ok = parse_double(v, p.decay_ns);
    else if (key == "adc_bits") ok = parse_int(v, p.adc_bits);
    else if (key == "rate_msps") ok = parse_double(v, p.rate_msps);
    else if (key == "samples") ok = parse_int(v, p.samples);
    else if (key == "baseline") ok = parse_double(v, p.baseline);
    else if (key == "first_sample") ok = parse_int(v, p.first_sample);
    else if (key == "spread_samples") ok = parse_double(v, p.spread_samples);
    else if (key == "amplitude_min") ok = parse_double(v, p.amplitude_min);
    else if (key == "amplitude_max") ok = parse_double(v, p.amplitude_max);
    else if (key == "snr_db") ok = parse_double(v, p.snr_db);
    else if (key == "count") ok = parse_int(v, p.count);
    else if (key == "seed") ok = parse_int(v, p.seed);
    if (!ok) fail_line(name, line_no(), fmt::format("{}: '{}' is not a valid value", key, v));
    ++ln;
  }
  if (const std::string e = check_params(p); !e.empty()) fail_line(name, line_no() - 1, "parameters: " + e);
  std::string header = "event,t0_ns,amplitude";
  for (std::uint32_t k = 0; k < p.samples; ++k) header += fmt::format(",s{}", k);
  if (ln >= lines.size()) fail_line(name, line_no(), "truncated: the column header is missing");
  if (lines[ln] != header) fail_line(name, line_no(), fmt::format("the column header is not 'event,t0_ns,amplitude,s0,...,s{}'", p.samples - 1));
  ++ln;
  Dataset d;
  d.params = p;
  d.samples.resize(p.count * p.samples);
  d.t0_ns.resize(p.count);
  d.amplitude.resize(p.count);
  for (std::size_t i = 0; i < p.count; ++i, ++ln) {
    if (ln >= lines.size() || (lines[ln].empty() && ln + 1 >= lines.size()))
      fail_line(name, line_no(), fmt::format("truncated: the header announces {} events, the file has {}", p.count, i));
    const auto f = split(lines[ln]);
    if (f.size() != 3 + p.samples) fail_line(name, line_no(), fmt::format("{} fields; expected {}", f.size(), 3 + p.samples));
    std::size_t index = 0;
    if (!parse_int(f[0], index) || index != i) fail_line(name, line_no(), fmt::format("event number '{}'; expected {}", f[0], i));
    if (!parse_double(f[1], d.t0_ns[i]) || !std::isfinite(d.t0_ns[i]))
      fail_line(name, line_no(), fmt::format("t0_ns '{}' is not a number", f[1]));
    if (!parse_double(f[2], d.amplitude[i]) || !std::isfinite(d.amplitude[i]))
      fail_line(name, line_no(), fmt::format("amplitude '{}' is not a number", f[2]));
    for (std::uint32_t k = 0; k < p.samples; ++k) {
      int code = 0;
      if (!parse_int(f[3 + k], code) || code < -32768 || code > 32767)
        fail_line(name, line_no(), fmt::format("s{} '{}' is not an ADC code", k, f[3 + k]));
      d.samples[i * p.samples + k] = static_cast<std::int16_t>(code);
    }
    if (const std::string e = check_event(p, i, d.event(i), d.t0_ns[i], d.amplitude[i]); !e.empty()) fail_line(name, line_no(), e);
  }
  while (ln < lines.size() && lines[ln].empty()) ++ln;
  if (ln < lines.size()) fail_line(name, line_no(), fmt::format("trailing line after the last of the {} events the header announces", p.count));
  return d;
}

namespace {
std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw PulseFileError(fmt::format("{}: error: cannot read the file", file.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
void spit(const std::filesystem::path& file, const char* data, std::size_t size) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) throw PulseFileError(fmt::format("{}: error: cannot write the file", file.string()));
  out.write(data, static_cast<std::streamsize>(size));
  if (!out) throw PulseFileError(fmt::format("{}: error: write failed", file.string()));
}
}  // namespace

void write_binary(const Dataset& d, const std::filesystem::path& file) {
  const auto b = encode_binary(d);
  spit(file, reinterpret_cast<const char*>(b.data()), b.size());
}
Dataset read_binary(const std::filesystem::path& file) {
  const std::string s = slurp(file);
  return decode_binary(std::vector<unsigned char>(s.begin(), s.end()), file.string());
}
void write_csv(const Dataset& d, const std::filesystem::path& file) {
  const std::string s = encode_csv(d);
  spit(file, s.data(), s.size());
}
Dataset read_csv(const std::filesystem::path& file) { return decode_csv(slurp(file), file.string()); }

}  // namespace strata::pulse
