// The ONNX importer: an int8-quantized ONNX model to a Strata model
// (golden::nn::Model, saved with runtime::save_model). docs/onnx-import.md is
// the reference: the patterns it takes (QuantizeLinear/DequantizeLinear
// around Conv, Gemm and MatMul; QLinearConv, QLinearMatMul; MaxPool,
// AveragePool, GlobalAveragePool; Relu and Clip folded into the clamp of the
// layer before them; Add; Flatten and Reshape; Softmax; Gelu or its Erf
// pattern), how ONNX's [N, C, L] tensors map to Strata's channels-last
// [L, C], how the requantization parameters follow (TFLite's QuantizeMultiplier
// of in_scale * w_scale / out_scale, golden::nn::conv_multiplier), and every
// error.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "golden/nn.h"
#include "runtime/model_file.h"

namespace strata::onnx_import {

// Everything that stops an import: "FILE: error: WHERE: PROBLEM; allowed:
// WHAT", WHERE naming the node (`node 'conv1' (Conv)`), the initializer, the
// graph input or output, or `the file`. A ModelError, so the CLI reports it
// like a bad model file (exit code 2).
// Bytes outside printable ASCII (a corrupted or non-ASCII name) are shown
// as \xNN, so that every message is one line of ASCII.
class ImportError : public runtime::ModelError {
 public:
  ImportError(const std::string& file, const std::string& where, const std::string& problem, const std::string& allowed);
};

struct ImportOptions {
  std::string name;  // the model's name; empty: the ONNX graph's name, else the file's stem (made a valid name)
};

struct ImportResult {
  golden::nn::Model model;
  std::vector<std::string> notes;  // what was folded, one line each (for the CLI)
};

// Imports a serialized ONNX model. `file_name` names it in errors. The model
// returned loads (runtime::save_model/parse_model accept it) and runs on the
// golden model: the import checks both before it returns.
ImportResult import_onnx(const std::string& bytes, const std::string& file_name, const ImportOptions& options = {});
ImportResult import_onnx_file(const std::filesystem::path& path, const ImportOptions& options = {});

}  // namespace strata::onnx_import
