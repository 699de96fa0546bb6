rtl/gelu_unit_gelu_mem_512x8.sv
rtl/gelu_unit_gelu_mem_128x24.sv
rtl/gelu_unit_gelu.sv
