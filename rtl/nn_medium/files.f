rtl/nn_medium_mul_s8.sv
rtl/nn_medium_au.sv
rtl/nn_medium_ram_1024x16.sv
rtl/nn_medium_requant.sv
rtl/nn_medium_pe.sv
rtl/nn_medium_ram_4096x8.sv
rtl/nn_medium_ram_1024x32.sv
rtl/nn_medium_nn.sv
