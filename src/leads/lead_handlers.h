// HTTP routes of the leads API (/api/leads..., /api/tags): parse requests, call LeadService,
// write JSON or CSV. Errors go through the one problem mapping.
#pragma once

#include "auth/auth_service.h"
#include "http/router.h"
#include "leads/lead_service.h"

namespace leadline::leads {

// Registers every leads route. `auth` and `leads` must outlive the router.
void RegisterLeadRoutes(http::Router& router, auth::AuthService& auth, LeadService& leads);

}  // namespace leadline::leads
