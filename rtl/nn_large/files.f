rtl/nn_large_mul_s8.sv
rtl/nn_large_au.sv
rtl/nn_large_ram_2048x16.sv
rtl/nn_large_requant.sv
rtl/nn_large_pe.sv
rtl/nn_large_ram_8192x8.sv
rtl/nn_large_ram_2048x32.sv
rtl/nn_large_nn.sv
