// Config -> design -> files: the generator's one data flow.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "ir/design.h"

namespace strata {

inline constexpr const char* kGeneratorName = "Strata";

std::string generator_version();

// Builds every module the config asks for.
ir::Design elaborate(const SocConfig& c);

// Every output file of `strata gen`, keyed by its path relative to the output
// directory: rtl/<module>.sv, files.f, manifest.json, <name>.core, and
// link.ld (the firmware linker script) when the config has an rv32 core.
std::map<std::string, std::string> render(const SocConfig& c, const ir::Design& d);

// The manifest: config, hash, modules with their parameters and ports, and
// the derived parameters of each block.
nlohmann::json manifest(const SocConfig& c, const ir::Design& d);

// Writes `files` as the whole content of `dir`, atomically: everything goes
// to a fresh sibling directory first, which then replaces `dir`. On any error
// `dir` is left as it was and the error is thrown.
void write_tree(const std::filesystem::path& dir, const std::map<std::string, std::string>& files);

// A wrapper for out-of-context synthesis: every input of `top` comes from one
// shift register fed by din_i, every output is XOR-reduced into dout_o's
// register, so the module is placed with three pins and timed reg to reg.
ir::Module synth_wrapper(const ir::Module& top);

}  // namespace strata
