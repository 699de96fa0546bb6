// The Strata model file: a quantized int8 network, possibly with posit8
// layers (golden::nn::Model), as a JSON file, its weights and biases inline
// or in a side binary, and the input/output tensor files.
// docs/model-format.md is the reference of both formats; this header is the
// API.
//
// Loading validates every key and type, names, ranges, quantization
// parameters, and the shape and format (int8 or posit8_0) of every tensor
// through the graph (so that every weight and bias count matches what its
// layer's input implies, and every layer takes and gives formats that
// golden::nn allows); only the arithmetic's own limits (a rescale factor of
// 2^30 or more) are left to the golden model, which reports them when it
// runs.
//
// Saving writes atomically: each file goes to a temporary file in the same
// directory that is renamed over the target only when complete, so a failed
// save leaves no half-written file behind. save_model validates the model
// with the same rules as load_model before it writes anything.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include "golden/nn.h"

namespace strata::runtime {

// A model or tensor file that cannot be used, or cannot be read or written.
// what() is the whole message, "FILE: error: WHERE: PROBLEM; allowed: WHAT":
// WHERE is a JSON path into the file (`layers[2].weights.data[7]`, `the
// model` for the top-level object), `byte N` for a JSON syntax error, or
// `the file` for an I/O failure.
class ModelError : public std::runtime_error {
 public:
  ModelError(std::string file, std::string where, std::string problem, std::string allowed);
  const std::string& file() const noexcept { return file_; }
  const std::string& where() const noexcept { return where_; }
  const std::string& problem() const noexcept { return problem_; }
  const std::string& allowed() const noexcept { return allowed_; }

 private:
  std::string file_, where_, problem_, allowed_;
};

// Reads and validates a model file; a side binary is found relative to the
// JSON file's directory.
golden::nn::Model load_model(const std::filesystem::path& json_path);
// The same from text: `file_name` names the text in errors and `base_dir` is
// where a side binary is looked for.
golden::nn::Model parse_model(const std::string& json_text, const std::string& file_name, const std::filesystem::path& base_dir);

// Writes `model` to `json_path`: weights and biases inline, or with
// `side_binary` in `<stem>.bin` next to it (named by the file's "binary").
// Throws ModelError, writing nothing, if the model is not valid or a file
// cannot be written.
void save_model(const golden::nn::Model& model, const std::filesystem::path& json_path, bool side_binary);

// A tensor file holding exactly a [length, channels] int8 tensor.
// The values are codes of `format` (int8 -128..127; posits without NaR).
golden::nn::Tensor load_tensor(const std::filesystem::path& path, int length, int channels, golden::Format format = golden::Format::int8);
golden::nn::Tensor parse_tensor(const std::string& json_text, const std::string& file_name, int length, int channels,
                                golden::Format format = golden::Format::int8);
// Writes `tensor` atomically; throws ModelError if its data does not hold
// length * channels values or its shape is out of range.
void save_tensor(const golden::nn::Tensor& tensor, const std::filesystem::path& path);

// Writes a text file (a report) whole or not at all: through a temporary
// file beside it, renamed over the target; throws ModelError naming the path.
void save_text(const std::string& text, const std::filesystem::path& path);

}  // namespace strata::runtime
