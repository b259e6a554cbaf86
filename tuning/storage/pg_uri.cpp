#include "tuning/storage/pg_uri.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>

#include "tuning/storage/pg_connection.hpp"
#include "util/error.hpp"

namespace vkt::tune::storage {
namespace {

constexpr std::string_view kSchemes[] = {"postgresql://", "postgres://"};

// The URI cut where libpq cuts it: scheme, then user[:password]@ when an '@' comes before any
// '/' (libpq's own rule), then host, port and path, then ?query.
struct UriParts {
  std::string scheme, user, password, rest, query;  // rest: host[:port][/dbname]
  bool has_userinfo = false;
  size_t query_pos = std::string::npos;  // of the '?' in the whole URI
};

UriParts split(const std::string& uri) {
  UriParts p;
  for (std::string_view s : kSchemes)
    if (uri.starts_with(s)) p.scheme = std::string(s);
  std::string tail = uri.substr(p.scheme.size());
  const size_t stop = tail.find_first_of("@/");
  if (stop != std::string::npos && tail[stop] == '@') {
    p.has_userinfo = true;
    const std::string userinfo = tail.substr(0, stop);
    const size_t colon = userinfo.find(':');
    p.user = userinfo.substr(0, colon);
    if (colon != std::string::npos) p.password = userinfo.substr(colon + 1);
    tail = tail.substr(stop + 1);
  }
  const size_t q = tail.find('?');
  p.rest = tail.substr(0, q);
  if (q != std::string::npos) {
    p.query = tail.substr(q + 1);
    p.query_pos = uri.size() - tail.size() + q;
  }
  return p;
}

std::vector<std::string> split_query(const std::string& query) {
  std::vector<std::string> out;
  if (query.empty()) return out;
  size_t start = 0;
  for (;;) {
    const size_t amp = query.find('&', start);
    out.push_back(query.substr(start, amp - start));
    if (amp == std::string::npos) return out;
    start = amp + 1;
  }
}

std::string key_of(const std::string& param) { return param.substr(0, param.find('=')); }
std::string value_of(const std::string& param) {
  const size_t eq = param.find('=');
  return eq == std::string::npos ? "" : param.substr(eq + 1);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX escapes decoded; `ok` false for a broken escape or a NUL (no text column holds one).
std::string percent_decode(const std::string& s, bool& ok) {
  std::string out;
  ok = true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const int hi = i + 2 < s.size() ? hex_digit(s[i + 1]) : -1;
    const int lo = i + 2 < s.size() ? hex_digit(s[i + 2]) : -1;
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
      ok = false;
      return {};
    }
    out += char(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string join(const std::vector<std::string>& params) {
  std::string out;
  for (const auto& p : params) out += (out.empty() ? "" : "&") + p;
  return out;
}

}  // namespace

bool is_postgres_uri(std::string_view spec) {
  for (std::string_view s : kSchemes)
    if (spec.starts_with(s)) return true;
  return false;
}

std::string redact_uri(const std::string& uri) {
  if (!is_postgres_uri(uri)) return uri;
  const UriParts p = split(uri);
  std::vector<std::string> kept;
  for (const auto& param : split_query(p.query))
    if (key_of(param) != "password") kept.push_back(param);
  std::string out = p.scheme;
  if (p.has_userinfo && !p.user.empty()) out += p.user + "@";
  out += p.rest;
  if (!kept.empty()) {
    out += '?';
    out += join(kept);
  }
  return out;
}

std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
      text.replace(at, secret.size(), "***");
  }
  return text;
}

StudyUri parse_study_uri(const std::string& spec) {
  StudyUri out;
  out.display = redact_uri(spec);
  const UriParts p = split(spec);
  bool ok = true;
  auto add_secret = [&](const std::string& s) {
    if (s.empty()) return;
    out.secrets.push_back(s);
    bool decoded_ok = true;
    const std::string decoded = percent_decode(s, decoded_ok);
    if (decoded_ok && decoded != s) out.secrets.push_back(decoded);
  };
  add_secret(p.password);
  if (const char* env = std::getenv("PGPASSWORD")) add_secret(env);

  std::vector<std::string> params;
  bool has_study = false;
  for (const std::string& param : split_query(p.query)) {
    const std::string key = key_of(param);
    if (key == "password") add_secret(value_of(param));
    if (key != "study") {
      params.push_back(param);
      continue;
    }
    if (has_study) throw InputError(out.display + ": study= is given twice");
    has_study = true;
    out.study = percent_decode(value_of(param), ok);
    if (!ok) throw InputError(out.display + ": the study name has a bad %-escape");
  }
  if (out.study.empty())
    throw InputError(out.display + ": the URI names no study",
                     "add ?study=NAME (or &study=NAME): the name of the study inside the database");

  // Our defaults, each only where the URI does not choose for itself.
  auto has_key = [&](const std::string& key) {
    for (const auto& param : params)
      if (key_of(param) == key) return true;
    return false;
  };
  const std::pair<const char*, const char*> defaults[] = {{"connect_timeout", "10"},
                                                          {"keepalives_idle", "30"},
                                                          {"keepalives_interval", "10"},
                                                          {"keepalives_count", "3"},
                                                          {"application_name", "vktrain"}};
  for (const auto& [key, value] : defaults)
    if (!has_key(key)) params.push_back(std::string(key) + "=" + value);
  out.conninfo = spec.substr(0, p.query_pos) + "?" + join(params);

  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(out.conninfo.c_str(), &error);
  if (!parsed) {
    const std::string why = error ? pg::first_line(error) : "out of memory";
    if (error) PQfreemem(error);
    throw InputError(out.display + ": not a valid PostgreSQL URI: " + scrub(why, out.secrets),
                     "the form is postgresql://[user[:password]@]host[:port]/dbname?study=NAME");
  }
  // libpq checks a port only when it connects, and then its failure looks like any other
  // (exit 1); a port that is not a number is a typo in the URI (exit 2).
  std::string port;
  for (const PQconninfoOption* o = parsed; o->keyword; ++o)
    if (std::string_view(o->keyword) == "port" && o->val) port = o->val;
  PQconninfoFree(parsed);
  for (size_t start = 0; start <= port.size();) {
    const size_t comma = std::min(port.find(',', start), port.size());
    const std::string one = port.substr(start, comma - start);
    const bool digits = !one.empty() && one.size() <= 5 && one.find_first_not_of("0123456789") == std::string::npos;
    if (!one.empty() && (!digits || std::stoi(one) < 1 || std::stoi(one) > 65535))
      throw InputError(out.display + ": not a valid PostgreSQL URI: port \"" + scrub(one, out.secrets) +
                       "\" is not a number from 1 to 65535");
    start = comma + 1;
  }
  return out;
}

}  // namespace vkt::tune::storage
