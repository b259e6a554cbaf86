#include "tuning/command_objective.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/child_process.hpp"
#include "util/error.hpp"
#include "util/json_input.hpp"

extern char** environ;

namespace vkt::tune {
namespace {

using nlohmann::json;

// ---- the template -----------------------------------------------------------------------

struct Piece {
  bool is_name = false;
  std::string text;  // literal text, or the name
};

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; }

std::vector<Piece> parse_template(const std::string& t) {
  std::vector<Piece> pieces;
  auto literal = [&](char c) {
    if (pieces.empty() || pieces.back().is_name) pieces.push_back({false, ""});
    pieces.back().text += c;
  };
  for (size_t i = 0; i < t.size();) {
    const char c = t[i];
    if ((c == '{' || c == '}') && i + 1 < t.size() && t[i + 1] == c) {
      literal(c);
      i += 2;
      continue;
    }
    if (c == '{' && i + 1 < t.size() && name_start(t[i + 1])) {
      size_t k = i + 1;
      while (k < t.size() && name_char(t[k])) ++k;
      if (k < t.size() && t[k] == '}') {
        pieces.push_back({true, t.substr(i + 1, k - i - 1)});
        i = k + 1;
        continue;
      }
    }
    literal(c);
    ++i;
  }
  return pieces;
}

// ---- the environment --------------------------------------------------------------------

std::string env_name(const std::string& key) {
  std::string name = "VKTRAIN_PARAM_";
  for (char c : key) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

// Ours without any VKTRAIN_PARAM_/VKTRAIN_TRIAL_ variables (a study run from inside a trial
// must not pass its own trial's on), then this trial's.
std::vector<std::string> trial_environment(const TrialContext& ctx) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view v(*e);
    if (v.starts_with("VKTRAIN_PARAM_") || v.starts_with("VKTRAIN_TRIAL_") || v.starts_with("VKTRAIN_EPOCHS="))
      continue;
    env.emplace_back(v);
  }
  env.push_back("VKTRAIN_TRIAL_ID=" + std::to_string(ctx.trial_id));
  env.push_back("VKTRAIN_TRIAL_SEED=" + std::to_string(ctx.seed));
  env.push_back("VKTRAIN_EPOCHS=" + std::to_string(ctx.epochs));
  for (const auto& [key, value] : ctx.params) env.push_back(env_name(key) + "=" + to_string(value));
  return env;
}

// ---- the protocol -----------------------------------------------------------------------

// JSON has no NaN or Infinity, but Python's json.dumps writes them bare. Outside strings they
// become strings holding a NUL-prefixed marker no real output has, read back as numbers below.
constexpr std::string_view kNonFinite[] = {"-Infinity", "Infinity", "NaN"};

std::string marker(std::string_view token) {
  std::string m(1, '\0');
  return m.append(token);
}

std::string quote_non_finite(std::string_view line) {
  std::string out;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < line.size();) {
    const char c = line[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      out += c;
      ++i;
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (std::string_view token : kNonFinite)
      if (line.substr(i).starts_with(token)) {
        out += "\"\\u0000" + std::string(token) + "\"";
        i += token.size();
        replaced = true;
        break;
      }
    if (!replaced) {
      out += c;
      ++i;
    }
  }
  return out;
}

std::optional<double> number_in(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (s == marker("NaN")) return std::nan("");
  if (s == marker("Infinity")) return HUGE_VAL;
  if (s == marker("-Infinity")) return -HUGE_VAL;
  return std::nullopt;
}

std::string shown(const json& v) {
  std::string text = v.dump();
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

// Reads the command's stdout line by line (see the file comment for what lines mean).
class Protocol {
 public:
  explicit Protocol(const TrialContext& ctx) : ctx_(ctx) {}

  // False: stop reading (the trial was stopped, or the line failed it).
  bool take(std::string_view line) {
    ++line_no_;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] != '{') return true;  // a log line
    std::optional<json> parsed = try_parse_json(line);
    if (!parsed) parsed = try_parse_json(quote_non_finite(line));
    if (!parsed || !parsed->is_object() || !parsed->contains("value")) return true;
    json& j = *parsed;

    const auto value = number_in(j["value"]);
    if (!value) return fail("\"value\" must be a number, got " + shown(j["value"]));
    if (!j.contains("epoch")) {
      result_ = *value;
      return true;
    }
    const json& e = j["epoch"];
    const int64_t epoch = !e.is_number_integer() ? 0
                          : e.is_number_unsigned() ? int64_t(std::min<uint64_t>(e.get<uint64_t>(), INT_MAX + 1ull))
                                                   : e.get<int64_t>();
    if (epoch < 1 || epoch > INT_MAX) return fail("\"epoch\" must be a whole number from 1, got " + shown(e));
    if (epoch <= last_epoch_)
      return fail("\"epoch\" " + std::to_string(epoch) + " after epoch " + std::to_string(last_epoch_) +
                  ": epochs must increase");
    double loss = std::nan("");
    if (j.contains("loss")) {
      const auto l = number_in(j["loss"]);
      if (!l) return fail("\"loss\" must be a number, got " + shown(j["loss"]));
      loss = *l;
    }
    last_epoch_ = int(epoch);
    last_value_ = *value;
    if (ctx_.report && !ctx_.report(int(epoch), *value, loss)) {
      stopped_ = true;
      return false;
    }
    return true;
  }

  const std::string& failure() const { return failure_; }
  bool stopped() const { return stopped_; }
  double last_value() const { return last_value_; }
  const std::optional<double>& result() const { return result_; }

 private:
  bool fail(const std::string& what) {
    failure_ = "stdout line " + std::to_string(line_no_) + ": " + what;
    return false;
  }

  const TrialContext& ctx_;
  int64_t line_no_ = 0;
  int last_epoch_ = 0;
  double last_value_ = std::nan("");
  std::optional<double> result_;
  std::string failure_;
  bool stopped_ = false;
};

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

std::string one_line_tail(std::string line) {
  constexpr size_t kMax = 300;
  return line.size() > kMax ? line.substr(0, kMax) + "..." : line;
}

}  // namespace

std::vector<std::string> template_names(const std::string& command_template) {
  std::vector<std::string> names;
  for (const Piece& p : parse_template(command_template))
    if (p.is_name) names.push_back(p.text);
  return names;
}

std::string substitute(const std::string& command_template, const Params& params) {
  std::string out;
  for (const Piece& p : parse_template(command_template)) {
    if (!p.is_name) {
      out += p.text;
    } else if (const auto it = params.find(p.text); it != params.end()) {
      out += to_string(it->second);
    }
  }
  return out;
}

std::vector<std::string> check_command_template(const std::string& command_template, const Space& space) {
  std::vector<std::string> conditional;
  for (const std::string& name : template_names(command_template)) {
    const Parameter* p = space.find(name);
    if (!p && !space.fixed().count(name)) {
      std::string keys;
      for (const auto& q : space.parameters()) keys += (keys.empty() ? "" : ", ") + q.name;
      for (const auto& [key, value] : space.fixed()) keys += (keys.empty() ? "" : ", ") + key;
      throw InputError("--command: {" + name + "} is not a key of the search space (" +
                       (keys.empty() ? std::string("it has none") : "its keys: " + keys) + "); write {{" + name +
                       "}} for literal braces");
    }
    if (p && !p->when.empty() &&
        std::find(conditional.begin(), conditional.end(), name) == conditional.end())
      conditional.push_back(name);
  }
  return conditional;
}

CommandObjective::CommandObjective(std::string command_template, const Space& space, CommandOptions options)
    : template_(std::move(command_template)), options_(options) {
  if (template_.empty()) throw InputError("--command: the command is empty");
  if (!(options_.timeout_seconds >= 0) || !std::isfinite(options_.timeout_seconds))
    throw InputError("--trial-timeout must be a number of seconds >= 0 (0: none)");
  check_command_template(template_, space);
}

TrialResult CommandObjective::run(const TrialContext& ctx) {
  using Clock = ChildProcess::Clock;
  const auto start = Clock::now();
  ChildProcess child(substitute(template_, ctx.params), trial_environment(ctx));
  const Clock::time_point deadline =
      options_.timeout_seconds > 0
          ? start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.timeout_seconds))
          : Clock::time_point::max();
  Protocol protocol(ctx);
  const auto end = child.read_lines(deadline, [&](std::string_view line) { return protocol.take(line); });
  const ChildExit exit = child.end(std::chrono::duration<double>(options_.kill_grace_seconds));

  if (end == ChildProcess::ReadEnd::Deadline)
    throw Error("command timed out after " + seconds_text(options_.timeout_seconds) + " s");
  if (!protocol.failure().empty()) throw Error(protocol.failure());
  if (protocol.stopped()) return {protocol.last_value()};
  if (exit.signaled) throw Error("command killed by signal " + std::to_string(exit.code));
  if (exit.code != 0) {
    const std::string line = one_line_tail(child.last_stderr_line());
    throw Error("command exited with status " + std::to_string(exit.code) + (line.empty() ? "" : ": " + line));
  }
  if (!protocol.result()) throw Error("command printed no {\"value\": ...} line");
  return {*protocol.result()};
}

}  // namespace vkt::tune
