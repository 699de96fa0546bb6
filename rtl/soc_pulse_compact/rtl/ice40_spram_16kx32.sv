// Strata vendor wrapper (hand-written): a 16384 x 32-bit memory with byte
// lanes on two iCE40 UP5K single-port SPRAMs (SB_SPRAM256KA) side by side,
// bits 15:0 in u_lo and 31:16 in u_hi, with the port names of Strata's
// inferred memories. MASKWREN enables nibbles: byte lane k (we_i[k]) is the
// two nibbles 2k and 2k+1 of its SPRAM. One access per cycle: a write (any
// we_i bit) or a read (re_i); a write wins over a read in the same cycle,
// and the read is lost. Read data arrive the cycle after the read and are
// held until the next access; a write leaves them undefined.
module ice40_spram_16kx32 (
  input  logic        clk_i,
  input  logic [3:0]  we_i,
  input  logic [13:0] waddr_i,
  input  logic [31:0] wdata_i,
  input  logic        re_i,
  input  logic [13:0] raddr_i,
  output logic [31:0] rdata_o
);
  logic        wr;
  logic [13:0] addr;
  assign wr   = we_i != 4'b0000;
  assign addr = wr ? waddr_i : raddr_i;
  SB_SPRAM256KA u_lo (
    .ADDRESS   (addr),
    .DATAIN    (wdata_i[15:0]),
    .MASKWREN  ({we_i[1], we_i[1], we_i[0], we_i[0]}),
    .WREN      (wr),
    .CHIPSELECT(wr | re_i),
    .CLOCK     (clk_i),
    .STANDBY   (1'b0),
    .SLEEP     (1'b0),
    .POWEROFF  (1'b1),
    .DATAOUT   (rdata_o[15:0])
  );
  SB_SPRAM256KA u_hi (
    .ADDRESS   (addr),
    .DATAIN    (wdata_i[31:16]),
    .MASKWREN  ({we_i[3], we_i[3], we_i[2], we_i[2]}),
    .WREN      (wr),
    .CHIPSELECT(wr | re_i),
    .CLOCK     (clk_i),
    .STANDBY   (1'b0),
    .SLEEP     (1'b0),
    .POWEROFF  (1'b1),
    .DATAOUT   (rdata_o[31:16])
  );
endmodule
