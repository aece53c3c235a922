// The command line a user and a script see: --help, --version, --check, exit codes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <csignal>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"

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

// Canopy's workers share their address with SO_REUSEPORT, which the kernel
// would also let a second process use: two gateways would split the traffic.
TEST(Cli, ASecondCanopyOnTheAddressOfARunningOneRefusesToStart) {
  DemoUpstreams upstreams{{"a"}};
  Canopy running{upstream_sections({"a"}) + "[[routes]]\nupstream = \"a\"\n", &upstreams};
  const auto path = std::filesystem::temp_directory_path() / "canopy-cli-second.toml";
  std::ofstream(path) << "[server]\nlisten = \"127.0.0.1:" << running.port() << "\"\n"
                      << "[[routes]]\nmatch = { path = \"/\" }\nstatic = { status = 200, body = \"second\" }\n";
  ChildProcess second({binary("canopy"), "--config", path.string()});
  const auto line = second.read_line(ChildProcess::Stream::err, std::chrono::seconds(5));
  second.read_line(ChildProcess::Stream::err, std::chrono::seconds(5));  // the end of its output: it exits
  const int status = second.stop(SIGTERM);  // exited already, unless it listens
  std::filesystem::remove(path);
  ASSERT_TRUE(line);
  EXPECT_NE(line->find("\"event\":\"startup_failed\""), std::string::npos) << *line;
  EXPECT_NE(line->find("the address is in use"), std::string::npos) << *line;
  EXPECT_EQ(status, 1);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(get(running.port(), "/").result_int(), 200u);  // the first still has it all
}

}  // namespace
}  // namespace canopy::test
