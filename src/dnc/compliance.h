// The compliance module as the server wires it: the in-process checker, the services and the
// gate over one pool, and their HTTP routes.
#pragma once

#include <memory>
#include <string>

#include "auth/auth_service.h"
#include "db/pool.h"
#include "dnc/checker.h"
#include "dnc/compliance_gate.h"
#include "dnc/dnc_service.h"
#include "http/router.h"

namespace leadline::dnc {

struct ComplianceOptions {
  CheckerOptions checker;
  Clock clock;  // null = system clock
  // A phone-prefix time zone file to use instead of the built-in table; empty =
  // $LEADLINE_PHONE_TZ_FILE, and when that is unset too, the built-in table. When a file is
  // named but cannot be loaded, only leads with a time zone can be called (and an error is
  // logged): calling hours are never guessed from other data than the operator asked for.
  std::string phone_timezones_path;
};

class Compliance {
 public:
  explicit Compliance(db::Pool& pool, ComplianceOptions options = {});

  DncChecker& checker() { return *checker_; }
  DncService& dnc() { return *dnc_; }
  ComplianceGate& gate() { return *gate_; }
  ConsentService& consent() { return *consent_; }

 private:
  std::unique_ptr<DncChecker> checker_;
  std::unique_ptr<DncService> dnc_;
  std::unique_ptr<ComplianceGate> gate_;
  std::unique_ptr<ConsentService> consent_;
};

// /api/dnc..., /api/calls, /api/leads/{id}/consents..., /api/leads/{id}/compliance-log,
// /api/interactions, /api/webhooks/sms/inbound, /api/compliance/settings.
void RegisterComplianceRoutes(http::Router& router, auth::AuthService& auth, Compliance& c);

}  // namespace leadline::dnc
