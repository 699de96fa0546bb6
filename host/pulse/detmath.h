// Deterministic elementary functions for the pulse simulator.
//
// std::exp and std::log are not required to be correctly rounded, and C
// libraries differ in the last bit; a data set made with them could differ
// from one platform to another. These use only IEEE-754 +, -, *, / and exact
// scaling by powers of two (std::frexp, std::ldexp), in a fixed order, so that
// they return the same double everywhere (compiled without floating-point
// contraction, see host/pulse/CMakeLists.txt). Accuracy: within 2 ulp of the
// exact value over the ranges the simulator uses (tests/unit/test_pulse_sim.cpp).
#pragma once

namespace strata::pulse {

// e^x for x in [-700, 700]; 0 below -745, +inf above 709.78.
double det_exp(double x);

// Natural logarithm of x > 0 (finite); -inf for 0, NaN for x < 0.
double det_log(double x);

}  // namespace strata::pulse
