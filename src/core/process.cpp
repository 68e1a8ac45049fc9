#include "core/process.h"

#include <sys/resource.h>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace leadline {

bool IsRoot() { return geteuid() == 0; }

Result<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                 const std::string& run_as_user) {
  if (argv.empty()) return InvalidArgument("empty command");
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  bool switch_user = !run_as_user.empty() && IsRoot();
  if (switch_user) {
    struct passwd* pw = getpwnam(run_as_user.c_str());
    if (pw == nullptr) return Unavailable("system user '" + run_as_user + "' does not exist");
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    home = pw->pw_dir;
  }
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return Internal(std::string("pipe: ") + strerror(errno));

  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) return Internal(std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    dup2(pipefd[1], STDOUT_FILENO);
    dup2(pipefd[1], STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    if (switch_user) {
      if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0) _exit(126);
      setenv("HOME", home.c_str(), 1);
      // Our working directory may be closed to that user; tools like initdb insist on one.
      if (chdir("/") != 0) _exit(126);
    }
    execvp(cargv[0], cargv.data());
    dprintf(STDERR_FILENO, "cannot run %s: %s\n", cargv[0], strerror(errno));
    _exit(127);
  }
  close(pipefd[1]);
  ProcessResult result;
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) result.output.append(buf, static_cast<size_t>(n));
  }
  close(pipefd[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (result.exit_code == 127 && result.output.find("cannot run") != std::string::npos) {
    return Unavailable(result.output);
  }
  return result;
}

long PeakRssMb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;  // KiB on Linux
}

}  // namespace leadline
