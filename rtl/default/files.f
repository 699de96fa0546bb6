rtl/strata_default_mul_s4.sv
rtl/strata_default_mul_s8.sv
rtl/strata_default_mul_s16.sv
rtl/strata_default_au.sv
