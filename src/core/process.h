// Running helper programs (initdb, pg_ctl) without a shell, optionally as another user.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace leadline {

struct ProcessResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (searched in PATH when it has no '/') and waits. When `run_as_user` is set
// and we are root, the child switches to that user (setgid/setuid) before exec.
// Fails only when the program cannot be started.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                 const std::string& run_as_user = "");

bool IsRoot();
// This process's peak resident memory so far, in MiB (getrusage).
long PeakRssMb();

}  // namespace leadline
