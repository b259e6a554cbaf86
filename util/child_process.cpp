#include "util/child_process.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iterator>

#include "util/error.hpp"

namespace vkt {
namespace {

constexpr size_t kChunk = 64 * 1024;
// Once the shell has exited, what it wrote is in the pipe (at most the pipe's capacity, 1 MB
// by default at the most); more than this can only come from something it left running.
constexpr size_t kMaxDrain = 8 * 1024 * 1024;

std::string errno_text(const char* what, int e) { return std::string(what) + ": " + std::strerror(e); }

// Reads what is there now into buf (kChunk bytes). Returns the byte count; 0 at end of file,
// when `fd` is closed and set to -1; -1 when nothing is there yet.
ssize_t read_some(int& fd, char* buf) {
  for (;;) {
    const ssize_t n = ::read(fd, buf, kChunk);
    if (n > 0) return n;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return -1;
    ::close(fd);  // end of file, or an error that leaves nothing more to read
    fd = -1;
    return 0;
  }
}

// poll() on the open ones of `fds` for at most `timeout`; EINTR counts as a wake-up.
void wait_readable(std::initializer_list<int> fds, std::chrono::milliseconds timeout) {
  pollfd p[3];
  nfds_t n = 0;
  for (int fd : fds)
    if (fd >= 0 && n < 3) p[n++] = pollfd{fd, POLLIN, 0};
  if (::poll(p, n, int(std::max<int64_t>(0, timeout.count()))) < 0 && errno != EINTR)
    throw Error(errno_text("poll", errno));
}

// Whether a process of group `pgid` is still alive. kill(-pgid, 0) alone cannot tell: it
// counts zombies, and the group's orphans stay zombies until init reaps them, which may be
// seconds later (or never, in a container without an init). So look at their states in /proc;
// without /proc, assume the worst and let the caller wait for its grace period.
bool group_alive(pid_t pgid) {
  if (::kill(-pgid, 0) != 0 && errno == ESRCH) return false;
  DIR* proc = ::opendir("/proc");
  if (!proc) return true;
  bool alive = false;
  while (const dirent* e = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    char path[64], buf[512];
    std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;  // it ended meanwhile
    const ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) continue;
    buf[n] = '\0';
    // "pid (comm) state ppid pgrp ...": comm may hold anything, so parse from its last ')'.
    const char* close = std::strrchr(buf, ')');
    char state = 0;
    long ppid = 0, pgrp = 0;
    if (close && std::sscanf(close + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3 && pgrp == pgid &&
        state != 'Z' && state != 'X') {
      alive = true;
      break;
    }
  }
  ::closedir(proc);
  return alive;
}

// ---- passing a fatal signal on to the running child's group (see the header) ----------------

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP};
std::atomic<pid_t> running_group{0};  // lock-free, so the handler may read it
struct sigaction replaced[std::size(kForwarded)];
bool installed[std::size(kForwarded)] = {};

extern "C" void pass_on_and_reraise(int sig) {
  const pid_t group = running_group.exchange(0);
  if (group > 0) ::kill(-group, SIGTERM);
  for (size_t i = 0; i < std::size(kForwarded); ++i)
    if (kForwarded[i] == sig) ::sigaction(sig, &replaced[i], nullptr);
  ::raise(sig);  // delivered with the action we replaced once this handler returns
}

void forward_fatal_signals_to(pid_t group) {
  running_group = group;
  for (size_t i = 0; i < std::size(kForwarded); ++i) {
    struct sigaction current {};
    ::sigaction(kForwarded[i], nullptr, &current);
    if (installed[i] || current.sa_handler == SIG_IGN) continue;  // nohup's SIGHUP stays ignored
    struct sigaction action {};
    action.sa_handler = pass_on_and_reraise;
    sigemptyset(&action.sa_mask);
    installed[i] = ::sigaction(kForwarded[i], &action, &replaced[i]) == 0;
  }
}

void stop_forwarding() {
  running_group = 0;
  for (size_t i = 0; i < std::size(kForwarded); ++i)
    if (installed[i]) {
      ::sigaction(kForwarded[i], &replaced[i], nullptr);
      installed[i] = false;
    }
}

ChildExit exit_of(int status) {
  if (WIFSIGNALED(status)) return {true, WTERMSIG(status)};
  return {false, WIFEXITED(status) ? WEXITSTATUS(status) : 0};
}

}  // namespace

ChildProcess::ChildProcess(const std::string& command, const std::vector<std::string>& environment) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw Error(errno_text("pipe", errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    const int e = errno;
    ::close(out[0]);
    ::close(out[1]);
    throw Error(errno_text("pipe", e));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);  // e.g. a journal's file and its lock

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);  // a group of its own, whose id is its pid
  sigset_t none, defaults;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigemptyset(&defaults);  // ignored signals stay ignored across exec: undo what a caller ignores
  for (int s : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setsigdefault(&attr, &defaults);

  std::vector<char*> argv = {const_cast<char*>("sh"), const_cast<char*>("-c"), const_cast<char*>(command.c_str()),
                             nullptr};
  std::vector<char*> envp;
  for (const std::string& e : environment) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const int rc = posix_spawn(&pid_, "/bin/sh", &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    throw Error(errno_text("cannot start /bin/sh", rc));
  }
  out_ = out[0];
  err_ = err[0];
  for (int fd : {out_, err_}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  // Readable when the shell exits; without it (an old kernel) the loop wakes every 50 ms instead.
  pidfd_ = int(::syscall(SYS_pidfd_open, pid_, 0));
  forward_fatal_signals_to(pid_);
}

ChildProcess::~ChildProcess() {
  try {
    end(std::chrono::seconds(0));
  } catch (...) {
  }
}

bool ChildProcess::shell_has_exited() {
  if (reaped_) return true;
  siginfo_t info;
  info.si_pid = 0;
  if (::waitid(P_PID, id_t(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return errno != EINTR;
  return info.si_pid != 0;
}

bool ChildProcess::consume_stdout(const char* data, size_t n, const LineHandler& on_line) {
  for (size_t i = 0; i < n;) {
    const char* nl = static_cast<const char*>(std::memchr(data + i, '\n', n - i));
    const size_t end = nl ? size_t(nl - data) : n;
    if (!dropping_line_) {
      partial_.append(data + i, end - i);
      if (partial_.size() > kMaxLine) {
        partial_.clear();
        dropping_line_ = true;
      }
    }
    i = end;
    if (!nl) break;
    ++i;
    const bool keep_going = dropping_line_ || on_line(partial_);
    partial_.clear();
    dropping_line_ = false;
    if (!keep_going) return false;
  }
  return true;
}

bool ChildProcess::flush_last_line(const LineHandler& on_line) {
  const bool keep_going = partial_.empty() || dropping_line_ || on_line(partial_);
  partial_.clear();
  dropping_line_ = false;
  return keep_going;
}

void ChildProcess::keep_stderr(const char* data, size_t n) {
  stderr_tail_.append(data, n);
  if (stderr_tail_.size() > kStderrTail) stderr_tail_.erase(0, stderr_tail_.size() - kStderrTail);
}

bool ChildProcess::pump(const LineHandler* on_line, size_t limit) {
  std::string buf(kChunk, '\0');
  size_t total = 0;
  bool more = true;
  while (more && total < limit) {
    more = false;
    if (out_ >= 0) {
      const ssize_t n = read_some(out_, buf.data());
      if (n > 0) {
        total += size_t(n);
        more = true;
        if (on_line && !consume_stdout(buf.data(), size_t(n), *on_line)) return false;
      } else if (n == 0 && on_line && !flush_last_line(*on_line)) {
        return false;
      }
    }
    if (err_ >= 0) {
      const ssize_t n = read_some(err_, buf.data());
      if (n > 0) {
        total += size_t(n);
        more = true;
        keep_stderr(buf.data(), size_t(n));
      }
    }
  }
  return true;
}

ChildProcess::ReadEnd ChildProcess::read_lines(Clock::time_point deadline, const LineHandler& on_line) {
  using std::chrono::milliseconds;
  for (;;) {
    if (shell_has_exited()) {
      // Its last line is complete even if something it left running still holds stdout open.
      const bool keep_going = pump(&on_line, kMaxDrain) && flush_last_line(on_line);
      return keep_going ? ReadEnd::Exited : ReadEnd::Stopped;
    }
    const auto now = Clock::now();
    if (now >= deadline) return ReadEnd::Deadline;
    const milliseconds tick(pidfd_ >= 0 ? 1000 : 50);
    const auto left = std::chrono::ceil<milliseconds>(deadline - now);
    wait_readable({out_, err_, pidfd_}, std::min(left, tick));
    // One chunk per pipe and wake-up: a flood cannot keep us from checking the deadline.
    if (!pump(&on_line, 1)) return ReadEnd::Stopped;
  }
}

ChildExit ChildProcess::end(std::chrono::duration<double> grace) {
  if (ended_) return exit_;
  ended_ = true;
  stop_forwarding();  // from here on this function ends the group itself
  ::kill(-pid_, SIGTERM);  // the shell may be a zombie already; the rest of its group may not be
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(grace);
  // A SIGTERM that lands while the shell forks reaches the shell but not the new child (a
  // fork does not inherit pending signals), which would then last until the SIGKILL. So the
  // group is told again every 100 ms of the grace, while its id is still ours: the shell not
  // yet reaped, or a member (zombies included) holding it.
  auto next_term = Clock::now() + std::chrono::milliseconds(100);
  for (;;) {
    if (!reaped_) {
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_ || (r < 0 && errno == ECHILD)) {
        reaped_ = true;
        if (r == pid_) exit_ = exit_of(status);
      }
    }
    // Once the shell is reaped the group id stays reserved as long as the group has a member,
    // so neither this check nor the SIGKILL below can reach an unrelated process.
    if (reaped_ && !group_alive(pid_)) break;
    if (Clock::now() >= next_term) {
      ::kill(-pid_, SIGTERM);
      next_term += std::chrono::milliseconds(100);
    }
    if (Clock::now() >= deadline) {
      ::kill(-pid_, SIGKILL);
      int status = 0;
      if (!reaped_ && ::waitpid(pid_, &status, 0) == pid_) exit_ = exit_of(status);
      reaped_ = true;
      // SIGKILL is delivered, not done, when kill() returns. Wait for it to take effect, but
      // not forever: a process stuck in the kernel (a driver call) dies when it comes back.
      const auto killed_by = Clock::now() + std::chrono::seconds(2);
      while (group_alive(pid_) && Clock::now() < killed_by) wait_readable({}, std::chrono::milliseconds(10));
      break;
    }
    pump(nullptr, kChunk);  // keep the pipes moving: a command cleaning up may still write
    wait_readable({out_, err_}, std::chrono::milliseconds(20));
  }
  for (int* fd : {&out_, &err_, &pidfd_})
    if (*fd >= 0) {
      ::close(*fd);
      *fd = -1;
    }
  return exit_;
}

std::string ChildProcess::last_stderr_line() const {
  const std::string& t = stderr_tail_;
  size_t end = t.size();
  auto blank = [](char c) { return c == '\n' || c == '\r' || c == ' ' || c == '\t'; };
  while (end > 0 && blank(t[end - 1])) --end;
  size_t begin = end;
  while (begin > 0 && t[begin - 1] != '\n' && t[begin - 1] != '\r') --begin;
  std::string line = t.substr(begin, end - begin);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.erase(0, 1);
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';  // keep the reason one printable line
  return line;
}

}  // namespace vkt
