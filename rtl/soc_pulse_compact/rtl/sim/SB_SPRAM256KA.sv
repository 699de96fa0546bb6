// Strata simulation model (hand-written) of the iCE40 UP5K SPRAM primitive
// SB_SPRAM256KA, for Verilator, Icarus and synthesis for targets without it:
// 16384 x 16 bits, one synchronous port. With CHIPSELECT, a read (WREN low)
// registers mem[ADDRESS] into DATAOUT; a write stores the nibbles MASKWREN
// enables and leaves DATAOUT undefined. Otherwise DATAOUT holds. The power
// controls are modelled as the wrapper ties them (awake, powered): STANDBY
// or SLEEP high, or POWEROFF low, makes DATAOUT undefined.
module SB_SPRAM256KA (
  input  logic [13:0] ADDRESS,
  input  logic [15:0] DATAIN,
  input  logic [3:0]  MASKWREN,
  input  logic        WREN,
  input  logic        CHIPSELECT,
  input  logic        CLOCK,
  input  logic        STANDBY,
  input  logic        SLEEP,
  input  logic        POWEROFF,
  output logic [15:0] DATAOUT
);
  logic [15:0] mem [16384];
  logic [15:0] dout_q;
  always_ff @(posedge CLOCK) begin
    if (STANDBY || SLEEP || !POWEROFF) begin
      dout_q <= 'x;
    end else if (CHIPSELECT) begin
      if (WREN) begin
        for (int n = 0; n < 4; n++)
          if (MASKWREN[n]) mem[ADDRESS][4*n +: 4] <= DATAIN[4*n +: 4];
        dout_q <= 'x;
      end else begin
        dout_q <= mem[ADDRESS];
      end
    end
  end
  assign DATAOUT = dout_q;
endmodule
