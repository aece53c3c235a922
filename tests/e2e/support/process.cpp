#include "tests/e2e/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

extern char** environ;

namespace canopy::test {

namespace {
int exit_status(int raw) { return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw); }
}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  out_ = out[0];
  err_ = err[0];
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
}

ChildProcess::~ChildProcess() {
  if (!status_) stop(SIGTERM, std::chrono::seconds(5));
  close(out_);
  close(err_);
}

std::optional<std::string> ChildProcess::read_line(Stream stream, std::chrono::milliseconds timeout) {
  const int fd = stream == Stream::out ? out_ : err_;
  std::string& buffer = stream == Stream::out ? out_buffer_ : err_buffer_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto nl = buffer.find('\n'); nl != std::string::npos) {
      std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[4096];
    const auto n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return std::nullopt;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

int ChildProcess::stop(int signal, std::chrono::milliseconds grace) {
  if (status_) return *status_;
  kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  int raw = 0;
  while (waitpid(pid_, &raw, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &raw, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  status_ = exit_status(raw);
  return *status_;
}

int ChildProcess::wait() {
  if (status_) return *status_;
  int raw = 0;
  waitpid(pid_, &raw, 0);
  status_ = exit_status(raw);
  return *status_;
}

Completed run_command(const std::vector<std::string>& argv) {
  ChildProcess child(argv);
  Completed done{};
  while (auto line = child.read_line(ChildProcess::Stream::out, std::chrono::seconds(10))) done.out += *line + "\n";
  while (auto line = child.read_line(ChildProcess::Stream::err, std::chrono::seconds(10))) done.err += *line + "\n";
  done.status = child.wait();
  return done;
}

}  // namespace canopy::test
