module sub(input clk, input [7:0] a, input [7:0] b, output reg [8:0] s);
  always @(posedge clk) s <= a + (b <<< 2) - b;
endmodule
module top(input clk, input [7:0] a, input [7:0] b, output reg [15:0] p, output [8:0] s);
  sub u_sub(.clk(clk), .a(a), .b(b), .s(s));
  always @(posedge clk) p <= a * b;
endmodule
