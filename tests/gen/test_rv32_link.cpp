// The firmware linker script of `strata gen` for an rv32 config.
#include <gtest/gtest.h>

#include "elaborate.h"

namespace {

using namespace strata;

TEST(Rv32LinkScript, FollowsTheConfigsMemoryMap) {
  const SocConfig c = parse_config("name: core\nrv32:\n  reset_vector: 256\n  imem_bytes: 8192\n  dmem_bytes: 2048\n", "t.yaml");
  const auto files = render(c, elaborate(c));
  ASSERT_TRUE(files.count("link.ld"));
  const std::string& ld = files.at("link.ld");
  EXPECT_NE(ld.find("imem (rx) : ORIGIN = 0x00000000, LENGTH = 0x2000"), std::string::npos) << ld;
  EXPECT_NE(ld.find("dmem (rw) : ORIGIN = 0x10000000, LENGTH = 0x800"), std::string::npos) << ld;
  EXPECT_NE(ld.find(".text ORIGIN(imem) + 0x100"), std::string::npos) << ld;
  EXPECT_NE(ld.find("PROVIDE(__stack_size = 0x200)"), std::string::npos) << ld;
  EXPECT_NE(ld.find("hash " + config_hash(c)), std::string::npos) << ld;
  EXPECT_EQ(files, render(c, elaborate(c))) << "deterministic";
}

TEST(Rv32LinkScript, OnlyWithAnRv32Core) {
  const SocConfig c = parse_config("name: plain\n", "t.yaml");
  EXPECT_FALSE(render(c, elaborate(c)).count("link.ld"));
}

}  // namespace
