// Strata vendor wrapper (hand-written): a 16384 x 16-bit memory on one iCE40
// UP5K single-port SPRAM (SB_SPRAM256KA), with the port names of Strata's
// inferred memories. One access per cycle: a write (we_i) or a read (re_i),
// never both; read data arrive the cycle after the read and are held until
// the next read. A write leaves the read data undefined.
module ice40_spram_16kx16 (
  input  logic        clk_i,
  input  logic        we_i,
  input  logic [13:0] waddr_i,
  input  logic [15:0] wdata_i,
  input  logic        re_i,
  input  logic [13:0] raddr_i,
  output logic [15:0] rdata_o
);
  SB_SPRAM256KA u_spram (
    .ADDRESS   (we_i ? waddr_i : raddr_i),
    .DATAIN    (wdata_i),
    .MASKWREN  (4'b1111),
    .WREN      (we_i),
    .CHIPSELECT(we_i | re_i),
    .CLOCK     (clk_i),
    .STANDBY   (1'b0),
    .SLEEP     (1'b0),
    .POWEROFF  (1'b1),
    .DATAOUT   (rdata_o)
  );
endmodule
