// An ONNX model read from its protobuf encoding (ONNX's own onnx.proto
// classes) into plain structs: the graph's inputs, outputs, initializers and
// nodes, with every tensor's values decoded to doubles (exact for the int8,
// int32 and float32 tensors the importer uses). Only onnx_graph.cpp sees
// protobuf.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace strata::onnx_import {

// ONNX TensorProto.DataType codes.
enum class DType : int {
  undefined = 0, float32 = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7,
  string = 8, boolean = 9, float16 = 10, float64 = 11, uint32 = 12, uint64 = 13, bfloat16 = 16,
};
std::string dtype_name(DType t);
bool is_float(DType t);

struct Constant {
  std::string name;
  DType dtype = DType::undefined;
  std::vector<std::int64_t> dims;
  std::vector<double> values;  // row-major
  std::size_t size() const { return values.size(); }
};

struct Attribute {
  enum class Type { floating, integer, string, tensor, floats, integers, other };
  Type type = Type::other;
  double f = 0;
  std::int64_t i = 0;
  std::string s;
  std::vector<double> floats;
  std::vector<std::int64_t> ints;
  std::optional<Constant> t;
};

struct Node {
  std::string name;  // as in the file (may be empty)
  std::string op_type, domain;
  std::vector<std::string> inputs, outputs;  // an empty input name is an absent optional input
  std::map<std::string, Attribute> attributes;
};

struct ValueInfo {
  std::string name;
  DType dtype = DType::undefined;
  bool has_shape = false;
  std::vector<std::int64_t> dims;  // -1: unknown or symbolic
};

struct Graph {
  std::string name;
  std::int64_t opset = 0;  // the default domain's (ai.onnx) opset
  std::vector<ValueInfo> inputs;  // without the ones that are initializers
  std::vector<ValueInfo> outputs;
  std::map<std::string, Constant> initializers;
  std::vector<Node> nodes;  // in the file's (topological) order
};

// Parses a serialized ModelProto. Throws ImportError (onnx_import.h) naming
// `file` for bytes that are not an ONNX model (not protobuf, truncated, no
// graph), tensors with external data or of a type the importer cannot read,
// and a tensor whose data does not match its dims.
Graph read_graph(const std::string& bytes, const std::string& file);

}  // namespace strata::onnx_import
