// Building blocks of the mixed-precision AU (gen/blocks/au_gen.cpp): lane
// decoders, the multiplier fabric and the read-out encoders. Each returns the
// name of the module it added to the design (emitted once per config).
#pragma once

#include <string>

#include "config/config.h"
#include "ir/design.h"

namespace strata {

// A decoded lane is (-1)^sign * mag * 2^(sh + base): mag unsigned of
// mag_bits, sh unsigned in [0, sh_max]. Integers: mag = |x|, sh = 0, base = 0.
struct LaneCode {
  int mag_bits;
  int sh_max;
  int base;
};
LaneCode lane_code(golden::Format f);
int bits_for(int max_value);  // bits of an unsigned number up to max_value (at least 1)

// Decoder of one lane: code_i -> sign_o, mag_o, sh_o (when sh_max > 0),
// nar_o (posits). Integers with share: false need none (signed multipliers).
std::string lane_decoder(const SocConfig& c, ir::Design& d, golden::Format f);

// Unsigned multipliers for the per-format datapaths (share: false).
std::string multiplier_unsigned(const SocConfig& c, ir::Design& d, int bits);
std::string multiplier_signed(const SocConfig& c, ir::Design& d, int bits);

// The shared fabric (share: true): a_i, b_i hold L unsigned lane slots of
// S = 16/L bits each; lanes4_i / lanes2_i / lanes1_i say how many lanes this
// beat has (a port exists only where the variant reads it); p_o holds lane
// l's product at [2*S*l + 2*S-1 : 2*S*l].
struct FabricUse {
  bool lanes4 = false, lanes2 = false, lanes1 = false;
};
std::string multiplier_fabric(const SocConfig& c, ir::Design& d, FabricUse use);

// Read-out encoder: the quire (W bits, F fraction bits) rounded once,
// correctly, to format f: code_o (f's lane bits). Integers read q_i; FP4 the
// normalizer's sign and |q|; posits its sign, zero flag, leading-one position
// and the n bits below it with a sticky bit. NaR is the caller's.
std::string readout_encoder(const SocConfig& c, ir::Design& d, golden::Format f, int width, int frac_bits);
// The normalization every float read-out shares: q_i -> sign_o, mag_o (with_mag),
// zero_o, p_o, fr_o (fr_bits > 0: the widest posit's n), s0_o.
std::string readout_normalizer(const SocConfig& c, ir::Design& d, int width, int fr_bits, bool with_mag);

}  // namespace strata
