// Maps (method, path pattern) to handlers. Patterns use {name} segments: "/api/leads/{id}".
// Unknown paths -> 404 problem, known path with another method -> 405 with Allow.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/message.h"

namespace leadline::http {

class PathParams {
 public:
  void Set(std::string name, std::string value) {
    items_.emplace_back(std::move(name), std::move(value));
  }
  // Value of {name}; empty when absent (a route only asks for names its pattern has).
  std::string_view Get(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

using RouteHandler = std::function<Response(Request&, const PathParams&)>;

class Router {
 public:
  void Add(Method method, std::string_view pattern, RouteHandler handler);
  // Not thread-safe to Add concurrently with Dispatch; Dispatch itself is thread-safe.
  Response Dispatch(Request& request) const;
  // Route patterns, for the OpenAPI consistency test.
  std::vector<std::pair<Method, std::string>> Routes() const;

 private:
  struct Route {
    Method method;
    std::string pattern;
    std::vector<std::string> segments;  // "{id}" marks a parameter
    RouteHandler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace leadline::http
