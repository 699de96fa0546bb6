## Digilent Arty A7 (Artix-7 XC7A35T/XC7A100T, CSG324), pins from Digilent's
## master XDC. For a SoC top of a config with a uart section (<name>_soc)
## in a Vivado (or other XDC-reading) flow; `strata synth --target xc7` is a
## yosys resource estimate and reads no constraints. Set synth.clock_mhz to
## 100 for this board's clock, so that the UART bridge's divisor matches.
##
## clk_i: the 100 MHz oscillator. rst_ni: ck_rst, the RESET button.
## uart_rx_i / uart_tx_o: the FT2232's USB-UART (the board's second serial
## device on the host, e.g. /dev/ttyUSB1).
set_property -dict { PACKAGE_PIN E3  IOSTANDARD LVCMOS33 } [get_ports { clk_i }];     # Sch=gclk[100]
create_clock -add -name sys_clk_pin -period 10.00 -waveform {0 5} [get_ports { clk_i }];
set_property -dict { PACKAGE_PIN C2  IOSTANDARD LVCMOS33 } [get_ports { rst_ni }];    # Sch=ck_rst
set_property -dict { PACKAGE_PIN A9  IOSTANDARD LVCMOS33 } [get_ports { uart_rx_i }]; # Sch=uart_txd_in (host to FPGA)
set_property -dict { PACKAGE_PIN D10 IOSTANDARD LVCMOS33 } [get_ports { uart_tx_o }]; # Sch=uart_rxd_out (FPGA to host)
