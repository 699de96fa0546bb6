rtl/strata_int8_mul_s8.sv
rtl/strata_int8_au.sv
