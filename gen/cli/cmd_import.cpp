// strata import: an int8-quantized ONNX model to a Strata model file
// (docs/onnx-import.md).
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/tools.h"
#include "onnx/onnx_import.h"
#include "runtime/model_file.h"

namespace strata::cli {

void add_import(CLI::App& app) {
  auto* cmd = app.add_subcommand("import", "Import an int8-quantized ONNX model (QDQ or QLinear ops) as a Strata model file (docs/onnx-import.md)");
  struct Options {
    std::string onnx, out, name;
    bool binary = false, quiet = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("MODEL", o->onnx, "ONNX model (.onnx)")->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", o->out, "Strata model file to write (JSON)")->required();
  cmd->add_option("--name", o->name, "the model's name (default: the ONNX graph's name, else the file's stem)");
  cmd->add_flag("--binary", o->binary, "put the weights and biases in a side binary <stem>.bin");
  cmd->add_flag("-q,--quiet", o->quiet, "print nothing but errors");
  cmd->callback([o] {
    onnx_import::ImportOptions opts;
    opts.name = o->name;
    const onnx_import::ImportResult r = onnx_import::import_onnx_file(o->onnx, opts);
    runtime::save_model(r.model, o->out, o->binary);
    if (o->quiet) return;
    for (const std::string& note : r.notes) progress(note);
    progress(fmt::format("imported '{}' from {}: input [{}, {}], {} layers, {} output{}; wrote {}", r.model.name, o->onnx, r.model.input_length,
                         r.model.input_channels, r.model.layers.size(), r.model.outputs.size(), r.model.outputs.size() == 1 ? "" : "s", o->out));
  });
}

}  // namespace strata::cli
