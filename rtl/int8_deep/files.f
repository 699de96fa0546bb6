rtl/strata_int8_mul_u8.sv
rtl/strata_int8_mul_fabric.sv
rtl/strata_int8_dec_int8.sv
rtl/strata_int8_au.sv
