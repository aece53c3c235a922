// The command line a user and a script see: --help, --version, --check, exit codes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/e2e/support/canopy_under_test.hpp"

namespace canopy::test {
namespace {

TEST(Cli, HelpAndVersionExitZero) {
  auto help = run_command({binary("canopy"), "--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("usage: canopy --config FILE"), std::string::npos);
  auto version = run_command({binary("canopy"), "--version"});
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out.rfind("canopy ", 0), 0u);
}

TEST(Cli, ABadCommandLineExitsTwo) {
  EXPECT_EQ(run_command({binary("canopy"), "--frobnicate"}).status, 2);
  EXPECT_EQ(run_command({binary("canopy")}).status, 2);
}

TEST(Cli, CheckRejectsABadFileWithFileLineColumnAndExitOne) {
  const auto path = std::filesystem::temp_directory_path() / "canopy-cli-bad.toml";
  std::ofstream(path) << "[server]\nlisten = \"0.0.0.0:8080\"\nheader_timout = \"5s\"\n";
  auto result = run_command({binary("canopy"), "--check", path.string()});
  std::filesystem::remove(path);
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err, path.string() + ":3:1: unknown key \"header_timout\" in server; did you mean \"header_timeout\"?\n");
}

// Every example shipped under config/examples/ loads, so none can rot.
TEST(Cli, EveryBundledExampleConfigPassesCheck) {
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(CANOPY_SOURCE_DIR "/config/examples")) {
    if (entry.path().extension() != ".toml") continue;
    auto result = run_command({binary("canopy"), "--check", entry.path().string()});
    EXPECT_EQ(result.status, 0) << entry.path() << ": " << result.err;
    ++checked;
  }
  EXPECT_GE(checked, 1u);
}

TEST(Cli, StartupFailureIsLoggedAndExitsOne) {
  const auto path = std::filesystem::temp_directory_path() / "canopy-cli-unresolvable.toml";
  std::ofstream(path) << "[server]\nlisten = \"127.0.0.1:0\"\n[upstreams.x]\nendpoints = [\"no-such-host.invalid:80\"]\n"
                         "[[routes]]\nupstream = \"x\"\n";
  auto result = run_command({binary("canopy"), "--config", path.string()});
  std::filesystem::remove(path);
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("\"event\":\"startup_failed\""), std::string::npos) << result.err;
}

}  // namespace
}  // namespace canopy::test
