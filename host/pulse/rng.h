// The simulator's random numbers: reproducible from a seed on every platform.
//
// The engine is std::mt19937_64 seeded with the 64-bit seed (its output
// sequence is fixed by the C++ standard). From each 64-bit output x:
//   uniform()  = (x >> 11) * 2^-53                 in [0, 1), 53 random bits;
//   gaussian() = Marsaglia's polar form of the Box-Muller transform: draw
//                u = 2 uniform() - 1, v = 2 uniform() - 1 until 0 < q = u^2 + v^2 < 1,
//                then f = sqrt(-2 ln(q) / q) and the two normals are u f, then v f
//                (the second is kept and returned by the next call).
// ln is det_log (host/pulse/detmath.h), sqrt is IEEE-exact: the same seed gives
// the same doubles with any compiler and C library. std::normal_distribution is
// not used (its algorithm is left to the library).
#pragma once

#include <cstdint>
#include <random>

namespace strata::pulse {

class PulseRng {
 public:
  explicit PulseRng(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t next() { return engine_(); }
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double gaussian();
  // Forgets the kept second normal, so that the next gaussian() starts a new pair.
  void drop_spare() { has_spare_ = false; }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace strata::pulse
