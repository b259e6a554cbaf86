#pragma once
// A shell command run as a child in its own process group, its stdout read line by line
// against a deadline. Used for `vktrain tune --command`, where one trial is one command.
//
// Why a process group: a trial's command is often a launcher (a shell script, `python -m`,
// `cmd | tee log`) whose real work happens in grandchildren. Stopping the trial (pruned,
// timed out, bad output) must stop all of them, so the child leads a group of its own and
// ending it signals the whole group. Why poll() on both pipes with a deadline: no command,
// however it behaves (floods output, closes stdout and keeps running, never prints a
// newline), can make us block past the deadline or fill a pipe we are not reading.
//
// The price of a group of its own: Ctrl-C at a terminal signals our group, not the child's,
// and the child would outlive us. So while a child runs, SIGINT, SIGTERM and SIGHUP (those we
// do not ignore) are passed on to its group as SIGTERM before we end as we would have. One
// child at a time per process (a --workers study runs one process per worker).
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace vkt {

struct ChildExit {
  bool signaled = false;  // killed by a signal (code is the signal) rather than exited (code is the status)
  int code = 0;
};

class ChildProcess {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kMaxLine = size_t(1) << 20;  // longer stdout lines are dropped whole
  static constexpr size_t kStderrTail = 4096;          // bytes of stderr kept for error messages

  // Starts `/bin/sh -c command` with stdin from /dev/null, `environment` ("NAME=value") as its
  // whole environment, no file descriptors of ours but the pipes, and default signal handling.
  // Throws Error when the shell cannot be started.
  ChildProcess(const std::string& command, const std::vector<std::string>& environment);
  ~ChildProcess();  // a group still running is killed (SIGKILL) and the child reaped
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  enum class ReadEnd {
    Exited,    // the shell exited and everything it had written was read
    Deadline,  // the deadline passed first
    Stopped,   // on_line returned false
  };
  // Hands each stdout line (without its '\n'; a last line without one counts too) to
  // `on_line` until one of ReadEnd happens. stderr is read meanwhile and only its tail kept.
  ReadEnd read_lines(Clock::time_point deadline, const std::function<bool(std::string_view line)>& on_line);

  // Ends the whole group and reaps the shell: SIGTERM, then SIGKILL to whatever is left of the
  // group after `grace` (at once if nothing is left). Also right after ReadEnd::Exited, for
  // anything the command left running in the background. Returns how the shell ended.
  ChildExit end(std::chrono::duration<double> grace);

  // The last line of stderr that is not blank (at most kStderrTail bytes back), "" if none.
  std::string last_stderr_line() const;
  pid_t pid() const { return pid_; }

 private:
  using LineHandler = std::function<bool(std::string_view)>;
  bool shell_has_exited();  // without reaping it, so its pid (our group's id) stays reserved
  // Reads both pipes until nothing is there or `limit` bytes were read; stdout lines go to
  // on_line (discarded when null). False when on_line returned false.
  bool pump(const LineHandler* on_line, size_t limit);
  bool consume_stdout(const char* data, size_t n, const LineHandler& on_line);
  bool flush_last_line(const LineHandler& on_line);  // a last stdout line without '\n'
  void keep_stderr(const char* data, size_t n);

  pid_t pid_ = -1;  // also the group's id
  int out_ = -1, err_ = -1, pidfd_ = -1;
  bool reaped_ = false, ended_ = false;
  ChildExit exit_;
  std::string partial_;         // the stdout line being read
  bool dropping_line_ = false;  // the current stdout line passed kMaxLine: skip to its end
  std::string stderr_tail_;     // the last kStderrTail bytes
};

}  // namespace vkt
