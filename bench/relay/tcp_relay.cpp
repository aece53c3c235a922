// tcp_relay: the least a proxy can do, as bench/run.sh's `relay` target.
//
//   tcp_relay LISTEN_PORT UPSTREAM_PORT      (both on 127.0.0.1)
//
// Each client connection gets its own upstream connection, and bytes are copied
// both ways as they come: one recv and one send per piece, no HTTP, no
// timers, one thread with a level-triggered epoll. Whatever a real proxy does
// on top (parsing, routing, pooling, its own bookkeeping) costs more than this,
// so its requests/s are the ceiling for any proxy sharing the same cores, where
// `direct` is the ceiling for the upstream alone.
//
// A piece the destination cannot take at once waits in its direction's buffer:
// the source is not read again until it has gone (the kernel's buffers are the
// only queue). Several processes may listen on the port (SO_REUSEPORT).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t piece_bytes = 64 * 1024;

// One direction of a pair: bytes read from `from` and not yet sent to `to`.
struct Direction {
  int from = -1;
  int to = -1;
  std::vector<char> pending;
  std::size_t pending_sent = 0;
};

// A client connection and its own upstream connection.
struct Pair {
  Direction up;    // client → upstream
  Direction down;  // upstream → client
  std::uint32_t client_events = EPOLLIN;
  std::uint32_t upstream_events = EPOLLIN;
};

int loopback_socket(int port, bool listening) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int one = 1;
  if (listening) {
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(fd, 4096) != 0) {
      close(fd);
      return -1;
    }
  } else if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

class Relay {
 public:
  Relay(int listener, int upstream_port) : listener_(listener), upstream_port_(upstream_port) {
    watch(listener_, EPOLLIN, EPOLL_CTL_ADD);
  }

  [[noreturn]] void run() {
    std::array<epoll_event, 128> events;
    for (;;) {
      const int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), -1);
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == listener_) {
          accept_all();
        } else if (static_cast<std::size_t>(fd) < pairs_.size() && pairs_[fd]) {
          on_ready(*pairs_[fd], fd, events[i].events);
        }
      }
    }
  }

 private:
  void watch(int fd, std::uint32_t events, int op) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    epoll_ctl(epoll_, op, fd, &event);
  }

  void accept_all() {
    for (;;) {
      const int client = accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK);
      if (client < 0) return;
      const int upstream = loopback_socket(upstream_port_, false);
      if (upstream < 0) {
        close(client);
        continue;
      }
      const int one = 1;
      setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto pair = std::make_shared<Pair>();
      pair->up.from = pair->down.to = client;
      pair->up.to = pair->down.from = upstream;
      const auto highest = static_cast<std::size_t>(std::max(client, upstream));
      if (pairs_.size() <= highest) pairs_.resize(highest + 1);
      pairs_[client] = pairs_[upstream] = pair;
      watch(client, EPOLLIN, EPOLL_CTL_ADD);
      watch(upstream, EPOLLIN, EPOLL_CTL_ADD);
    }
  }

  void on_ready(Pair& pair, int fd, std::uint32_t events) {
    const bool is_client = fd == pair.up.from;
    Direction& reading = is_client ? pair.up : pair.down;  // from this fd
    Direction& writing = is_client ? pair.down : pair.up;  // to this fd
    if ((events & EPOLLOUT) && !flush(writing)) return end(pair);
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
      // A source that ended while its last piece still waits: the pair is over.
      if (!reading.pending.empty() ? (events & (EPOLLHUP | EPOLLERR)) != 0 : !copy(reading)) return end(pair);
    }
    // Read a source only once its last piece has gone; watch a destination for room only while one waits.
    // epoll_ctl only when that changes: a piece that goes at once costs one recv and one send.
    update(pair.up.from, pair.client_events, pair.up, pair.down);
    update(pair.down.from, pair.upstream_events, pair.down, pair.up);
  }

  void update(int fd, std::uint32_t& current, const Direction& reading, const Direction& writing) {
    const std::uint32_t wanted = (reading.pending.empty() ? std::uint32_t{EPOLLIN} : 0u) |
                                 (writing.pending.empty() ? 0u : std::uint32_t{EPOLLOUT});
    if (wanted != current) watch(fd, wanted, EPOLL_CTL_MOD);
    current = wanted;
  }

  // Reads one piece from the direction's source and sends it on; false when either side has ended.
  bool copy(Direction& direction) {
    const ssize_t got = recv(direction.from, buffer_.data(), buffer_.size(), 0);
    if (got == 0) return false;
    if (got < 0) return errno == EAGAIN || errno == EINTR;
    const ssize_t sent = send(direction.to, buffer_.data(), static_cast<std::size_t>(got), MSG_NOSIGNAL);
    if (sent < 0 && errno != EAGAIN) return false;
    const std::size_t done = sent < 0 ? 0 : static_cast<std::size_t>(sent);
    if (done < static_cast<std::size_t>(got)) {
      direction.pending.assign(buffer_.data() + done, buffer_.data() + got);
      direction.pending_sent = 0;
    }
    return true;
  }

  bool flush(Direction& direction) {
    while (direction.pending_sent < direction.pending.size()) {
      const ssize_t sent = send(direction.to, direction.pending.data() + direction.pending_sent,
                                direction.pending.size() - direction.pending_sent, MSG_NOSIGNAL);
      if (sent < 0) return errno == EAGAIN || errno == EINTR;
      direction.pending_sent += static_cast<std::size_t>(sent);
    }
    direction.pending.clear();
    direction.pending_sent = 0;
    return true;
  }

  void end(Pair& pair) {
    const int client = pair.up.from;
    const int upstream = pair.up.to;
    close(client);
    close(upstream);
    const auto last_owner = std::move(pairs_[client]);  // `pair` lives until this goes
    pairs_[upstream].reset();
  }

  int epoll_ = epoll_create1(0);
  int listener_;
  int upstream_port_;
  std::vector<std::shared_ptr<Pair>> pairs_;  // by descriptor: a pair under both of its own
  std::array<char, piece_bytes> buffer_{};
};

constexpr std::string_view usage =
    "usage: tcp_relay LISTEN_PORT UPSTREAM_PORT\n"
    "Copies bytes between each client on 127.0.0.1:LISTEN_PORT and its own connection to\n"
    "127.0.0.1:UPSTREAM_PORT, nothing else: the ceiling for any proxy on the same cores.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    std::fputs(usage.data(), stdout);
    return 0;
  }
  const int listen_port = argc == 3 ? std::atoi(argv[1]) : 0;
  const int upstream_port = argc == 3 ? std::atoi(argv[2]) : 0;
  if (listen_port <= 0 || listen_port > 65535 || upstream_port <= 0 || upstream_port > 65535) {
    std::fputs(usage.data(), stderr);
    return 2;
  }
  const int listener = loopback_socket(listen_port, true);
  if (listener < 0) {
    std::fprintf(stderr, "tcp_relay: cannot listen on 127.0.0.1:%d: %s\n", listen_port, std::strerror(errno));
    return 1;
  }
  Relay(listener, upstream_port).run();
}
