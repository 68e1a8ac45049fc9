// HTTP routes for login, the current user, users and API keys.
#pragma once

#include "auth/auth_service.h"
#include "http/json.h"
#include "http/router.h"

namespace leadline::auth {

void RegisterAuthRoutes(http::Router& router, AuthService& auth);
void WriteUser(json::Writer& w, const User& u);

}  // namespace leadline::auth
