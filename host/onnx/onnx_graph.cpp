#include "onnx/onnx_graph.h"

#include <onnx/onnx_pb.h>

#include <fmt/format.h>

#include <cstring>
#include <limits>

#include "onnx/onnx_import.h"

namespace strata::onnx_import {

namespace {

[[noreturn]] void fail(const std::string& file, const std::string& where, const std::string& problem, const std::string& allowed) {
  throw ImportError(file, where, problem, allowed);
}

// The element size of raw_data for the types the importer reads.
std::size_t raw_size(DType t) {
  switch (t) {
    case DType::uint8:
    case DType::int8:
    case DType::boolean: return 1;
    case DType::uint16:
    case DType::int16: return 2;
    case DType::float32:
    case DType::int32:
    case DType::uint32: return 4;
    case DType::int64:
    case DType::uint64:
    case DType::float64: return 8;
    default: return 0;
  }
}

template <class T>
T load_le(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));  // x86-64 and ONNX's raw_data are both little-endian
  return v;
}

double raw_value(DType t, const char* p) {
  switch (t) {
    case DType::uint8: return static_cast<double>(load_le<std::uint8_t>(p));
    case DType::int8: return static_cast<double>(load_le<std::int8_t>(p));
    case DType::boolean: return static_cast<double>(load_le<std::uint8_t>(p) != 0);
    case DType::uint16: return static_cast<double>(load_le<std::uint16_t>(p));
    case DType::int16: return static_cast<double>(load_le<std::int16_t>(p));
    case DType::float32: return static_cast<double>(load_le<float>(p));
    case DType::int32: return static_cast<double>(load_le<std::int32_t>(p));
    case DType::uint32: return static_cast<double>(load_le<std::uint32_t>(p));
    case DType::int64: return static_cast<double>(load_le<std::int64_t>(p));
    case DType::uint64: return static_cast<double>(load_le<std::uint64_t>(p));
    case DType::float64: return load_le<double>(p);
    default: return 0;
  }
}

Constant read_tensor(const onnx::TensorProto& t, const std::string& file, const std::string& where) {
  Constant c;
  c.name = t.name();
  c.dtype = static_cast<DType>(t.data_type());
  std::int64_t n = 1;
  for (const auto d : t.dims()) {
    if (d < 0 || d > (std::int64_t{1} << 31)) fail(file, where, fmt::format("has a dimension of {}", d), "dimensions 0 .. 2^31");
    c.dims.push_back(d);
    n *= d;
    if (n > (std::int64_t{1} << 31)) fail(file, where, "has more than 2^31 elements", "tensors of at most 2^31 elements");
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    fail(file, where, "keeps its data in an external file", "tensors with their data inside the .onnx file");
  const std::size_t size = raw_size(c.dtype);
  if (size == 0)
    fail(file, where, fmt::format("is of type {}", dtype_name(c.dtype)),
         "tensors of type float, double, int8, uint8, int16, uint16, int32, uint32, int64, uint64 or bool");
  const auto count = static_cast<std::size_t>(n);
  c.values.reserve(count);
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    if (raw.size() != count * size)
      fail(file, where, fmt::format("holds {} bytes of raw data, its dims {} of {} need {}", raw.size(), fmt::join(c.dims, "x"), dtype_name(c.dtype), count * size),
           "raw data of exactly the tensor's size");
    for (std::size_t i = 0; i < count; ++i) c.values.push_back(raw_value(c.dtype, raw.data() + i * size));
    return c;
  }
  switch (c.dtype) {
    case DType::float32:
      for (const float v : t.float_data()) c.values.push_back(static_cast<double>(v));
      break;
    case DType::float64:
      for (const double v : t.double_data()) c.values.push_back(v);
      break;
    case DType::int64:
      for (const auto v : t.int64_data()) c.values.push_back(static_cast<double>(v));
      break;
    case DType::uint32:
    case DType::uint64:
      for (const auto v : t.uint64_data()) c.values.push_back(static_cast<double>(v));
      break;
    default:  // int8, uint8, int16, uint16, int32, bool: int32_data
      for (const auto v : t.int32_data()) c.values.push_back(static_cast<double>(v));
      break;
  }
  if (c.values.size() != count)
    fail(file, where, fmt::format("holds {} values, its dims [{}] need {}", c.values.size(), fmt::join(c.dims, ", "), count),
         "exactly one value per element");
  return c;
}

ValueInfo read_value_info(const onnx::ValueInfoProto& v) {
  ValueInfo info;
  info.name = v.name();
  if (v.type().has_tensor_type()) {
    const auto& tt = v.type().tensor_type();
    info.dtype = static_cast<DType>(tt.elem_type());
    if (tt.has_shape()) {
      info.has_shape = true;
      for (const auto& d : tt.shape().dim()) info.dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
    }
  }
  return info;
}

}  // namespace

std::string dtype_name(DType t) {
  switch (t) {
    case DType::undefined: return "undefined";
    case DType::float32: return "float";
    case DType::uint8: return "uint8";
    case DType::int8: return "int8";
    case DType::uint16: return "uint16";
    case DType::int16: return "int16";
    case DType::int32: return "int32";
    case DType::int64: return "int64";
    case DType::string: return "string";
    case DType::boolean: return "bool";
    case DType::float16: return "float16";
    case DType::float64: return "double";
    case DType::uint32: return "uint32";
    case DType::uint64: return "uint64";
    case DType::bfloat16: return "bfloat16";
  }
  return fmt::format("type {}", static_cast<int>(t));
}

bool is_float(DType t) { return t == DType::float32 || t == DType::float64 || t == DType::float16 || t == DType::bfloat16; }

Graph read_graph(const std::string& bytes, const std::string& file) {
  const std::string allowed = "a serialized ONNX ModelProto (a .onnx file)";
  if (bytes.empty()) fail(file, "the file", "is empty", allowed);
  onnx::ModelProto model;
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    fail(file, "the file", fmt::format("is not a valid ONNX protobuf ({} bytes that do not parse: not protobuf, or truncated)", bytes.size()),
         allowed);
  if (!model.has_graph() || model.ir_version() <= 0)
    fail(file, "the file", fmt::format("parses as protobuf but is no ONNX model (ir_version {}, {})", model.ir_version(),
                                       model.has_graph() ? "a graph" : "no graph"),
         allowed);
  Graph g;
  for (const auto& op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") g.opset = op.version();
  if (g.opset == 0) g.opset = 1;  // an ir_version 3+ model without an opset_import entry: the first opset
  const auto& graph = model.graph();
  g.name = graph.name();
  for (const auto& t : graph.initializer()) {
    const std::string where = fmt::format("initializer '{}'", t.name());
    if (g.initializers.contains(t.name())) fail(file, where, "is given twice", "one initializer per name");
    g.initializers.emplace(t.name(), read_tensor(t, file, where));
  }
  if (graph.sparse_initializer_size() > 0) fail(file, "the graph", "has sparse initializers", "dense initializers only");
  for (const auto& v : graph.input())
    if (!g.initializers.contains(v.name())) g.inputs.push_back(read_value_info(v));
  for (const auto& v : graph.output()) g.outputs.push_back(read_value_info(v));
  for (const auto& n : graph.node()) {
    Node node;
    node.name = n.name();
    node.op_type = n.op_type();
    node.domain = n.domain();
    node.inputs.assign(n.input().begin(), n.input().end());
    node.outputs.assign(n.output().begin(), n.output().end());
    const std::string where = fmt::format("node '{}' ({})", n.name(), n.op_type());
    for (const auto& a : n.attribute()) {
      Attribute attr;
      switch (a.type()) {
        case onnx::AttributeProto::FLOAT: attr.type = Attribute::Type::floating; attr.f = static_cast<double>(a.f()); break;
        case onnx::AttributeProto::INT: attr.type = Attribute::Type::integer; attr.i = a.i(); break;
        case onnx::AttributeProto::STRING: attr.type = Attribute::Type::string; attr.s = a.s(); break;
        case onnx::AttributeProto::TENSOR:
          attr.type = Attribute::Type::tensor;
          attr.t = read_tensor(a.t(), file, fmt::format("{}, attribute '{}'", where, a.name()));
          break;
        case onnx::AttributeProto::FLOATS:
          attr.type = Attribute::Type::floats;
          for (const float v : a.floats()) attr.floats.push_back(static_cast<double>(v));
          break;
        case onnx::AttributeProto::INTS:
          attr.type = Attribute::Type::integers;
          attr.ints.assign(a.ints().begin(), a.ints().end());
          break;
        default: attr.type = Attribute::Type::other; break;
      }
      node.attributes[a.name()] = std::move(attr);
    }
    g.nodes.push_back(std::move(node));
  }
  return g;
}

}  // namespace strata::onnx_import
