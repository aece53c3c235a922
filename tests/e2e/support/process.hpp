#pragma once
// A child process with its stdout and stderr piped back, for end-to-end tests
// that run the real binaries. Stopped (SIGTERM, then SIGKILL) when destroyed.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace canopy::test {

class ChildProcess {
 public:
  enum class Stream { out, err };

  explicit ChildProcess(const std::vector<std::string>& argv);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  // The next line the child writes to `stream`, or nullopt after `timeout` or at EOF.
  std::optional<std::string> read_line(Stream stream, std::chrono::milliseconds timeout);
  // Sends `signal` and waits for the exit; returns the exit status (128+n if killed by signal n).
  int stop(int signal, std::chrono::milliseconds grace = std::chrono::seconds(10));
  // Runs to completion; returns the exit status.
  int wait();
  pid_t pid() const noexcept { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1, err_ = -1;
  std::string out_buffer_, err_buffer_;
  std::optional<int> status_;
};

// Runs a command to completion; its exit status and everything it printed.
struct Completed {
  int status;
  std::string out, err;
};
Completed run_command(const std::vector<std::string>& argv);

}  // namespace canopy::test
