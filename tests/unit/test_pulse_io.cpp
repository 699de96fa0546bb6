// Pulse data set files: round trips and every malformed-file error.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "pulse/dataset_io.h"
#include "pulse/simulate.h"

namespace sp = strata::pulse;

namespace {

sp::Dataset small_set() {
  sp::PulseParams p;
  p.count = 20;
  p.seed = 3;
  p.samples = 17;
  return sp::simulate(p);
}

void expect_same(const sp::Dataset& a, const sp::Dataset& b) {
  EXPECT_EQ(sp::encode_binary(a), sp::encode_binary(b));
  EXPECT_EQ(a.samples, b.samples);
  EXPECT_EQ(a.t0_ns, b.t0_ns);
  EXPECT_EQ(a.amplitude, b.amplitude);
  EXPECT_EQ(a.params.seed, b.params.seed);
  EXPECT_EQ(a.params.snr_db, b.params.snr_db);
}

std::string binary_error(std::vector<unsigned char> b) {
  try {
    sp::decode_binary(b, "bad.bin");
  } catch (const sp::PulseFileError& e) {
    return e.what();
  }
  return "(no error)";
}
std::string csv_error(const std::string& t) {
  try {
    sp::decode_csv(t, "bad.csv");
  } catch (const sp::PulseFileError& e) {
    return e.what();
  }
  return "(no error)";
}

void put_u32(std::vector<unsigned char>& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<unsigned char>(v >> (8 * i));
}
void put_f64(std::vector<unsigned char>& b, std::size_t at, double v) {
  std::uint64_t u = 0;
  std::memcpy(&u, &v, 8);
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<unsigned char>(u >> (8 * i));
}

}  // namespace

TEST(PulseFile, BinaryRoundTripThroughAFile) {
  const sp::Dataset d = small_set();
  const auto path = std::filesystem::temp_directory_path() / "strata_pulse_rt.bin";
  sp::write_binary(d, path);
  EXPECT_EQ(std::filesystem::file_size(path), 128 + 20 * (2 * 17 + 16));
  expect_same(sp::read_binary(path), d);
  std::filesystem::remove(path);
}

TEST(PulseFile, CsvRoundTripIsExact) {
  sp::Dataset d = small_set();
  const auto path = std::filesystem::temp_directory_path() / "strata_pulse_rt.csv";
  sp::write_csv(d, path);
  expect_same(sp::read_csv(path), d);
  std::filesystem::remove(path);
  d.params.snr_db = std::numeric_limits<double>::infinity();  // no noise: "none"
  expect_same(sp::decode_csv(sp::encode_csv(d), "x.csv"), d);
}

TEST(PulseFile, LayoutIsLittleEndianAsDocumented) {
  const auto b = sp::encode_binary(small_set());
  EXPECT_EQ(std::string(b.begin(), b.begin() + 8), "STRPULSE");
  EXPECT_EQ(b[8], 1);  // version
  EXPECT_EQ(b[12], 128);  // header size
  EXPECT_EQ(b[16], 20);  // count
  EXPECT_EQ(b[24], 17);  // samples
  EXPECT_EQ(b[28], 12);  // bits
  const sp::Dataset d = small_set();
  EXPECT_EQ(b[128] | (b[129] << 8), d.samples[0]);
}

TEST(PulseFile, BinaryErrorsNameTheProblem) {
  const auto good = sp::encode_binary(small_set());
  auto b = good;
  b.pop_back();
  EXPECT_NE(binary_error(b).find("bad.bin: error: truncated: the header announces 20 events of 17 samples (1128 bytes), the file has 1127 bytes (19 whole events)"), std::string::npos) << binary_error(b);
  b = good;
  b.push_back(0);
  EXPECT_NE(binary_error(b).find("1 trailing bytes"), std::string::npos) << binary_error(b);
  EXPECT_NE(binary_error({}).find("truncated header: the file has 0 bytes"), std::string::npos) << binary_error({});
  EXPECT_NE(binary_error(std::vector<unsigned char>(good.begin(), good.begin() + 60)).find("truncated header: the file has 60 bytes"),
            std::string::npos);
  b = good;
  b[3] = 'X';
  EXPECT_NE(binary_error(b).find("bad magic 'STRXULSE'; expected 'STRPULSE'"), std::string::npos) << binary_error(b);
  b = good;
  put_u32(b, 8, 2);
  EXPECT_NE(binary_error(b).find("unsupported version 2; this build reads version 1"), std::string::npos) << binary_error(b);
  b = good;
  put_u32(b, 12, 64);
  EXPECT_NE(binary_error(b).find("header size 64 bytes"), std::string::npos) << binary_error(b);
  b = good;
  put_u32(b, 28, 40);
  EXPECT_NE(binary_error(b).find("header: adc.bits: 40 is out of range"), std::string::npos) << binary_error(b);
  b = good;
  put_u32(b, 32, 9);
  EXPECT_NE(binary_error(b).find("header: shape.kind: code 9"), std::string::npos) << binary_error(b);
  b = good;
  put_f64(b, 56, 5.0);  // decay below rise
  EXPECT_NE(binary_error(b).find("header: shape.decay_ns"), std::string::npos) << binary_error(b);
  b = good;
  put_f64(b, 64, std::nan(""));
  EXPECT_NE(binary_error(b).find("header: adc.rate_msps: nan is out of range"), std::string::npos) << binary_error(b);
  b = good;
  b[128 + 2 * 3] = 0x00;
  b[128 + 2 * 3 + 1] = 0x20;  // code 8192 in a 12-bit set
  EXPECT_NE(binary_error(b).find("event 0 sample 3: code 8192 is outside the 12-bit ADC range 0..4095"), std::string::npos) << binary_error(b);
  b = good;
  const std::size_t rec = 2 * 17 + 16;
  put_f64(b, 128 + rec + 34, 100.0);  // event 1 t0
  EXPECT_NE(binary_error(b).find("event 1: true time 100 ns is outside the arrival range [32, 40] ns"), std::string::npos) << binary_error(b);
  b = good;
  put_f64(b, 128 + 2 * rec + 42, std::nan(""));  // event 2 amplitude
  EXPECT_NE(binary_error(b).find("event 2: true amplitude nan is outside the amplitude range"), std::string::npos) << binary_error(b);
  EXPECT_THROW(sp::read_binary("/nonexistent/strata.bin"), sp::PulseFileError);
}

TEST(PulseFile, CsvErrorsNameTheLine) {
  const std::string good = sp::encode_csv(small_set());
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string t = good;
    const auto at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return t.replace(at, from.size(), to);
  };
  EXPECT_NE(csv_error("event,t0\n").find("bad.csv:1: error: bad magic"), std::string::npos);
  EXPECT_NE(csv_error(replace("# strata pulses v1", "# strata pulses v7")).find("bad.csv:1: error: unsupported version"), std::string::npos);
  EXPECT_NE(csv_error("# strata pulses v1\n# shape=crrc\n").find("bad.csv:3: error: truncated: the parameter line '# order=...' is missing"),
            std::string::npos);
  EXPECT_NE(csv_error(replace("# order=4\n", "")).find("bad.csv:3: error: expected the parameter line '# order=...'"), std::string::npos);
  EXPECT_NE(csv_error(replace("# adc_bits=12", "# adc_bits=twelve")).find("bad.csv:7: error: adc_bits: 'twelve' is not a valid value"),
            std::string::npos);
  EXPECT_NE(csv_error(replace("# adc_bits=12", "# adc_bits=3")).find("bad.csv:18: error: parameters: adc.bits: 3 is out of range"),
            std::string::npos);
  EXPECT_NE(csv_error(replace(",s16\n", ",s17\n")).find("bad.csv:19: error: the column header"), std::string::npos);
  const std::string cut = good.substr(0, good.rfind('\n', good.size() - 2) + 1);  // the last row gone
  EXPECT_NE(csv_error(cut).find("bad.csv:39: error: truncated: the header announces 20 events, the file has 19"), std::string::npos)
      << csv_error(cut);
  EXPECT_NE(csv_error(good + "20,1,2\n").find("bad.csv:40: error: trailing line"), std::string::npos);
  EXPECT_NE(csv_error(replace("\n0,", "\n1,")).find("bad.csv:20: error: event number '1'; expected 0"), std::string::npos);
  const std::size_t row1 = good.find("\n1,") + 1;
  std::string t = good;
  t.insert(t.find('\n', row1), ",7");
  EXPECT_NE(csv_error(t).find("bad.csv:21: error: 21 fields; expected 20"), std::string::npos) << csv_error(t);
  t = good;
  t.replace(t.find('\n', row1) - 3, 3, "5e3");
  EXPECT_NE(csv_error(t).find("bad.csv:21: error: s16 '5e3' is not an ADC code"), std::string::npos) << csv_error(t);
  t = good;
  t.replace(t.rfind(',', t.find('\n', row1)) + 1, t.find('\n', row1) - t.rfind(',', t.find('\n', row1)) - 1, "9999");
  EXPECT_NE(csv_error(t).find("bad.csv:21: error: event 1 sample 16: code 9999 is outside the 12-bit ADC range"), std::string::npos)
      << csv_error(t);
  t = good;
  const std::size_t f1 = good.find(',', row1) + 1;
  t.replace(f1, good.find(',', f1) - f1, "1");
  EXPECT_NE(csv_error(t).find("bad.csv:21: error: event 1: true time 1 ns is outside the arrival range"), std::string::npos) << csv_error(t);
}
