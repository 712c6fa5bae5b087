using MixQ.Codegen.Verilog;

namespace MixQ.Codegen.Vectors;

/// <summary>
/// The C++ side of the vector files (<see cref="TestVectors"/>): one reader, emitted into every generated testbench
/// that replays them (the Verilator testbench and the HLS C++ testbench), so both parse the files the same way.
/// </summary>
internal static class VectorTableCpp
{
    /// <summary>
    /// Emits <c>read_table(path)</c>: one row of integers per non-empty line; a file that cannot be opened ends the
    /// testbench with exit code 2. Needs &lt;cstdio&gt;, &lt;fstream&gt;, &lt;sstream&gt;, &lt;string&gt; and &lt;vector&gt;.
    /// </summary>
    public static void WriteReader(VerilogText w)
    {
        w.Line("static std::vector<std::vector<long long>> read_table(const std::string& path) {");
        w.Line("  std::vector<std::vector<long long>> rows;");
        w.Line("  std::ifstream in(path);");
        w.Line("  if (!in) { std::fprintf(stderr, \"cannot open %s\\n\", path.c_str()); std::exit(2); }");
        w.Line("  std::string line;");
        w.Line("  while (std::getline(in, line)) {");
        w.Line("    if (line.empty()) continue;");
        w.Line("    std::istringstream s(line);");
        w.Line("    std::vector<long long> row;");
        w.Line("    long long v;");
        w.Line("    while (s >> v) row.push_back(v);");
        w.Line("    rows.push_back(row);");
        w.Line("  }");
        w.Line("  return rows;");
        w.Line("}");
    }
}
