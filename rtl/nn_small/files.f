rtl/nn_small_mul_s8.sv
rtl/nn_small_au.sv
rtl/nn_small_ram_1024x16.sv
rtl/nn_small_requant.sv
rtl/nn_small_pe.sv
rtl/nn_small_ram_2048x8.sv
rtl/nn_small_ram_1024x32.sv
rtl/nn_small_nn.sv
