#include "blocks/au_lanes.h"

#include <fmt/format.h>

#include <stdexcept>

namespace strata {

namespace {

using golden::Format;
using ir::Dir;

struct Posit {
  int n, es;
};
Posit posit_of(Format f) {
  switch (f) {
    case Format::posit4_1:
      return {4, 1};
    case Format::posit8_0:
      return {8, 0};
    case Format::posit16_1:
      return {16, 1};
    default:
      throw std::logic_error("posit_of: not a posit format");
  }
}

std::string lit(int width, long long value) { return fmt::format("{}'d{}", width, value); }
std::string zeros(int width) { return fmt::format("{}'b0", width); }
// Zero-extends `expr` of `from` bits to `to` bits.
std::string zext(const std::string& expr, int from, int to) {
  if (to == from) return expr;
  return fmt::format("{{{}, {}}}", zeros(to - from), expr);
}
// The bit range [hi:lo] of `net`, or the single bit.
std::string bits(const std::string& net, int hi, int lo) { return hi == lo ? fmt::format("{}[{}]", net, hi) : fmt::format("{}[{}:{}]", net, hi, lo); }

// `x` of `xw` bits placed `shift` bits up in a `w`-bit word.
std::string place(const std::string& x, int xw, int shift, int w) {
  std::string s = "{";
  if (w - xw - shift > 0) s += zeros(w - xw - shift) + ", ";
  s += x;
  if (shift > 0) s += ", " + zeros(shift);
  return s + "}";
}

// Priority chain: `out` = value(i) for the highest set bit i of `net` among
// bits lo..w-1, else `none`.
template <class Value>
std::vector<ir::Stmt> highest_one(const std::string& out, int out_bits, const std::string& net, int lo, int w, int none, Value value) {
  std::vector<ir::Stmt> body{ir::assign(out, lit(out_bits, none))};
  for (int i = lo; i < w; ++i) body.push_back(ir::if_else(fmt::format("{}[{}]", net, i), {ir::assign(out, lit(out_bits, value(i)))}));
  return body;
}

}  // namespace

int bits_for(int max_value) {
  int b = 1;
  while ((1LL << b) <= max_value) ++b;
  return b;
}

LaneCode lane_code(Format f) {
  const auto& fi = golden::info(f);
  if (fi.is_integer) return {fi.lane_bits, 0, 0};
  if (f == Format::fp4) return {2, 2, -1};  // 0.m or 1.m, times 2^(E-1) (E = 0 is the subnormal 0.5)
  const auto [n, es] = posit_of(f);
  const int fb = n - 3 - es;  // fraction bits after the shortest regime
  const int range = (n - 2) << es;
  return {fb + 1, 2 * range, -range - fb};
}

std::string lane_decoder(const SocConfig& c, ir::Design& d, Format f) {
  const auto& fi = golden::info(f);
  const LaneCode lc = lane_code(f);
  const int n = fi.lane_bits;
  ir::Module m;
  m.name = fmt::format("{}_dec_{}", c.name, fi.name);
  m.port(Dir::in, "code_i", n, false, fmt::format("one {} lane", fi.name)).port(Dir::out, "sign_o").port(Dir::out, "mag_o", lc.mag_bits, false, "magnitude");
  if (lc.sh_max > 0) m.port(Dir::out, "sh_o", bits_for(lc.sh_max), false, fmt::format("value = mag * 2^(sh {} {})", lc.base < 0 ? "-" : "+", std::abs(lc.base)));
  if (fi.has_nar) m.port(Dir::out, "nar_o");
  m.assign("sign_o", fmt::format("code_i[{}]", n - 1));

  if (fi.is_integer) {
    m.description = fmt::format("{} lane as sign and magnitude.", fi.name);
    m.assign("mag_o", "sign_o ? -code_i : code_i");
    return d.add(std::move(m));
  }
  if (f == Format::fp4) {
    m.description = "FP4 E2M1 lane as sign, magnitude (0.m or 1.m) and exponent E-1 (0 for the subnormal).";
    m.assign("mag_o", "{|code_i[2:1], code_i[0]}");
    m.assign("sh_o", "(code_i[2:1] == 2'd0) ? 2'd0 : code_i[2:1] - 2'd1");
    return d.add(std::move(m));
  }

  const auto [pn, es] = posit_of(f);
  const int fb = lc.mag_bits - 1, rb = bits_for(n - 1), sb = bits_for(lc.sh_max);
  m.description = fmt::format("posit({},{}) lane as sign, magnitude 1.f ({} fraction bits) and biased scale.", pn, es, fb);
  m.net("zero").net("body", n - 1, false, "|code| after the sign: regime, exponent, fraction").net("inv", n - 1, false, "regime run as leading zeros");
  m.net("run", rb, false, "regime run length").net("rest", n - 3, false, "exponent and fraction after the shortest regime");
  m.net("rest_unused", 2, false, "always zero: the regime and its end take at least two bits");
  m.assign("nar_o", fmt::format("code_i == {}'h{:x}", n, 1u << (n - 1)));
  m.assign("zero", fmt::format("code_i == {}", zeros(n)));
  // The low n-1 bits of -code depend on the low n-1 bits of code only.
  m.assign("body", fmt::format("sign_o ? -{0} : {0}", bits("code_i", n - 2, 0)));
  m.assign("inv", fmt::format("body[{}] ? ~body : body", n - 2));
  // The highest set bit i of inv is the bit that ends the run: run = n-2-i.
  m.comb(highest_one("run", rb, "inv", 0, n - 1, n - 1, [n](int i) { return n - 2 - i; }));
  m.assign("{rest, rest_unused}", fmt::format("body << ({} + {})", zext("run", rb, rb + 1), lit(rb + 1, 1)));
  const std::string frac = fb > 0 ? bits("rest", n - 4 - es, 0) : "";
  m.assign("mag_o", fb > 0 ? fmt::format("zero ? {} : {{1'b1, {}}}", zeros(fb + 1), frac) : "~zero");
  // scale = k * 2^es + e with k = run-1 (ones) or -run (zeros); sh = scale + (n-2)*2^es.
  const std::string e = es > 0 ? zext(n == 4 ? "rest" : bits("rest", n - 4, n - 3 - es), es, sb) : lit(sb, 0);
  m.assign("sh_o", fmt::format("body[{0}] ? ((({1} + {2}) << {3}) | {4}) : ((({5} - {1}) << {3}) | {4})", n - 2, zext("run", rb, sb), lit(sb, n - 3),
                               es, e, lit(sb, n - 2)));
  return d.add(std::move(m));
}

std::string multiplier_unsigned(const SocConfig& c, ir::Design& d, int w) {
  ir::Module m;
  m.name = fmt::format("{}_mul_u{}", c.name, w);
  m.description = fmt::format("Unsigned {0} x {0} -> {1} bit multiplier.", w, 2 * w);
  m.port(Dir::in, "a_i", w).port(Dir::in, "b_i", w).port(Dir::out, "p_o", 2 * w, false, "exact product");
  m.assign("p_o", "a_i * b_i");
  return d.add(std::move(m));
}

std::string multiplier_signed(const SocConfig& c, ir::Design& d, int w) {
  ir::Module m;
  m.name = fmt::format("{}_mul_s{}", c.name, w);
  m.description = fmt::format("Signed {0} x {0} -> {1} bit multiplier (one AU lane).", w, 2 * w);
  m.port(Dir::in, "a_i", w, true, "multiplicand").port(Dir::in, "b_i", w, true, "multiplier").port(Dir::out, "p_o", 2 * w, true, "exact product");
  m.assign("p_o", "a_i * b_i");
  return d.add(std::move(m));
}

std::string multiplier_fabric(const SocConfig& c, ir::Design& d, FabricUse use) {
  const bool iso = c.au.isolate, dsp = c.au.multipliers == Multipliers::dsp;
  const int modes = use.lanes4 + use.lanes2 + use.lanes1;
  ir::Module m;
  m.name = c.name + "_mul_fabric";
  m.description = fmt::format("Shared multiplier fabric: {} sub-multipliers composed into 4x4, 2x8 or 1x16-bit lane products{}.",
                              dsp ? "four 8x8 (DSP)" : "sixteen 4x4 (LUT)", iso ? ", idle sub-multipliers held at zero" : "");
  m.port(Dir::in, "a_i", 16, false, "unsigned lane slots").port(Dir::in, "b_i", 16);
  // A mode signal is a port only where the variant below reads it.
  const bool cross1 = use.lanes2 || use.lanes1, cross2 = use.lanes1, dsp_cross = use.lanes4 || use.lanes1;
  const bool need4 = use.lanes4 && modes > 1 && (dsp || cross1);
  const bool need2 = dsp && iso && use.lanes2 && dsp_cross && modes > 1;
  const bool need1 = use.lanes1 && modes > 1 && (dsp ? !iso && use.lanes2 : true);
  auto mode = [&](bool needed, const char* name) -> std::string {
    if (needed) m.port(Dir::in, name, 1, false, "this beat's lane count");
    return needed ? name : "1'b1";
  };
  const std::string l4 = mode(need4, "lanes4_i"), l2 = mode(need2, "lanes2_i"), l1 = mode(need1, "lanes1_i");
  m.port(Dir::out, "p_o", 32, false, "lane l of S bits at [2Sl+2S-1:2Sl]");
  auto gate = [&](const std::string& x, int w, const std::string& en) { return iso && en != "1'b1" ? fmt::format("{} & {{{}{{{}}}}}", x, w, en) : x; };

  if (!dsp) {
    const std::string mul = multiplier_unsigned(c, d, 4);
    const std::string en1 = need4 ? "~" + l4 : "1'b1";  // 8-bit cross products: not with 4-bit lanes
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) {
        const bool level2 = (i < 2) != (j < 2), level1 = !level2 && i != j;
        if ((level1 && !cross1) || (level2 && !cross2)) continue;
        const std::string pp = fmt::format("pp{}{}", i, j);
        m.net(pp, 8);
        const std::string a = bits("a_i", 4 * i + 3, 4 * i);
        const std::string ga = level2 ? gate(a, 4, l1) : level1 ? gate(a, 4, en1) : a;
        if (ga != a) m.net(pp + "_a", 4).assign(pp + "_a", ga);
        m.instance(mul, "u_" + pp, {{"a_i", ga != a ? pp + "_a" : a}, {"b_i", bits("b_i", 4 * j + 3, 4 * j)}, {"p_o", pp}});
      }
    m.net("p4", 32, false, "four 4x4 products");
    m.assign("p4", "{pp33, pp22, pp11, pp00}");
    std::string out = "p4";
    if (cross1) {
      m.net("p2", 32, false, "two 8x8 products");
      m.assign("p2", "{p4[31:16] + {3'b0, {1'b0, pp23} + {1'b0, pp32}, 4'b0}, p4[15:0] + {3'b0, {1'b0, pp01} + {1'b0, pp10}, 4'b0}}");
      out = iso || !use.lanes4 ? "p2" : fmt::format("{} ? p4 : p2", l4);
    }
    if (cross2) {
      m.net("x2", 17, false, "a[7:0]*b[15:8] + a[15:8]*b[7:0]");
      std::string x2;
      for (const auto& [pp, sh] : std::vector<std::pair<std::string, int>>{{"pp02", 0}, {"pp03", 4}, {"pp12", 4}, {"pp13", 8}, {"pp20", 0}, {"pp21", 4}, {"pp30", 4}, {"pp31", 8}})
        x2 += (x2.empty() ? "" : " + ") + place(pp, 8, sh, 17);
      m.assign("x2", x2);
      m.net("p1", 32, false, "one 16x16 product");
      m.assign("p1", "p2 + {7'b0, x2, 8'b0}");
      out = iso || modes == 1 ? "p1" : fmt::format("{} ? p1 : {}", l1, out);
    }
    m.assign("p_o", out);
    return d.add(std::move(m));
  }

  // DSP fabric: m00 = a[7:0]*b[7:0], m11 = a[15:8]*b[15:8] and the cross
  // products m01, m10; with 4-bit lanes each of the four takes one lane.
  const std::string mul = multiplier_unsigned(c, d, 8);
  const bool cross = dsp_cross;
  const std::string cross_en = need2 ? "~" + l2 : "1'b1";  // cross products idle with 8-bit lanes
  struct Sub {
    const char* name;
    int a_hi, b_hi;  // 8-bit slices in wide modes
    int lane4;       // the 4-bit lane it takes
  };
  for (const Sub& s : {Sub{"m00", 7, 7, 0}, Sub{"m01", 7, 15, 1}, Sub{"m10", 15, 7, 2}, Sub{"m11", 15, 15, 3}}) {
    const bool is_cross = s.a_hi != s.b_hi;
    if (is_cross && !cross) continue;
    auto input = [&](const char* port, int hi) {
      const std::string wide = bits(port, hi, hi - 7), narrow = fmt::format("{{4'b0, {}}}", bits(port, 4 * s.lane4 + 3, 4 * s.lane4));
      if (!use.lanes4) return wide;
      if (!use.lanes2 && !use.lanes1) return narrow;
      return fmt::format("{} ? {} : {}", l4, narrow, wide);
    };
    std::string a = input("a_i", s.a_hi);
    const std::string b = input("b_i", s.b_hi);
    if (is_cross && iso && cross_en != "1'b1") a = fmt::format("({}) & {{8{{{}}}}}", a, cross_en);
    m.net(std::string(s.name) + "_a", 8).net(std::string(s.name) + "_b", 8).net(s.name, 16);
    m.assign(std::string(s.name) + "_a", a).assign(std::string(s.name) + "_b", b);
    m.instance(mul, std::string("u_") + s.name, {{"a_i", std::string(s.name) + "_a"}, {"b_i", std::string(s.name) + "_b"}, {"p_o", s.name}});
  }
  std::string out;
  if (use.lanes2 || use.lanes1) {
    m.net("p2", 32, false, "two 8x8 products").assign("p2", "{m11, m00}");
    out = "p2";
  }
  if (use.lanes1) {
    m.net("p1", 32, false, "one 16x16 product").assign("p1", "p2 + {7'b0, {1'b0, m01} + {1'b0, m10}, 8'b0}");
    out = iso || !use.lanes2 ? "p1" : fmt::format("{} ? p1 : p2", l1);
  }
  if (use.lanes4) {
    m.net("p4", 32, false, "four 4x4 products").assign("p4", "{m11[7:0], m10[7:0], m01[7:0], m00[7:0]}");
    // Without a 16-bit lane the cross products only ever hold 4x4 products.
    if (!use.lanes1) m.net("cross_hi_unused", 16).assign("cross_hi_unused", "{m01[15:8], m10[15:8]}");
    out = out.empty() ? "p4" : fmt::format("{} ? p4 : {}", l4, out);
  }
  m.assign("p_o", out);
  return d.add(std::move(m));
}

std::string readout_encoder(const SocConfig& c, ir::Design& d, Format f, int w, int frac) {
  const auto& fi = golden::info(f);
  const int n = fi.lane_bits, pb = bits_for(w - 1);
  ir::Module m;
  m.name = fmt::format("{}_rd_{}", c.name, fi.name);

  if (fi.is_integer) {
    m.port(Dir::in, "q_i", w, false, fmt::format("quire: signed, {} fraction bits", frac)).port(Dir::out, "code_o", n, false, std::string(fi.name));
    m.description = fmt::format("Quire to {}: nearest, ties to even, saturated.", fi.name);
    const int iw = w - frac, rw = iw + 1;
    m.net("ip", iw, false, "floor(q)").net("r", rw, false, "rounded");
    m.assign("ip", bits("q_i", w - 1, frac));
    if (frac > 0) {
      m.net("up", 1, false, "round up: above half, or half and odd");
      m.assign("up", fmt::format("q_i[{}] & ({} | ip[0])", frac - 1, frac >= 2 ? fmt::format("(|{})", bits("q_i", frac - 2, 0)) : "1'b0"));
      m.assign("r", fmt::format("{{ip[{}], ip}} + {}", iw - 1, zext("up", 1, rw)));
    } else {
      m.assign("r", fmt::format("{{ip[{}], ip}}", iw - 1));
    }
    if (rw <= n) {
      m.assign("code_o", rw == n ? "r" : fmt::format("{{{{{}{{r[{}]}}}}, r}}", n - rw, rw - 1));
    } else {
      m.net("fits", 1, false, "r is within the format's range");
      m.assign("fits", fmt::format("({0} == {1}) | ({0} == {{{2}{{1'b1}}}})", bits("r", rw - 1, n - 1), zeros(rw - n + 1), rw - n + 1));
      m.assign("code_o", fmt::format("fits ? r[{0}:0] : r[{1}] ? {{1'b1, {2}}} : {{1'b0, {{{0}{{1'b1}}}}}}", n - 1, rw - 1, zeros(n - 1)));
    }
    return d.add(std::move(m));
  }

  if (f == Format::fp4) {
    m.description = "Quire to FP4 E2M1: nearest, ties to even, saturated at 6.";
    m.port(Dir::in, "sign_i", 1, false, "quire sign").port(Dir::in, "mag_i", w, false, fmt::format("|quire|, {} fraction bits", frac));
    m.port(Dir::out, "code_o", n, false, std::string(fi.name));
    // Bits of |q| worth 2^2 .. 2^-2, then sticky below and overflow above.
    m.net("t", 5, false, "|q| bits 2^2 .. 2^-2").net("big", 1, false, "|q| >= 8").net("s0", 1, false, "any bit below 2^-2");
    m.net("r4", 4, false, "4 <= |q| < 8").net("m3", 3, false, "magnitude code");
    m.assign("t", bits("mag_i", frac + 2, frac - 2));
    m.assign("big", w - 1 >= frac + 3 ? fmt::format("|{}", bits("mag_i", w - 1, frac + 3)) : "1'b0");
    m.assign("s0", frac >= 3 ? fmt::format("|{}", bits("mag_i", frac - 3, 0)) : "1'b0");
    m.assign("r4", "{3'b011, t[3]} + {3'b0, t[2] & (t[1] | t[0] | s0 | t[3])}");
    m.assign("m3", "big | (t[4] & r4[3]) ? 3'b111 : t[4] ? r4[2:0] : t[3] ? {2'b10, t[2]} + {2'b0, t[1] & (t[0] | s0 | t[2])} : "
                   "{1'b0, t[2:1]} + {2'b0, t[0] & (s0 | t[1])}");
    m.assign("code_o", "{sign_i, m3}");
    return d.add(std::move(m));
  }

  const auto [pn, es] = posit_of(f);
  const int range = (n - 2) << es;  // largest |scale|
  m.description = fmt::format("Normalized quire to posit({},{}): rounded on the bit pattern, nearest, ties to even; never 0 or NaR.", pn, es);
  m.port(Dir::in, "sign_i", 1, false, "quire sign").port(Dir::in, "zero_i", 1, false, "quire is 0");
  m.port(Dir::in, "p_i", pb, false, fmt::format("position of the leading one of |q| ({} fraction bits)", frac));
  m.port(Dir::in, "fr_i", n, false, "the bits below the leading one").port(Dir::in, "s0_i", 1, false, "any bit below those");
  m.port(Dir::out, "code_o", n, false, std::string(fi.name));
  const int ub = bits_for(w - 1 + range), kb = ub - es, lt = es + 2 * n;
  m.net("u", ub, false, "scale + (n-2)*2^es").net("sat_hi").net("sat_lo").net("kb", kb, false, "k + n - 2");
  m.net("vpos", lt).net("vneg", lt).net("v", lt, false, "regime, exponent, fraction, shifted into place");
  m.net("kept", n - 1).net("rnd", n - 1).net("magc", n - 1);
  m.assign("u", fmt::format("{} + {} - {}", zext("p_i", pb, ub), lit(ub, range), lit(ub, frac)));
  m.assign("sat_hi", frac + range < w - 1 ? fmt::format("p_i > {}", lit(pb, frac + range)) : "1'b0");
  m.assign("sat_lo", frac - range > 0 ? fmt::format("p_i < {}", lit(pb, frac - range)) : "1'b0");
  m.assign("kb", bits("u", ub - 1, es));
  const std::string e = es > 0 ? bits("u", es - 1, 0) + ", " : "";
  // k >= 0: k+1 ones then a zero (ones shifted in); k < 0: -k zeros then a one.
  m.assign("vpos", fmt::format("~(~{{2'b10, {}fr_i, {}}} >> (kb - {}))", e, zeros(n - 2), lit(kb, n - 2)));
  m.assign("vneg", fmt::format("{{2'b01, {}fr_i, {}}} >> ({} - kb)", e, zeros(n - 2), lit(kb, n - 3)));
  m.assign("v", fmt::format("kb >= {} ? vpos : vneg", lit(kb, n - 2)));
  m.assign("kept", bits("v", lt - 1, lt - n + 1));
  m.assign("rnd", fmt::format("kept + {}", zext(fmt::format("v[{}] & ((|{}) | s0_i | kept[0])", lt - n, bits("v", lt - n - 1, 0)), 1, n - 1)));
  m.assign("magc", fmt::format("sat_hi ? {{{}{{1'b1}}}} : sat_lo ? {} : rnd", n - 1, lit(n - 1, 1)));
  m.assign("code_o", fmt::format("zero_i ? {} : sign_i ? -{{1'b0, magc}} : {{1'b0, magc}}", zeros(n)));
  return d.add(std::move(m));
}

std::string readout_normalizer(const SocConfig& c, ir::Design& d, int w, int fr_bits, bool with_mag) {
  const int pb = bits_for(w - 1);
  ir::Module m;
  m.name = c.name + "_rd_norm";
  m.description = "Read-out normalizer shared by every float format: sign, |q|, its leading one and the bits below it.";
  m.port(Dir::in, "q_i", w, false, "quire, signed").port(Dir::out, "sign_o");
  if (with_mag) m.port(Dir::out, "mag_o", w, false, "|q|");
  m.net("mag", w, false, "|q|");
  m.assign("sign_o", fmt::format("q_i[{}]", w - 1));
  m.assign("mag", "sign_o ? -q_i : q_i");
  if (with_mag) m.assign("mag_o", "mag");
  if (fr_bits > 0) {
    m.port(Dir::out, "zero_o").port(Dir::out, "p_o", pb, false, "position of the leading one");
    m.port(Dir::out, "fr_o", fr_bits, false, "the bits below the leading one").port(Dir::out, "s0_o", 1, false, "any bit below those");
    m.net("p", pb).net("norm", w - 1, false, "the bits below the leading one of |q|, left-aligned");
    m.assign("zero_o", fmt::format("q_i == {}", zeros(w)));
    m.comb(highest_one("p", pb, "mag", 1, w, 0, [](int i) { return i; }));
    m.assign("p_o", "p");
    m.assign("norm", fmt::format("{} << ({} - p)", bits("mag", w - 2, 0), lit(pb, w - 1)));
    if (w - 1 >= fr_bits) {
      m.assign("fr_o", bits("norm", w - 2, w - 1 - fr_bits));
      m.assign("s0_o", w - 1 > fr_bits ? fmt::format("|{}", bits("norm", w - 2 - fr_bits, 0)) : "1'b0");
    } else {
      m.assign("fr_o", fmt::format("{{{}, {}}}", bits("norm", w - 2, 0), zeros(fr_bits - w + 1)));
      m.assign("s0_o", "1'b0");
    }
  }
  return d.add(std::move(m));
}

}  // namespace strata
