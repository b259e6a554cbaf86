#include "tuning/report_html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "tuning/importance/importance.hpp"
#include "tuning/report.hpp"

namespace vkt::tune {
namespace {

std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

std::string num(double v, int digits = 4) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

// A value on [lo, hi] mapped to [0, 1], on a log scale when `log`.
double unit(double v, double lo, double hi, bool log) {
  if (log) v = std::log(v), lo = std::log(lo), hi = std::log(hi);
  return hi > lo ? (v - lo) / (hi - lo) : 0.5;
}

// One plot area with margins, axes and labels; points are given in unit coordinates.
struct Plot {
  double w = 360, h = 240, left = 48, right = 12, top = 24, bottom = 36;
  std::ostringstream body;
  double x(double u) const { return left + u * (w - left - right); }
  double y(double u) const { return h - bottom - u * (h - top - bottom); }
  void axes(const std::string& title, const std::string& xlabel, const std::string& ylabel, const std::string& x0,
            const std::string& x1, const std::string& y0, const std::string& y1) {
    body << "<text x='" << w / 2 << "' y='16' text-anchor='middle' class='t'>" << esc(title) << "</text>"
         << "<line x1='" << x(0) << "' y1='" << y(0) << "' x2='" << x(1) << "' y2='" << y(0) << "' class='ax'/>"
         << "<line x1='" << x(0) << "' y1='" << y(0) << "' x2='" << x(0) << "' y2='" << y(1) << "' class='ax'/>"
         << "<text x='" << x(0) << "' y='" << y(0) + 14 << "' class='l'>" << esc(x0) << "</text>"
         << "<text x='" << x(1) << "' y='" << y(0) + 14 << "' text-anchor='end' class='l'>" << esc(x1) << "</text>"
         << "<text x='" << (x(0) + x(1)) / 2 << "' y='" << h - 4 << "' text-anchor='middle' class='l'>" << esc(xlabel)
         << "</text>"
         << "<text x='" << x(0) - 4 << "' y='" << y(0) << "' text-anchor='end' class='l'>" << esc(y0) << "</text>"
         << "<text x='" << x(0) - 4 << "' y='" << y(1) + 8 << "' text-anchor='end' class='l'>" << esc(y1) << "</text>"
         << "<text x='10' y='" << (y(0) + y(1)) / 2 << "' class='l' transform='rotate(-90 10 " << (y(0) + y(1)) / 2
         << ")' text-anchor='middle'>" << esc(ylabel) << "</text>";
  }
  std::string svg() const {
    std::ostringstream s;
    s << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h << "'>" << body.str() << "</svg>";
    return s.str();
  }
};

// Where a parameter's values sit on an axis: numeric (maybe log) or categorical positions.
struct Axis {
  bool numeric = true, log = false;
  double lo = 0, hi = 1;
  std::vector<std::string> categories;
  double place(const Value& v) const {
    if (numeric) return unit(as_double(v), lo, hi, log);
    const auto it = std::find(categories.begin(), categories.end(), to_string(v));
    const double i = double(it - categories.begin());
    return categories.size() > 1 ? i / double(categories.size() - 1) : 0.5;
  }
  std::string low_label() const { return numeric ? num(lo, 3) : categories.front(); }
  std::string high_label() const { return numeric ? num(hi, 3) : categories.back(); }
};

Axis axis_for(const std::vector<const Trial*>& trials, const std::string& name) {
  Axis a;
  std::set<std::string> cats;
  bool first = true;
  for (const Trial* t : trials) {
    auto it = t->params.find(name);
    if (it == t->params.end()) continue;
    if (!is_numeric(it->second)) a.numeric = false;
    cats.insert(to_string(it->second));
    if (is_numeric(it->second)) {
      const double v = as_double(it->second);
      a.lo = first ? v : std::min(a.lo, v);
      a.hi = first ? v : std::max(a.hi, v);
      first = false;
    }
  }
  a.categories.assign(cats.begin(), cats.end());
  if (a.numeric) a.log = a.lo > 0 && a.hi / a.lo >= 20;
  return a;
}

// Colour from worst (grey-blue) to best (orange) of the finished values.
std::string colour(double u) {
  const int r = int(70 + 185 * u), g = int(110 + 60 * u), b = int(180 - 150 * u);
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
  return buf;
}

// Parameter importance as horizontal bars, most important first, each with a whisker of one
// standard deviation over the trees; nothing when it cannot be computed.
std::string importance_section(const StudyState& state) {
  const importance::ForestOptions forest;
  const auto imp = parameter_importance(state, forest);
  if (imp.empty()) return "";
  Plot p;
  p.left = 140, p.right = 56, p.top = 28, p.bottom = 8, p.w = 520;
  const double row = 20, bar = p.w - p.left - p.right;
  p.h = p.top + p.bottom + row * double(imp.size());
  p.body << "<text x='" << p.w / 2 << "' y='16' text-anchor='middle' class='t'>parameter importance (fANOVA, "
         << forest.trees << " trees)</text>";
  for (size_t i = 0; i < imp.size(); ++i) {
    const double y = p.top + row * double(i), mid = y + row / 2;
    const double lo = std::max(0.0, imp[i].importance - imp[i].std), hi = std::min(1.0, imp[i].importance + imp[i].std);
    p.body << "<text x='" << p.left - 6 << "' y='" << mid + 4 << "' text-anchor='end' class='l'>" << esc(imp[i].name)
           << "</text><rect x='" << p.left << "' y='" << y + 3 << "' width='" << num(bar * imp[i].importance, 6)
           << "' height='" << row - 6 << "' fill='#e67e22'/><line x1='" << num(p.left + bar * lo, 6) << "' y1='" << mid
           << "' x2='" << num(p.left + bar * hi, 6) << "' y2='" << mid << "' class='ax'/><text x='"
           << num(p.left + bar * hi + 4, 6) << "' y='" << mid + 4 << "' class='l'>" << num(imp[i].importance, 3)
           << "</text>";
  }
  return "<h2>Parameter importance</h2><p>Each parameter's share of the variance of the objective, from the "
         "complete trials.</p>" +
         p.svg();
}

}  // namespace

std::string report_html(const StudyState& state, Direction d, const std::string& title) {
  const auto ranked = ranked_trials(state, d);
  std::vector<const Trial*> valued;  // trials with a finite value to plot
  for (const Trial* t : ranked)
    if ((t->state == TrialState::Complete || t->state == TrialState::Pruned) && std::isfinite(t->value))
      valued.push_back(t);
  double vlo = 0, vhi = 1;
  if (!valued.empty()) {
    vlo = vhi = valued.front()->value;
    for (const Trial* t : valued) vlo = std::min(vlo, t->value), vhi = std::max(vhi, t->value);
  }
  auto goodness = [&](double v) { return d == Direction::Maximize ? unit(v, vlo, vhi, false) : 1 - unit(v, vlo, vhi, false); };
  std::set<std::string> names;
  for (const Trial* t : valued)
    for (const auto& [k, v] : t->params) names.insert(k);
  std::vector<std::string> params;  // only parameters that vary are worth an axis
  for (const auto& n : names) {
    const Axis a = axis_for(valued, n);
    if (a.categories.size() > 1) params.push_back(n);
  }
  const std::string objective = d == Direction::Maximize ? "objective (higher is better)" : "objective (lower is better)";

  std::ostringstream html;
  html << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" << esc(title) << "</title><style>"
       << "body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;font-size:13px}"
       << "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#eee}"
       << ".plots{display:flex;flex-wrap:wrap;gap:12px}svg{border:1px solid #ddd;background:#fff}"
       << ".ax{stroke:#444;stroke-width:1}.t{font-size:13px;font-weight:bold}.l{font-size:10px;fill:#444}"
       << "code{background:#f4f4f4;padding:2px 4px}</style></head><body>";
  html << "<h1>" << esc(title) << "</h1><p>" << state.trials.size() << " trials, " << esc(objective) << ".</p>";
  if (!ranked.empty() && ranked.front()->state == TrialState::Complete)
    html << "<p>Best: trial " << ranked.front()->id << ", value " << num(ranked.front()->value, 5)
         << ".<br><code>" << esc(train_command(*ranked.front(), state.settings)) << "</code></p>";

  html << "<div class='plots'>";
  {  // 1. best so far against trial number
    Plot p;
    p.axes("best so far", "trial", "value", "0", std::to_string(state.trials.size() ? state.trials.size() - 1 : 0),
           num(vlo, 3), num(vhi, 3));
    const double n = std::max<double>(1, double(state.trials.size()) - 1);
    std::string path;
    bool have = false;
    double best = 0;
    for (const Trial& t : state.trials) {
      if (!(t.state == TrialState::Complete || t.state == TrialState::Pruned) || !std::isfinite(t.value)) continue;
      p.body << "<circle cx='" << p.x(t.id / n) << "' cy='" << p.y(unit(t.value, vlo, vhi, false))
             << "' r='3' fill='#9ab'/>";
      if (t.state == TrialState::Complete && (!have || is_better(t.value, best, d))) best = t.value, have = true;
      if (have)
        path += (path.empty() ? "M" : " L") + num(p.x(t.id / n), 6) + " " + num(p.y(unit(best, vlo, vhi, false)), 6);
    }
    p.body << "<path d='" << path << "' fill='none' stroke='#e67e22' stroke-width='2'/>";
    html << p.svg();
  }
  for (const auto& name : params) {  // 2. each parameter against the objective
    const Axis a = axis_for(valued, name);
    Plot p;
    p.axes(name, name + (a.log ? " (log)" : ""), "value", a.low_label(), a.high_label(), num(vlo, 3), num(vhi, 3));
    for (const Trial* t : valued) {
      auto it = t->params.find(name);
      if (it == t->params.end()) continue;
      p.body << "<circle cx='" << p.x(a.place(it->second)) << "' cy='" << p.y(unit(t->value, vlo, vhi, false))
             << "' r='3.5' fill='" << colour(goodness(t->value)) << "' fill-opacity='0.8'/>";
    }
    html << p.svg();
  }
  if (!params.empty()) {  // 3. parallel coordinates: every parameter, then the objective
    Plot p;
    p.w = std::max(360.0, 110.0 * double(params.size() + 1));
    p.h = 280;
    p.right = 48;  // room for the last axis' labels
    p.body << "<text x='" << p.w / 2 << "' y='16' text-anchor='middle' class='t'>parallel coordinates</text>";
    const size_t axes = params.size() + 1;
    std::vector<Axis> ax;
    for (const auto& n : params) ax.push_back(axis_for(valued, n));
    for (size_t i = 0; i < axes; ++i) {
      const double xu = axes > 1 ? double(i) / double(axes - 1) : 0.5;
      const std::string label = i < params.size() ? params[i] : "value";
      const std::string lo = i < params.size() ? ax[i].low_label() : num(vlo, 3);
      const std::string hi = i < params.size() ? ax[i].high_label() : num(vhi, 3);
      p.body << "<line x1='" << p.x(xu) << "' y1='" << p.y(0) << "' x2='" << p.x(xu) << "' y2='" << p.y(1)
             << "' class='ax'/><text x='" << p.x(xu) << "' y='" << p.h - 4 << "' text-anchor='middle' class='l'>"
             << esc(label) << "</text><text x='" << p.x(xu) + 3 << "' y='" << p.y(0) << "' class='l'>" << esc(lo)
             << "</text><text x='" << p.x(xu) + 3 << "' y='" << p.y(1) + 8 << "' class='l'>" << esc(hi) << "</text>";
    }
    for (auto it = valued.rbegin(); it != valued.rend(); ++it) {  // best drawn last, on top
      const Trial* t = *it;
      std::string path;
      for (size_t i = 0; i < axes; ++i) {
        const double xu = axes > 1 ? double(i) / double(axes - 1) : 0.5;
        double yu = 0.5;
        if (i < params.size()) {
          auto pit = t->params.find(params[i]);
          if (pit != t->params.end()) yu = ax[i].place(pit->second);
        } else {
          yu = unit(t->value, vlo, vhi, false);
        }
        path += (i ? " L" : "M") + num(p.x(xu), 6) + " " + num(p.y(yu), 6);
      }
      p.body << "<path d='" << path << "' fill='none' stroke='" << colour(goodness(t->value))
             << "' stroke-opacity='0.7' stroke-width='1.5'/>";
    }
    html << p.svg();
  }
  {  // 4. learning curves: the top 5 in colour, every other trial in grey; a pruned trial's
     // curve ends in a red cross where the pruner cut it
    Plot p;
    int max_epoch = 1;
    double lo = vlo, hi = vhi;
    std::vector<const Trial*> curves;  // best first, so the coloured top 5 are drawn last
    for (const Trial* t : ranked)
      if (t->state != TrialState::Running && !t->epochs.empty() && curves.size() < 200) curves.push_back(t);
    for (const Trial* t : curves)
      for (const auto& [e, r] : t->epochs)
        if (std::isfinite(r.value)) max_epoch = std::max(max_epoch, e), lo = std::min(lo, r.value), hi = std::max(hi, r.value);
    p.axes("learning curves (top 5 in colour; x: pruned here)", "epoch", "value", "1", std::to_string(max_epoch),
           num(lo, 3), num(hi, 3));
    static const char* colours[] = {"#e67e22", "#2980b9", "#27ae60", "#8e44ad", "#c0392b"};
    for (size_t k = curves.size(); k-- > 0;) {
      const Trial* t = curves[k];
      const bool top = k < 5 && t->state == TrialState::Complete;
      const char* colour = top ? colours[k] : "#999";
      std::string path;
      double last_x = 0, last_y = 0;
      for (const auto& [e, r] : t->epochs) {
        if (!std::isfinite(r.value)) continue;
        const double xu = max_epoch > 1 ? double(e - 1) / double(max_epoch - 1) : 0.5;
        last_x = p.x(xu);
        last_y = p.y(unit(r.value, lo, hi, false));
        path += (path.empty() ? "M" : " L") + num(last_x, 6) + " " + num(last_y, 6);
        if (top) p.body << "<circle cx='" << last_x << "' cy='" << last_y << "' r='2.5' fill='" << colour << "'/>";
      }
      if (path.empty()) continue;
      p.body << "<path d='" << path << "' fill='none' stroke='" << colour << "' stroke-width='" << (top ? 2 : 1)
             << "' stroke-opacity='" << (top ? 1.0 : 0.5) << "'/>";
      if (t->state == TrialState::Pruned)
        p.body << "<path class='cut' d='M" << num(last_x - 3, 6) << " " << num(last_y - 3, 6) << " l6 6 m0 -6 l-6 6'"
               << " stroke='#d00' stroke-width='1.5'><title>trial " << t->id << " pruned at epoch "
               << t->epochs_done() << "</title></path>";
      if (top)
        p.body << "<text x='" << p.x(1) - 4 << "' y='" << p.top + 12 + 12 * k << "' text-anchor='end' class='l' fill='"
               << colour << "'>trial " << t->id << "</text>";
    }
    html << p.svg();
  }
  html << "</div>" << importance_section(state)
       << "<h2>Trials</h2><table><tr><th>rank</th><th>trial</th><th>state</th><th>value</th><th>epochs</th>"
       << "<th>parameters</th></tr>";
  int rank = 1;
  for (const Trial* t : ranked) {
    std::string ps;
    for (const auto& [k, v] : t->params) ps += (ps.empty() ? "" : ", ") + k + "=" + to_display_string(v);
    html << "<tr><td>" << rank++ << "</td><td>" << t->id << "</td><td>" << state_name(t->state) << "</td><td>"
         << (std::isfinite(t->value) ? num(t->value, 5) : "-") << "</td><td>" << t->epochs_done() << "</td><td>"
         << esc(ps) << (t->reason.empty() ? "" : " <i>(" + esc(t->reason) + ")</i>") << "</td></tr>";
  }
  html << "</table></body></html>\n";
  return html.str();
}

}  // namespace vkt::tune
