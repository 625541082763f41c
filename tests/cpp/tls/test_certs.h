// Certificates made at test time with OpenSSL's API: a CA, leaf
// certificates signed by it (server or client, any names, any validity
// window) and PEM files of them in a temporary directory. Shared by the
// TLS tests and the io/server tests that run TLS end to end.
#pragma once

#include <string>
#include <vector>

namespace aerospike_py::testing {

struct PemFiles {
  std::string cert;  // certificate (PEM)
  std::string key;   // private key (PEM; encrypted when made with a passphrase)
};

class TestPki {
 public:
  // Makes a fresh directory under /tmp; removed by the destructor.
  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& dir() const { return dir_; }

  // A self-signed CA.
  PemFiles MakeCa(const std::string& name);
  // A leaf signed by `ca`, valid from now+not_before_s to now+not_after_s,
  // with the given DNS/IP subject alternative names.
  PemFiles MakeLeaf(const PemFiles& ca, const std::string& file_stem, const std::string& cn,
                    const std::vector<std::string>& dns, const std::vector<std::string>& ips,
                    long not_before_s = -3600, long not_after_s = 86400, long serial = 0,
                    const std::string& passphrase = "");
  // Writes `text` to a file in dir() and returns its path.
  std::string WriteFile(const std::string& name, const std::string& text);

 private:
  std::string dir_;
  long next_serial_ = 1000;
};

}  // namespace aerospike_py::testing
