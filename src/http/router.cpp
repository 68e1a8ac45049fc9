#include "http/router.h"

#include "http/problem.h"

namespace leadline::http {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool IsParam(std::string_view seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

}  // namespace

std::string_view PathParams::Get(std::string_view name) const {
  for (const auto& [k, v] : items_) {
    if (k == name) return v;
  }
  return {};
}

void Router::Add(Method method, std::string_view pattern, RouteHandler handler) {
  Route r{method, std::string(pattern), {}, std::move(handler)};
  for (auto seg : SplitPath(pattern)) r.segments.emplace_back(seg);
  routes_.push_back(std::move(r));
}

Response Router::Dispatch(Request& request) const {
  auto segments = SplitPath(request.path);
  std::string allow;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    PathParams params;
    bool match = true;
    for (size_t i = 0; i < segments.size() && match; ++i) {
      const std::string& want = route.segments[i];
      if (IsParam(want)) {
        params.Set(want.substr(1, want.size() - 2), std::string(segments[i]));
      } else if (want != segments[i]) {
        match = false;
      }
    }
    if (!match) continue;
    if (route.method == request.method) return route.handler(request, params);
    if (!allow.empty()) allow += ", ";
    allow += MethodName(route.method);
  }
  if (!allow.empty()) {
    Response r = ProblemResponse(
        Status(StatusCode::kMethodNotAllowed, "method not allowed for this resource"));
    r.SetHeader("Allow", allow);
    return r;
  }
  return ProblemResponse(NotFound("no such resource: " + request.path));
}

std::vector<std::pair<Method, std::string>> Router::Routes() const {
  std::vector<std::pair<Method, std::string>> out;
  for (const auto& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

}  // namespace leadline::http
